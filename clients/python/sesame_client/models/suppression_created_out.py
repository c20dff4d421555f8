from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SuppressionCreatedOut")


@_attrs_define
class SuppressionCreatedOut:
    """
    Attributes:
        created (bool): false when the address was suppressed already (answered 200, unchanged)
        created_at (str): ISO 8601, UTC
        detail (None | str):
        email (None | str): null once the contact was erased (the hash keeps it suppressed)
        email_hash (str): SHA-256 (hex) of the normalised address: what stays of an erased contact
        id (int):
        reason (str): hard_bounce | soft_bounce | complaint | manual | ses_suppression | unsubscribed_all
        source_event (None | str): what suppressed it: api, csv_import, the SES feedback's id …
    """

    created: bool
    created_at: str
    detail: None | str
    email: None | str
    email_hash: str
    id: int
    reason: str
    source_event: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created = self.created

        created_at = self.created_at

        detail: None | str
        detail = self.detail

        email: None | str
        email = self.email

        email_hash = self.email_hash

        id = self.id

        reason = self.reason

        source_event: None | str
        source_event = self.source_event

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created": created,
                "created_at": created_at,
                "detail": detail,
                "email": email,
                "email_hash": email_hash,
                "id": id,
                "reason": reason,
                "source_event": source_event,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created = d.pop("created")

        created_at = d.pop("created_at")

        def _parse_detail(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        detail = _parse_detail(d.pop("detail"))

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        email_hash = d.pop("email_hash")

        id = d.pop("id")

        reason = d.pop("reason")

        def _parse_source_event(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        source_event = _parse_source_event(d.pop("source_event"))

        suppression_created_out = cls(
            created=created,
            created_at=created_at,
            detail=detail,
            email=email,
            email_hash=email_hash,
            id=id,
            reason=reason,
            source_event=source_event,
        )

        suppression_created_out.additional_properties = d
        return suppression_created_out

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
