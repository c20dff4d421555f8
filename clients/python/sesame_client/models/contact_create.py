from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contact_create_attributes import ContactCreateAttributes


T = TypeVar("T", bound="ContactCreate")


@_attrs_define
class ContactCreate:
    """
    Attributes:
        email (str):
        attributes (ContactCreateAttributes | Unset):
    """

    email: str
    attributes: ContactCreateAttributes | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:

        email = self.email

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
            }
        )
        if attributes is not UNSET:
            field_dict["attributes"] = attributes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.contact_create_attributes import ContactCreateAttributes  # noqa: PLC0415

        d = dict(src_dict)
        email = d.pop("email")

        _attributes = d.pop("attributes", UNSET)
        attributes: ContactCreateAttributes | Unset
        if isinstance(_attributes, Unset):
            attributes = UNSET
        else:
            attributes = ContactCreateAttributes.from_dict(_attributes)

        contact_create = cls(
            email=email,
            attributes=attributes,
        )

        return contact_create
