from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="WarmupOut")


@_attrs_define
class WarmupOut:
    """
    Attributes:
        blocked_at (None | str): a due step held back because the project's rates were at or over a warn threshold
        blocked_reason (None | str):
        enabled (bool):
        sent_today (int):
        step (int): the warm-up schedule's current step (daily cap grows with it)
        step_at (None | str):
    """

    blocked_at: None | str
    blocked_reason: None | str
    enabled: bool
    sent_today: int
    step: int
    step_at: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        blocked_at: None | str
        blocked_at = self.blocked_at

        blocked_reason: None | str
        blocked_reason = self.blocked_reason

        enabled = self.enabled

        sent_today = self.sent_today

        step = self.step

        step_at: None | str
        step_at = self.step_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "blocked_at": blocked_at,
                "blocked_reason": blocked_reason,
                "enabled": enabled,
                "sent_today": sent_today,
                "step": step,
                "step_at": step_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_blocked_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        blocked_at = _parse_blocked_at(d.pop("blocked_at"))

        def _parse_blocked_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        blocked_reason = _parse_blocked_reason(d.pop("blocked_reason"))

        enabled = d.pop("enabled")

        sent_today = d.pop("sent_today")

        step = d.pop("step")

        def _parse_step_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        step_at = _parse_step_at(d.pop("step_at"))

        warmup_out = cls(
            blocked_at=blocked_at,
            blocked_reason=blocked_reason,
            enabled=enabled,
            sent_today=sent_today,
            step=step,
            step_at=step_at,
        )

        warmup_out.additional_properties = d
        return warmup_out

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
