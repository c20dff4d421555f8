from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.subscribe_with_form_data_signup_in_attributes import SubscribeWithFormDataSignupInAttributes


T = TypeVar("T", bound="SubscribeWithFormDataSignupIn")


@_attrs_define
class SubscribeWithFormDataSignupIn:
    """A signup from a custom form (JSON, or the same fields form-encoded).

    Attributes:
        email (str):
        attributes (SubscribeWithFormDataSignupInAttributes | Unset): the list's extra form fields, by name (others are
            ignored)
        captcha (None | str | Unset): the captcha widget's answer when the list asks for one (ALTCHA payload, token…)
    """

    email: str
    attributes: SubscribeWithFormDataSignupInAttributes | Unset = UNSET
    captcha: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        email = self.email

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        captcha: None | str | Unset
        if isinstance(self.captcha, Unset):
            captcha = UNSET
        else:
            captcha = self.captcha

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
            }
        )
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if captcha is not UNSET:
            field_dict["captcha"] = captcha

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.subscribe_with_form_data_signup_in_attributes import (
            SubscribeWithFormDataSignupInAttributes,
        )  # noqa: PLC0415

        d = dict(src_dict)
        email = d.pop("email")

        _attributes = d.pop("attributes", UNSET)
        attributes: SubscribeWithFormDataSignupInAttributes | Unset
        if isinstance(_attributes, Unset):
            attributes = UNSET
        else:
            attributes = SubscribeWithFormDataSignupInAttributes.from_dict(_attributes)

        def _parse_captcha(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        captcha = _parse_captcha(d.pop("captcha", UNSET))

        subscribe_with_form_data_signup_in = cls(
            email=email,
            attributes=attributes,
            captcha=captcha,
        )

        subscribe_with_form_data_signup_in.additional_properties = d
        return subscribe_with_form_data_signup_in

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
