from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.canary_sample import CanarySample


T = TypeVar("T", bound="CanaryOut")


@_attrs_define
class CanaryOut:
    """
    Attributes:
        mode (str): auto | on | off
        reason (None | str):
        size (int): recipients in the random sample sent first
        state (None | str): null (no canary) | sampling | waiting | released | held
        until (None | str): when the feedback window ends
        window_seconds (int | None): the campaign's own feedback window (null: the project's)
        sample (CanarySample | None | Unset): the sample's figures while the rest is held
    """

    mode: str
    reason: None | str
    size: int
    state: None | str
    until: None | str
    window_seconds: int | None
    sample: CanarySample | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.canary_sample import CanarySample  # noqa: PLC0415

        mode = self.mode

        reason: None | str
        reason = self.reason

        size = self.size

        state: None | str
        state = self.state

        until: None | str
        until = self.until

        window_seconds: int | None
        window_seconds = self.window_seconds

        sample: dict[str, Any] | None | Unset
        if isinstance(self.sample, Unset):
            sample = UNSET
        elif isinstance(self.sample, CanarySample):
            sample = self.sample.to_dict()
        else:
            sample = self.sample

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "mode": mode,
                "reason": reason,
                "size": size,
                "state": state,
                "until": until,
                "window_seconds": window_seconds,
            }
        )
        if sample is not UNSET:
            field_dict["sample"] = sample

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.canary_sample import CanarySample  # noqa: PLC0415

        d = dict(src_dict)
        mode = d.pop("mode")

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        size = d.pop("size")

        def _parse_state(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        state = _parse_state(d.pop("state"))

        def _parse_until(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        until = _parse_until(d.pop("until"))

        def _parse_window_seconds(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        window_seconds = _parse_window_seconds(d.pop("window_seconds"))

        def _parse_sample(data: object) -> CanarySample | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                sample_type_0 = CanarySample.from_dict(data)

                return sample_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CanarySample | None | Unset, data)

        sample = _parse_sample(d.pop("sample", UNSET))

        canary_out = cls(
            mode=mode,
            reason=reason,
            size=size,
            state=state,
            until=until,
            window_seconds=window_seconds,
            sample=sample,
        )

        canary_out.additional_properties = d
        return canary_out

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
