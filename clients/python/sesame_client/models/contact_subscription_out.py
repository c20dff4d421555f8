from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ContactSubscriptionOut")


@_attrs_define
class ContactSubscriptionOut:
    """One of a contact's subscriptions, as its contact's detail shows it.

    Attributes:
        consent_source (None | str): how the address consented, as the form, import or API call recorded it
        created_at (str): ISO 8601, UTC
        id (int):
        list_id (int):
        paused_until (None | str): a paused subscription resumes at this time
        status (str): pending | active | paused | unsubscribed
        updated_at (str): ISO 8601, UTC
    """

    consent_source: None | str
    created_at: str
    id: int
    list_id: int
    paused_until: None | str
    status: str
    updated_at: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        consent_source: None | str
        consent_source = self.consent_source

        created_at = self.created_at

        id = self.id

        list_id = self.list_id

        paused_until: None | str
        paused_until = self.paused_until

        status = self.status

        updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "consent_source": consent_source,
                "created_at": created_at,
                "id": id,
                "list_id": list_id,
                "paused_until": paused_until,
                "status": status,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_consent_source(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        consent_source = _parse_consent_source(d.pop("consent_source"))

        created_at = d.pop("created_at")

        id = d.pop("id")

        list_id = d.pop("list_id")

        def _parse_paused_until(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        paused_until = _parse_paused_until(d.pop("paused_until"))

        status = d.pop("status")

        updated_at = d.pop("updated_at")

        contact_subscription_out = cls(
            consent_source=consent_source,
            created_at=created_at,
            id=id,
            list_id=list_id,
            paused_until=paused_until,
            status=status,
            updated_at=updated_at,
        )

        contact_subscription_out.additional_properties = d
        return contact_subscription_out

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
