from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.point_resolution import PointResolution

T = TypeVar("T", bound="Point")


@_attrs_define
class Point:
    """
    Attributes:
        at (datetime.datetime):
        bounced (int):
        clicked (int):
        complained (int):
        delivered (int):
        opened (int):
        resolution (PointResolution):
        unsubscribed (int):
    """

    at: datetime.datetime
    bounced: int
    clicked: int
    complained: int
    delivered: int
    opened: int
    resolution: PointResolution
    unsubscribed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        bounced = self.bounced

        clicked = self.clicked

        complained = self.complained

        delivered = self.delivered

        opened = self.opened

        resolution = self.resolution.value

        unsubscribed = self.unsubscribed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "bounced": bounced,
                "clicked": clicked,
                "complained": complained,
                "delivered": delivered,
                "opened": opened,
                "resolution": resolution,
                "unsubscribed": unsubscribed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        bounced = d.pop("bounced")

        clicked = d.pop("clicked")

        complained = d.pop("complained")

        delivered = d.pop("delivered")

        opened = d.pop("opened")

        resolution = PointResolution(d.pop("resolution"))

        unsubscribed = d.pop("unsubscribed")

        point = cls(
            at=at,
            bounced=bounced,
            clicked=clicked,
            complained=complained,
            delivered=delivered,
            opened=opened,
            resolution=resolution,
            unsubscribed=unsubscribed,
        )

        point.additional_properties = d
        return point

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
