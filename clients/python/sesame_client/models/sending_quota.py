from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SendingQuota")


@_attrs_define
class SendingQuota:
    """
    Attributes:
        max_24h_send (float | None):
        max_send_rate (float | None):
        read_at (None | str):
        sent_last_24h (float): SES's figure at `read_at` plus what Sesame sent since
    """

    max_24h_send: float | None
    max_send_rate: float | None
    read_at: None | str
    sent_last_24h: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        max_24h_send: float | None
        max_24h_send = self.max_24h_send

        max_send_rate: float | None
        max_send_rate = self.max_send_rate

        read_at: None | str
        read_at = self.read_at

        sent_last_24h = self.sent_last_24h

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "max_24h_send": max_24h_send,
                "max_send_rate": max_send_rate,
                "read_at": read_at,
                "sent_last_24h": sent_last_24h,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_max_24h_send(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        max_24h_send = _parse_max_24h_send(d.pop("max_24h_send"))

        def _parse_max_send_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        max_send_rate = _parse_max_send_rate(d.pop("max_send_rate"))

        def _parse_read_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        read_at = _parse_read_at(d.pop("read_at"))

        sent_last_24h = d.pop("sent_last_24h")

        sending_quota = cls(
            max_24h_send=max_24h_send,
            max_send_rate=max_send_rate,
            read_at=read_at,
            sent_last_24h=sent_last_24h,
        )

        sending_quota.additional_properties = d
        return sending_quota

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
