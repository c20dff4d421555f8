from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RemovalOut")


@_attrs_define
class RemovalOut:
    """A removed suppression, as the removal log keeps it.

    Attributes:
        email (None | str): null once the contact was erased
        email_hash (str): SHA-256 (hex) of the normalised address: what stays of an erased contact
        id (int):
        reason (str): the removed suppression's reason
        removed_at (str): ISO 8601, UTC
        removed_by (str): `removed_by` of the request, else the caller the gateway named (console user), else `api`
        suppressed_at (str): when the address had been suppressed
        why (str):
    """

    email: None | str
    email_hash: str
    id: int
    reason: str
    removed_at: str
    removed_by: str
    suppressed_at: str
    why: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email: None | str
        email = self.email

        email_hash = self.email_hash

        id = self.id

        reason = self.reason

        removed_at = self.removed_at

        removed_by = self.removed_by

        suppressed_at = self.suppressed_at

        why = self.why

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "email_hash": email_hash,
                "id": id,
                "reason": reason,
                "removed_at": removed_at,
                "removed_by": removed_by,
                "suppressed_at": suppressed_at,
                "why": why,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        email_hash = d.pop("email_hash")

        id = d.pop("id")

        reason = d.pop("reason")

        removed_at = d.pop("removed_at")

        removed_by = d.pop("removed_by")

        suppressed_at = d.pop("suppressed_at")

        why = d.pop("why")

        removal_out = cls(
            email=email,
            email_hash=email_hash,
            id=id,
            reason=reason,
            removed_at=removed_at,
            removed_by=removed_by,
            suppressed_at=suppressed_at,
            why=why,
        )

        removal_out.additional_properties = d
        return removal_out

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
