from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AccountQuota")


@_attrs_define
class AccountQuota:
    """
    Attributes:
        max_24h_send (float | None): mails per 24 hours SES allows
        max_send_rate (float | None): mails per second SES allows
        read_at (None | str):
        sent_last_24h (float | None): as SES reported it at `read_at`
        sent_since_read (int): sent by Sesame since the quota was read
        source (None | str): where the figures came from (e.g. sesv2)
    """

    max_24h_send: float | None
    max_send_rate: float | None
    read_at: None | str
    sent_last_24h: float | None
    sent_since_read: int
    source: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        max_24h_send: float | None
        max_24h_send = self.max_24h_send

        max_send_rate: float | None
        max_send_rate = self.max_send_rate

        read_at: None | str
        read_at = self.read_at

        sent_last_24h: float | None
        sent_last_24h = self.sent_last_24h

        sent_since_read = self.sent_since_read

        source: None | str
        source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "max_24h_send": max_24h_send,
                "max_send_rate": max_send_rate,
                "read_at": read_at,
                "sent_last_24h": sent_last_24h,
                "sent_since_read": sent_since_read,
                "source": source,
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

        def _parse_sent_last_24h(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        sent_last_24h = _parse_sent_last_24h(d.pop("sent_last_24h"))

        sent_since_read = d.pop("sent_since_read")

        def _parse_source(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        source = _parse_source(d.pop("source"))

        account_quota = cls(
            max_24h_send=max_24h_send,
            max_send_rate=max_send_rate,
            read_at=read_at,
            sent_last_24h=sent_last_24h,
            sent_since_read=sent_since_read,
            source=source,
        )

        account_quota.additional_properties = d
        return account_quota

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
