from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ChangeOut")


@_attrs_define
class ChangeOut:
    """One status change of a subscription (the consent history).

    Attributes:
        at (str): ISO 8601, UTC
        campaign_id (int | None): the campaign whose mail led to the change (unsubscribes)
        contact_id (int):
        detail (None | str):
        id (int):
        list_id (int):
        message_id (int | None): the message whose link or feedback led to the change
        previous_status (None | str): null for the subscription's first status
        source (str): api | form | confirmation | preferences | one_click | link | bounce | complaint | import | system
            | sunset
        status (str): pending | active | paused | unsubscribed
        subscription_id (int):
    """

    at: str
    campaign_id: int | None
    contact_id: int
    detail: None | str
    id: int
    list_id: int
    message_id: int | None
    previous_status: None | str
    source: str
    status: str
    subscription_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at

        campaign_id: int | None
        campaign_id = self.campaign_id

        contact_id = self.contact_id

        detail: None | str
        detail = self.detail

        id = self.id

        list_id = self.list_id

        message_id: int | None
        message_id = self.message_id

        previous_status: None | str
        previous_status = self.previous_status

        source = self.source

        status = self.status

        subscription_id = self.subscription_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "campaign_id": campaign_id,
                "contact_id": contact_id,
                "detail": detail,
                "id": id,
                "list_id": list_id,
                "message_id": message_id,
                "previous_status": previous_status,
                "source": source,
                "status": status,
                "subscription_id": subscription_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = d.pop("at")

        def _parse_campaign_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        campaign_id = _parse_campaign_id(d.pop("campaign_id"))

        contact_id = d.pop("contact_id")

        def _parse_detail(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        detail = _parse_detail(d.pop("detail"))

        id = d.pop("id")

        list_id = d.pop("list_id")

        def _parse_message_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        message_id = _parse_message_id(d.pop("message_id"))

        def _parse_previous_status(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous_status = _parse_previous_status(d.pop("previous_status"))

        source = d.pop("source")

        status = d.pop("status")

        subscription_id = d.pop("subscription_id")

        change_out = cls(
            at=at,
            campaign_id=campaign_id,
            contact_id=contact_id,
            detail=detail,
            id=id,
            list_id=list_id,
            message_id=message_id,
            previous_status=previous_status,
            source=source,
            status=status,
            subscription_id=subscription_id,
        )

        change_out.additional_properties = d
        return change_out

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
