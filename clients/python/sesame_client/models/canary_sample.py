from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CanarySample")


@_attrs_define
class CanarySample:
    """
    Attributes:
        bounce_rate (float):
        bounced (int): counted (hard) bounces the events service recorded for the sample
        complained (int):
        complaint_rate (float):
        sent (int):
    """

    bounce_rate: float
    bounced: int
    complained: int
    complaint_rate: float
    sent: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bounce_rate = self.bounce_rate

        bounced = self.bounced

        complained = self.complained

        complaint_rate = self.complaint_rate

        sent = self.sent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bounce_rate": bounce_rate,
                "bounced": bounced,
                "complained": complained,
                "complaint_rate": complaint_rate,
                "sent": sent,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bounce_rate = d.pop("bounce_rate")

        bounced = d.pop("bounced")

        complained = d.pop("complained")

        complaint_rate = d.pop("complaint_rate")

        sent = d.pop("sent")

        canary_sample = cls(
            bounce_rate=bounce_rate,
            bounced=bounced,
            complained=complained,
            complaint_rate=complaint_rate,
            sent=sent,
        )

        canary_sample.additional_properties = d
        return canary_sample

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
