from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReputationBucketOut")


@_attrs_define
class ReputationBucketOut:
    """
    Attributes:
        complaints (int):
        delivered (int):
        hard_bounces (int):
        hour (str): start of the hour (UTC)
        rejects (int):
        sent (int):
        soft_bounces (int):
    """

    complaints: int
    delivered: int
    hard_bounces: int
    hour: str
    rejects: int
    sent: int
    soft_bounces: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        complaints = self.complaints

        delivered = self.delivered

        hard_bounces = self.hard_bounces

        hour = self.hour

        rejects = self.rejects

        sent = self.sent

        soft_bounces = self.soft_bounces

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "complaints": complaints,
                "delivered": delivered,
                "hard_bounces": hard_bounces,
                "hour": hour,
                "rejects": rejects,
                "sent": sent,
                "soft_bounces": soft_bounces,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        complaints = d.pop("complaints")

        delivered = d.pop("delivered")

        hard_bounces = d.pop("hard_bounces")

        hour = d.pop("hour")

        rejects = d.pop("rejects")

        sent = d.pop("sent")

        soft_bounces = d.pop("soft_bounces")

        reputation_bucket_out = cls(
            complaints=complaints,
            delivered=delivered,
            hard_bounces=hard_bounces,
            hour=hour,
            rejects=rejects,
            sent=sent,
            soft_bounces=soft_bounces,
        )

        reputation_bucket_out.additional_properties = d
        return reputation_bucket_out

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
