from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.guard_assessment import GuardAssessment
    from ..models.guard_policy import GuardPolicy
    from ..models.guard_thresholds import GuardThresholds


T = TypeVar("T", bound="GuardOut")


@_attrs_define
class GuardOut:
    """
    Attributes:
        crossings (int): threshold crossings so far (one owner mail each)
        current (GuardAssessment):
        guard_since (None | str): rates count from here (the last resume)
        min_volume (int):
        pause_transactional (bool): a pause also holds transactional mail
        policy (GuardPolicy):
        reason (None | str): why the state last changed
        resumed_by (None | str):
        state (str): ok | warning | paused (only an explicit resume leaves paused)
        state_changed_at (None | str):
        thresholds (GuardThresholds): The effective thresholds (the project's own, else the service defaults), as
            fractions of sent mail.
    """

    crossings: int
    current: GuardAssessment
    guard_since: None | str
    min_volume: int
    pause_transactional: bool
    policy: GuardPolicy
    reason: None | str
    resumed_by: None | str
    state: str
    state_changed_at: None | str
    thresholds: GuardThresholds
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        crossings = self.crossings

        current = self.current.to_dict()

        guard_since: None | str
        guard_since = self.guard_since

        min_volume = self.min_volume

        pause_transactional = self.pause_transactional

        policy = self.policy.to_dict()

        reason: None | str
        reason = self.reason

        resumed_by: None | str
        resumed_by = self.resumed_by

        state = self.state

        state_changed_at: None | str
        state_changed_at = self.state_changed_at

        thresholds = self.thresholds.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "crossings": crossings,
                "current": current,
                "guard_since": guard_since,
                "min_volume": min_volume,
                "pause_transactional": pause_transactional,
                "policy": policy,
                "reason": reason,
                "resumed_by": resumed_by,
                "state": state,
                "state_changed_at": state_changed_at,
                "thresholds": thresholds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.guard_assessment import GuardAssessment  # noqa: PLC0415
        from ..models.guard_policy import GuardPolicy  # noqa: PLC0415
        from ..models.guard_thresholds import GuardThresholds  # noqa: PLC0415

        d = dict(src_dict)
        crossings = d.pop("crossings")

        current = GuardAssessment.from_dict(d.pop("current"))

        def _parse_guard_since(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        guard_since = _parse_guard_since(d.pop("guard_since"))

        min_volume = d.pop("min_volume")

        pause_transactional = d.pop("pause_transactional")

        policy = GuardPolicy.from_dict(d.pop("policy"))

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        def _parse_resumed_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        resumed_by = _parse_resumed_by(d.pop("resumed_by"))

        state = d.pop("state")

        def _parse_state_changed_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        state_changed_at = _parse_state_changed_at(d.pop("state_changed_at"))

        thresholds = GuardThresholds.from_dict(d.pop("thresholds"))

        guard_out = cls(
            crossings=crossings,
            current=current,
            guard_since=guard_since,
            min_volume=min_volume,
            pause_transactional=pause_transactional,
            policy=policy,
            reason=reason,
            resumed_by=resumed_by,
            state=state,
            state_changed_at=state_changed_at,
            thresholds=thresholds,
        )

        guard_out.additional_properties = d
        return guard_out

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
