from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.account_quota import AccountQuota
    from ..models.credentials_out import CredentialsOut
    from ..models.warmup_out import WarmupOut


T = TypeVar("T", bound="SesAccountOut")


@_attrs_define
class SesAccountOut:
    """
    Attributes:
        configuration_set (None | str):
        credentials (CredentialsOut):
        enforcement_status (None | str):
        from_ (None | str):
        last_error (None | str):
        production_access (bool | None): false: the account is in the SES sandbox
        quota (AccountQuota):
        region (str):
        sending_enabled (bool): SES's own switch for the account
        updated_at (None | str):
        warmup (WarmupOut):
    """

    configuration_set: None | str
    credentials: CredentialsOut
    enforcement_status: None | str
    from_: None | str
    last_error: None | str
    production_access: bool | None
    quota: AccountQuota
    region: str
    sending_enabled: bool
    updated_at: None | str
    warmup: WarmupOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        configuration_set: None | str
        configuration_set = self.configuration_set

        credentials = self.credentials.to_dict()

        enforcement_status: None | str
        enforcement_status = self.enforcement_status

        from_: None | str
        from_ = self.from_

        last_error: None | str
        last_error = self.last_error

        production_access: bool | None
        production_access = self.production_access

        quota = self.quota.to_dict()

        region = self.region

        sending_enabled = self.sending_enabled

        updated_at: None | str
        updated_at = self.updated_at

        warmup = self.warmup.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "configuration_set": configuration_set,
                "credentials": credentials,
                "enforcement_status": enforcement_status,
                "from": from_,
                "last_error": last_error,
                "production_access": production_access,
                "quota": quota,
                "region": region,
                "sending_enabled": sending_enabled,
                "updated_at": updated_at,
                "warmup": warmup,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.account_quota import AccountQuota  # noqa: PLC0415
        from ..models.credentials_out import CredentialsOut  # noqa: PLC0415
        from ..models.warmup_out import WarmupOut  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_configuration_set(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        configuration_set = _parse_configuration_set(d.pop("configuration_set"))

        credentials = CredentialsOut.from_dict(d.pop("credentials"))

        def _parse_enforcement_status(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        enforcement_status = _parse_enforcement_status(d.pop("enforcement_status"))

        def _parse_from_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        from_ = _parse_from_(d.pop("from"))

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        def _parse_production_access(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        production_access = _parse_production_access(d.pop("production_access"))

        quota = AccountQuota.from_dict(d.pop("quota"))

        region = d.pop("region")

        sending_enabled = d.pop("sending_enabled")

        def _parse_updated_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        updated_at = _parse_updated_at(d.pop("updated_at"))

        warmup = WarmupOut.from_dict(d.pop("warmup"))

        ses_account_out = cls(
            configuration_set=configuration_set,
            credentials=credentials,
            enforcement_status=enforcement_status,
            from_=from_,
            last_error=last_error,
            production_access=production_access,
            quota=quota,
            region=region,
            sending_enabled=sending_enabled,
            updated_at=updated_at,
            warmup=warmup,
        )

        ses_account_out.additional_properties = d
        return ses_account_out

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
