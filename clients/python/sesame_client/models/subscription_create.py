from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.subscription_create_status_type_0 import SubscriptionCreateStatusType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.subscription_create_attributes import SubscriptionCreateAttributes


T = TypeVar("T", bound="SubscriptionCreate")


@_attrs_define
class SubscriptionCreate:
    """
    Attributes:
        list_id (int):
        attributes (SubscriptionCreateAttributes | Unset):
        consent_source (None | str | Unset):
        contact_id (int | None | Unset):
        email (None | str | Unset):
        status (None | SubscriptionCreateStatusType0 | Unset):
    """

    list_id: int
    attributes: SubscriptionCreateAttributes | Unset = UNSET
    consent_source: None | str | Unset = UNSET
    contact_id: int | None | Unset = UNSET
    email: None | str | Unset = UNSET
    status: None | SubscriptionCreateStatusType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:

        list_id = self.list_id

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        consent_source: None | str | Unset
        if isinstance(self.consent_source, Unset):
            consent_source = UNSET
        else:
            consent_source = self.consent_source

        contact_id: int | None | Unset
        if isinstance(self.contact_id, Unset):
            contact_id = UNSET
        else:
            contact_id = self.contact_id

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, SubscriptionCreateStatusType0):
            status = self.status.value
        else:
            status = self.status

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "list_id": list_id,
            }
        )
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if consent_source is not UNSET:
            field_dict["consent_source"] = consent_source
        if contact_id is not UNSET:
            field_dict["contact_id"] = contact_id
        if email is not UNSET:
            field_dict["email"] = email
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.subscription_create_attributes import SubscriptionCreateAttributes  # noqa: PLC0415

        d = dict(src_dict)
        list_id = d.pop("list_id")

        _attributes = d.pop("attributes", UNSET)
        attributes: SubscriptionCreateAttributes | Unset
        if isinstance(_attributes, Unset):
            attributes = UNSET
        else:
            attributes = SubscriptionCreateAttributes.from_dict(_attributes)

        def _parse_consent_source(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        consent_source = _parse_consent_source(d.pop("consent_source", UNSET))

        def _parse_contact_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        contact_id = _parse_contact_id(d.pop("contact_id", UNSET))

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        def _parse_status(data: object) -> None | SubscriptionCreateStatusType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = SubscriptionCreateStatusType0(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SubscriptionCreateStatusType0 | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        subscription_create = cls(
            list_id=list_id,
            attributes=attributes,
            consent_source=consent_source,
            contact_id=contact_id,
            email=email,
            status=status,
        )

        return subscription_create
