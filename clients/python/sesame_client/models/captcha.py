from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.captcha_provider import CaptchaProvider
from ..types import UNSET, Unset

T = TypeVar("T", bound="Captcha")


@_attrs_define
class Captcha:
    """The form's captcha. `secret` is write-only: answers say only `secret_set`; a PATCH that leaves the secret
    out keeps the stored one while the provider stays the same, `""` removes it.

        Attributes:
            provider (CaptchaProvider | Unset):  Default: CaptchaProvider.NONE.
            secret (None | str | Unset):
            secret_set (bool | None | Unset):
            site_key (None | str | Unset):
    """

    provider: CaptchaProvider | Unset = CaptchaProvider.NONE
    secret: None | str | Unset = UNSET
    secret_set: bool | None | Unset = UNSET
    site_key: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        provider: str | Unset = UNSET
        if not isinstance(self.provider, Unset):
            provider = self.provider.value

        secret: None | str | Unset
        if isinstance(self.secret, Unset):
            secret = UNSET
        else:
            secret = self.secret

        secret_set: bool | None | Unset
        if isinstance(self.secret_set, Unset):
            secret_set = UNSET
        else:
            secret_set = self.secret_set

        site_key: None | str | Unset
        if isinstance(self.site_key, Unset):
            site_key = UNSET
        else:
            site_key = self.site_key

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if provider is not UNSET:
            field_dict["provider"] = provider
        if secret is not UNSET:
            field_dict["secret"] = secret
        if secret_set is not UNSET:
            field_dict["secret_set"] = secret_set
        if site_key is not UNSET:
            field_dict["site_key"] = site_key

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _provider = d.pop("provider", UNSET)
        provider: CaptchaProvider | Unset
        if isinstance(_provider, Unset):
            provider = UNSET
        else:
            provider = CaptchaProvider(_provider)

        def _parse_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        secret = _parse_secret(d.pop("secret", UNSET))

        def _parse_secret_set(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        secret_set = _parse_secret_set(d.pop("secret_set", UNSET))

        def _parse_site_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_key = _parse_site_key(d.pop("site_key", UNSET))

        captcha = cls(
            provider=provider,
            secret=secret,
            secret_set=secret_set,
            site_key=site_key,
        )

        return captcha
