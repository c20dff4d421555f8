from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ContactEngagementOut")


@_attrs_define
class ContactEngagementOut:
    """
    Attributes:
        campaigns_received (int):
        clicked (int):
        contact_id (int):
        delivered (int):
        last_clicked_at (datetime.datetime | None):
        last_delivered_at (datetime.datetime | None):
        last_opened_at (datetime.datetime | None):
        opened (int):
    """

    campaigns_received: int
    clicked: int
    contact_id: int
    delivered: int
    last_clicked_at: datetime.datetime | None
    last_delivered_at: datetime.datetime | None
    last_opened_at: datetime.datetime | None
    opened: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        campaigns_received = self.campaigns_received

        clicked = self.clicked

        contact_id = self.contact_id

        delivered = self.delivered

        last_clicked_at: None | str
        if isinstance(self.last_clicked_at, datetime.datetime):
            last_clicked_at = self.last_clicked_at.isoformat()
        else:
            last_clicked_at = self.last_clicked_at

        last_delivered_at: None | str
        if isinstance(self.last_delivered_at, datetime.datetime):
            last_delivered_at = self.last_delivered_at.isoformat()
        else:
            last_delivered_at = self.last_delivered_at

        last_opened_at: None | str
        if isinstance(self.last_opened_at, datetime.datetime):
            last_opened_at = self.last_opened_at.isoformat()
        else:
            last_opened_at = self.last_opened_at

        opened = self.opened

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "campaigns_received": campaigns_received,
                "clicked": clicked,
                "contact_id": contact_id,
                "delivered": delivered,
                "last_clicked_at": last_clicked_at,
                "last_delivered_at": last_delivered_at,
                "last_opened_at": last_opened_at,
                "opened": opened,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        campaigns_received = d.pop("campaigns_received")

        clicked = d.pop("clicked")

        contact_id = d.pop("contact_id")

        delivered = d.pop("delivered")

        def _parse_last_clicked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_clicked_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_clicked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_clicked_at = _parse_last_clicked_at(d.pop("last_clicked_at"))

        def _parse_last_delivered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_delivered_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_delivered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_delivered_at = _parse_last_delivered_at(d.pop("last_delivered_at"))

        def _parse_last_opened_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_opened_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_opened_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_opened_at = _parse_last_opened_at(d.pop("last_opened_at"))

        opened = d.pop("opened")

        contact_engagement_out = cls(
            campaigns_received=campaigns_received,
            clicked=clicked,
            contact_id=contact_id,
            delivered=delivered,
            last_clicked_at=last_clicked_at,
            last_delivered_at=last_delivered_at,
            last_opened_at=last_opened_at,
            opened=opened,
        )

        contact_engagement_out.additional_properties = d
        return contact_engagement_out

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
