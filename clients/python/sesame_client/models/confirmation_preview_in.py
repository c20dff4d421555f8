from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConfirmationPreviewIn")


@_attrs_define
class ConfirmationPreviewIn:
    """
    Attributes:
        confirmation_body (None | str | Unset):
        confirmation_subject (None | str | Unset):
        locale (None | str | Unset):
    """

    confirmation_body: None | str | Unset = UNSET
    confirmation_subject: None | str | Unset = UNSET
    locale: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        confirmation_body: None | str | Unset
        if isinstance(self.confirmation_body, Unset):
            confirmation_body = UNSET
        else:
            confirmation_body = self.confirmation_body

        confirmation_subject: None | str | Unset
        if isinstance(self.confirmation_subject, Unset):
            confirmation_subject = UNSET
        else:
            confirmation_subject = self.confirmation_subject

        locale: None | str | Unset
        if isinstance(self.locale, Unset):
            locale = UNSET
        else:
            locale = self.locale

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if confirmation_body is not UNSET:
            field_dict["confirmation_body"] = confirmation_body
        if confirmation_subject is not UNSET:
            field_dict["confirmation_subject"] = confirmation_subject
        if locale is not UNSET:
            field_dict["locale"] = locale

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_confirmation_body(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        confirmation_body = _parse_confirmation_body(d.pop("confirmation_body", UNSET))

        def _parse_confirmation_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        confirmation_subject = _parse_confirmation_subject(d.pop("confirmation_subject", UNSET))

        def _parse_locale(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        locale = _parse_locale(d.pop("locale", UNSET))

        confirmation_preview_in = cls(
            confirmation_body=confirmation_body,
            confirmation_subject=confirmation_subject,
            locale=locale,
        )

        return confirmation_preview_in
