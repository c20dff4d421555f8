from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GuardThresholds")


@_attrs_define
class GuardThresholds:
    """The effective thresholds (the project's own, else the service defaults), as fractions of sent mail.

    Attributes:
        pause_bounce_rate (float):
        pause_complaint_rate (float):
        warn_bounce_rate (float):
        warn_complaint_rate (float):
    """

    pause_bounce_rate: float
    pause_complaint_rate: float
    warn_bounce_rate: float
    warn_complaint_rate: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pause_bounce_rate = self.pause_bounce_rate

        pause_complaint_rate = self.pause_complaint_rate

        warn_bounce_rate = self.warn_bounce_rate

        warn_complaint_rate = self.warn_complaint_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pause_bounce_rate": pause_bounce_rate,
                "pause_complaint_rate": pause_complaint_rate,
                "warn_bounce_rate": warn_bounce_rate,
                "warn_complaint_rate": warn_complaint_rate,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        pause_bounce_rate = d.pop("pause_bounce_rate")

        pause_complaint_rate = d.pop("pause_complaint_rate")

        warn_bounce_rate = d.pop("warn_bounce_rate")

        warn_complaint_rate = d.pop("warn_complaint_rate")

        guard_thresholds = cls(
            pause_bounce_rate=pause_bounce_rate,
            pause_complaint_rate=pause_complaint_rate,
            warn_bounce_rate=warn_bounce_rate,
            warn_complaint_rate=warn_complaint_rate,
        )

        guard_thresholds.additional_properties = d
        return guard_thresholds

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
