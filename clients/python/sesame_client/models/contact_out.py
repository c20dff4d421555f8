from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.contact_out_attributes import ContactOutAttributes


T = TypeVar("T", bound="ContactOut")


@_attrs_define
class ContactOut:
    """A contact as listings and updates answer it (without its subscriptions).

    Attributes:
        attributes (ContactOutAttributes): free-form JSON the templates can use (`{{ first_name }}`); emptied by erasure
        created_at (str): ISO 8601, UTC
        email (None | str): normalised address; null once the contact was erased
        erased_at (None | str): when the contact was erased (GDPR); null while it is not
        id (int):
        updated_at (str): ISO 8601, UTC
    """

    attributes: ContactOutAttributes
    created_at: str
    email: None | str
    erased_at: None | str
    id: int
    updated_at: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        attributes = self.attributes.to_dict()

        created_at = self.created_at

        email: None | str
        email = self.email

        erased_at: None | str
        erased_at = self.erased_at

        id = self.id

        updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attributes": attributes,
                "created_at": created_at,
                "email": email,
                "erased_at": erased_at,
                "id": id,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.contact_out_attributes import ContactOutAttributes  # noqa: PLC0415

        d = dict(src_dict)
        attributes = ContactOutAttributes.from_dict(d.pop("attributes"))

        created_at = d.pop("created_at")

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        def _parse_erased_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        erased_at = _parse_erased_at(d.pop("erased_at"))

        id = d.pop("id")

        updated_at = d.pop("updated_at")

        contact_out = cls(
            attributes=attributes,
            created_at=created_at,
            email=email,
            erased_at=erased_at,
            id=id,
            updated_at=updated_at,
        )

        contact_out.additional_properties = d
        return contact_out

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
