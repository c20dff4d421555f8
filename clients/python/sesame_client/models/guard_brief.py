from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.guard_thresholds import GuardThresholds


T = TypeVar("T", bound="GuardBrief")


@_attrs_define
class GuardBrief:
    """
    Attributes:
        state (str): ok | warning | paused
        thresholds (GuardThresholds): The effective thresholds (the project's own, else the service defaults), as
            fractions of sent mail.
    """

    state: str
    thresholds: GuardThresholds
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        state = self.state

        thresholds = self.thresholds.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "state": state,
                "thresholds": thresholds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.guard_thresholds import GuardThresholds  # noqa: PLC0415

        d = dict(src_dict)
        state = d.pop("state")

        thresholds = GuardThresholds.from_dict(d.pop("thresholds"))

        guard_brief = cls(
            state=state,
            thresholds=thresholds,
        )

        guard_brief.additional_properties = d
        return guard_brief

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
