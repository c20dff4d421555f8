from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CredentialsOut")


@_attrs_define
class CredentialsOut:
    """
    Attributes:
        access_key_id (None | str): masked; null in chain mode
        mode (str): keys | chain (the process's default AWS credential chain)
    """

    access_key_id: None | str
    mode: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_key_id: None | str
        access_key_id = self.access_key_id

        mode = self.mode

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_key_id": access_key_id,
                "mode": mode,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_access_key_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        access_key_id = _parse_access_key_id(d.pop("access_key_id"))

        mode = d.pop("mode")

        credentials_out = cls(
            access_key_id=access_key_id,
            mode=mode,
        )

        credentials_out.additional_properties = d
        return credentials_out

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
