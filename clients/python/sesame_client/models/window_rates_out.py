from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="WindowRatesOut")


@_attrs_define
class WindowRatesOut:
    """
    Attributes:
        bounce_rate (float | None): hard bounces / sent; null below `min_volume` sends (too little volume to say)
        complaint_rate (float | None): complaints / sent; null below `min_volume`
        complaints (int):
        hard_bounces (int):
        sent (int):
        window (str):
    """

    bounce_rate: float | None
    complaint_rate: float | None
    complaints: int
    hard_bounces: int
    sent: int
    window: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bounce_rate: float | None
        bounce_rate = self.bounce_rate

        complaint_rate: float | None
        complaint_rate = self.complaint_rate

        complaints = self.complaints

        hard_bounces = self.hard_bounces

        sent = self.sent

        window = self.window

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bounce_rate": bounce_rate,
                "complaint_rate": complaint_rate,
                "complaints": complaints,
                "hard_bounces": hard_bounces,
                "sent": sent,
                "window": window,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_bounce_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        bounce_rate = _parse_bounce_rate(d.pop("bounce_rate"))

        def _parse_complaint_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        complaint_rate = _parse_complaint_rate(d.pop("complaint_rate"))

        complaints = d.pop("complaints")

        hard_bounces = d.pop("hard_bounces")

        sent = d.pop("sent")

        window = d.pop("window")

        window_rates_out = cls(
            bounce_rate=bounce_rate,
            complaint_rate=complaint_rate,
            complaints=complaints,
            hard_bounces=hard_bounces,
            sent=sent,
            window=window,
        )

        window_rates_out.additional_properties = d
        return window_rates_out

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
