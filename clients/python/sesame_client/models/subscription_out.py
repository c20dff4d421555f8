from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SubscriptionOut")


@_attrs_define
class SubscriptionOut:
    """
    Attributes:
        confirmation_sent_at (None | str): last confirmation mail requested
        confirmed_at (None | str):
        consent_source (None | str): how consent was obtained when not by double opt-in
        contact_id (int):
        created_at (str): ISO 8601, UTC
        email (None | str): null once the contact was erased
        id (int):
        list_id (int):
        paused_until (None | str):
        status (str): pending | active | paused | unsubscribed
        updated_at (str): ISO 8601, UTC
    """

    confirmation_sent_at: None | str
    confirmed_at: None | str
    consent_source: None | str
    contact_id: int
    created_at: str
    email: None | str
    id: int
    list_id: int
    paused_until: None | str
    status: str
    updated_at: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        confirmation_sent_at: None | str
        confirmation_sent_at = self.confirmation_sent_at

        confirmed_at: None | str
        confirmed_at = self.confirmed_at

        consent_source: None | str
        consent_source = self.consent_source

        contact_id = self.contact_id

        created_at = self.created_at

        email: None | str
        email = self.email

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
                "confirmation_sent_at": confirmation_sent_at,
                "confirmed_at": confirmed_at,
                "consent_source": consent_source,
                "contact_id": contact_id,
                "created_at": created_at,
                "email": email,
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

        def _parse_confirmation_sent_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        confirmation_sent_at = _parse_confirmation_sent_at(d.pop("confirmation_sent_at"))

        def _parse_confirmed_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        confirmed_at = _parse_confirmed_at(d.pop("confirmed_at"))

        def _parse_consent_source(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        consent_source = _parse_consent_source(d.pop("consent_source"))

        contact_id = d.pop("contact_id")

        created_at = d.pop("created_at")

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        id = d.pop("id")

        list_id = d.pop("list_id")

        def _parse_paused_until(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        paused_until = _parse_paused_until(d.pop("paused_until"))

        status = d.pop("status")

        updated_at = d.pop("updated_at")

        subscription_out = cls(
            confirmation_sent_at=confirmation_sent_at,
            confirmed_at=confirmed_at,
            consent_source=consent_source,
            contact_id=contact_id,
            created_at=created_at,
            email=email,
            id=id,
            list_id=list_id,
            paused_until=paused_until,
            status=status,
            updated_at=updated_at,
        )

        subscription_out.additional_properties = d
        return subscription_out

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
