from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.canary_policy_out_window_source import CanaryPolicyOutWindowSource

T = TypeVar("T", bound="CanaryPolicyOut")


@_attrs_define
class CanaryPolicyOut:
    """How the canary picks and judges this project's campaigns (the sender's SESAME_SENDER_CANARY_* settings and
    the project's own feedback window).

        Attributes:
            default_window_seconds (int): the sender's default feedback window
            lookback_days (int): `canary: auto` samples a campaign larger than the most mail the project sent in one day
                over this many days
            sample_max (int): largest sample
            sample_min (int): smallest sample; a campaign of no more recipients than this has no canary
            sample_percent (float): share of the recipients sent first as the random sample, in percent
            window_seconds (int): feedback window of this project's campaigns that set none of their own
            window_source (CanaryPolicyOutWindowSource): project (the project's `canary_window_seconds` setting) | default
                (the sender's)
    """

    default_window_seconds: int
    lookback_days: int
    sample_max: int
    sample_min: int
    sample_percent: float
    window_seconds: int
    window_source: CanaryPolicyOutWindowSource
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        default_window_seconds = self.default_window_seconds

        lookback_days = self.lookback_days

        sample_max = self.sample_max

        sample_min = self.sample_min

        sample_percent = self.sample_percent

        window_seconds = self.window_seconds

        window_source = self.window_source.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "default_window_seconds": default_window_seconds,
                "lookback_days": lookback_days,
                "sample_max": sample_max,
                "sample_min": sample_min,
                "sample_percent": sample_percent,
                "window_seconds": window_seconds,
                "window_source": window_source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        default_window_seconds = d.pop("default_window_seconds")

        lookback_days = d.pop("lookback_days")

        sample_max = d.pop("sample_max")

        sample_min = d.pop("sample_min")

        sample_percent = d.pop("sample_percent")

        window_seconds = d.pop("window_seconds")

        window_source = CanaryPolicyOutWindowSource(d.pop("window_source"))

        canary_policy_out = cls(
            default_window_seconds=default_window_seconds,
            lookback_days=lookback_days,
            sample_max=sample_max,
            sample_min=sample_min,
            sample_percent=sample_percent,
            window_seconds=window_seconds,
            window_source=window_source,
        )

        canary_policy_out.additional_properties = d
        return canary_policy_out

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
