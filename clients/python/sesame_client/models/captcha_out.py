from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CaptchaOut")


@_attrs_define
class CaptchaOut:
    """
    Attributes:
        provider (str): none | altcha | turnstile | hcaptcha | recaptcha
        secret_set (bool | Unset): a secret is stored (it is write-only: never answered) Default: False.
        site_key (None | str | Unset):
    """

    provider: str
    secret_set: bool | Unset = False
    site_key: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        provider = self.provider

        secret_set = self.secret_set

        site_key: None | str | Unset
        if isinstance(self.site_key, Unset):
            site_key = UNSET
        else:
            site_key = self.site_key

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "provider": provider,
            }
        )
        if secret_set is not UNSET:
            field_dict["secret_set"] = secret_set
        if site_key is not UNSET:
            field_dict["site_key"] = site_key

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        provider = d.pop("provider")

        secret_set = d.pop("secret_set", UNSET)

        def _parse_site_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_key = _parse_site_key(d.pop("site_key", UNSET))

        captcha_out = cls(
            provider=provider,
            secret_set=secret_set,
            site_key=site_key,
        )

        captcha_out.additional_properties = d
        return captcha_out

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
