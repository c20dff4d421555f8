from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GuardPolicy")


@_attrs_define
class GuardPolicy:
    """
    Attributes:
        digest (str): off | immediate | hourly | daily
        soft_bounce_threshold (int): soft bounces in the window that suppress an address
        soft_bounce_window_days (int):
    """

    digest: str
    soft_bounce_threshold: int
    soft_bounce_window_days: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        digest = self.digest

        soft_bounce_threshold = self.soft_bounce_threshold

        soft_bounce_window_days = self.soft_bounce_window_days

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "digest": digest,
                "soft_bounce_threshold": soft_bounce_threshold,
                "soft_bounce_window_days": soft_bounce_window_days,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        digest = d.pop("digest")

        soft_bounce_threshold = d.pop("soft_bounce_threshold")

        soft_bounce_window_days = d.pop("soft_bounce_window_days")

        guard_policy = cls(
            digest=digest,
            soft_bounce_threshold=soft_bounce_threshold,
            soft_bounce_window_days=soft_bounce_window_days,
        )

        guard_policy.additional_properties = d
        return guard_policy

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
