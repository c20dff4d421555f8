from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.suppression_create_reason import SuppressionCreateReason
from ..types import UNSET, Unset

T = TypeVar("T", bound="SuppressionCreate")


@_attrs_define
class SuppressionCreate:
    """
    Attributes:
        email (str):
        detail (None | str | Unset):
        reason (SuppressionCreateReason | Unset):  Default: SuppressionCreateReason.MANUAL.
    """

    email: str
    detail: None | str | Unset = UNSET
    reason: SuppressionCreateReason | Unset = SuppressionCreateReason.MANUAL

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        detail: None | str | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        else:
            detail = self.detail

        reason: str | Unset = UNSET
        if not isinstance(self.reason, Unset):
            reason = self.reason.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        def _parse_detail(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        _reason = d.pop("reason", UNSET)
        reason: SuppressionCreateReason | Unset
        if isinstance(_reason, Unset):
            reason = UNSET
        else:
            reason = SuppressionCreateReason(_reason)

        suppression_create = cls(
            email=email,
            detail=detail,
            reason=reason,
        )

        return suppression_create
