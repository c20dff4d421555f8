from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DecisionOut")


@_attrs_define
class DecisionOut:
    """
    Attributes:
        decided_at (None | str):
        decided_by (None | str):
        hold_reason (None | str):
        id (int):
        status (str):
        contacts_removed (int | Unset):  Default: 0.
        subscriptions_removed (int | Unset):  Default: 0.
    """

    decided_at: None | str
    decided_by: None | str
    hold_reason: None | str
    id: int
    status: str
    contacts_removed: int | Unset = 0
    subscriptions_removed: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        decided_at: None | str
        decided_at = self.decided_at

        decided_by: None | str
        decided_by = self.decided_by

        hold_reason: None | str
        hold_reason = self.hold_reason

        id = self.id

        status = self.status

        contacts_removed = self.contacts_removed

        subscriptions_removed = self.subscriptions_removed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "decided_at": decided_at,
                "decided_by": decided_by,
                "hold_reason": hold_reason,
                "id": id,
                "status": status,
            }
        )
        if contacts_removed is not UNSET:
            field_dict["contacts_removed"] = contacts_removed
        if subscriptions_removed is not UNSET:
            field_dict["subscriptions_removed"] = subscriptions_removed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_decided_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decided_at = _parse_decided_at(d.pop("decided_at"))

        def _parse_decided_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decided_by = _parse_decided_by(d.pop("decided_by"))

        def _parse_hold_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        hold_reason = _parse_hold_reason(d.pop("hold_reason"))

        id = d.pop("id")

        status = d.pop("status")

        contacts_removed = d.pop("contacts_removed", UNSET)

        subscriptions_removed = d.pop("subscriptions_removed", UNSET)

        decision_out = cls(
            decided_at=decided_at,
            decided_by=decided_by,
            hold_reason=hold_reason,
            id=id,
            status=status,
            contacts_removed=contacts_removed,
            subscriptions_removed=subscriptions_removed,
        )

        decision_out.additional_properties = d
        return decision_out

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
