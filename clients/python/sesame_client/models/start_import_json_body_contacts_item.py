from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.start_import_json_body_contacts_item_attributes import (
        StartImportJsonBodyContactsItemAttributes,
    )


T = TypeVar("T", bound="StartImportJsonBodyContactsItem")


@_attrs_define
class StartImportJsonBodyContactsItem:
    """
    Attributes:
        email (str):
        attributes (StartImportJsonBodyContactsItemAttributes | Unset):
    """

    email: str
    attributes: StartImportJsonBodyContactsItemAttributes | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        email = self.email

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
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
        from ..models.start_import_json_body_contacts_item_attributes import (
            StartImportJsonBodyContactsItemAttributes,
        )  # noqa: PLC0415

        d = dict(src_dict)
        email = d.pop("email")

        _attributes = d.pop("attributes", UNSET)
        attributes: StartImportJsonBodyContactsItemAttributes | Unset
        if isinstance(_attributes, Unset):
            attributes = UNSET
        else:
            attributes = StartImportJsonBodyContactsItemAttributes.from_dict(_attributes)

        start_import_json_body_contacts_item = cls(
            email=email,
            attributes=attributes,
        )

        start_import_json_body_contacts_item.additional_properties = d
        return start_import_json_body_contacts_item

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
