from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.credentials import Credentials


T = TypeVar("T", bound="AccountIn")


@_attrs_define
class AccountIn:
    """
    Attributes:
        credentials (Credentials):
        region (str):
        configuration_set (None | str | Unset):
        from_ (None | str | Unset):
        warmup (bool | Unset):  Default: True.
    """

    credentials: Credentials
    region: str
    configuration_set: None | str | Unset = UNSET
    from_: None | str | Unset = UNSET
    warmup: bool | Unset = True
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        credentials = self.credentials.to_dict()

        region = self.region

        configuration_set: None | str | Unset
        if isinstance(self.configuration_set, Unset):
            configuration_set = UNSET
        else:
            configuration_set = self.configuration_set

        from_: None | str | Unset
        if isinstance(self.from_, Unset):
            from_ = UNSET
        else:
            from_ = self.from_

        warmup = self.warmup

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "credentials": credentials,
                "region": region,
            }
        )
        if configuration_set is not UNSET:
            field_dict["configuration_set"] = configuration_set
        if from_ is not UNSET:
            field_dict["from"] = from_
        if warmup is not UNSET:
            field_dict["warmup"] = warmup

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.credentials import Credentials  # noqa: PLC0415

        d = dict(src_dict)
        credentials = Credentials.from_dict(d.pop("credentials"))

        region = d.pop("region")

        def _parse_configuration_set(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        configuration_set = _parse_configuration_set(d.pop("configuration_set", UNSET))

        def _parse_from_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        from_ = _parse_from_(d.pop("from", UNSET))

        warmup = d.pop("warmup", UNSET)

        account_in = cls(
            credentials=credentials,
            region=region,
            configuration_set=configuration_set,
            from_=from_,
            warmup=warmup,
        )

        account_in.additional_properties = d
        return account_in

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
