from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contact_patch_attributes import ContactPatchAttributes


T = TypeVar("T", bound="ContactPatch")


@_attrs_define
class ContactPatch:
    """`attributes` are merged into the stored ones; a null value removes that attribute.

    Attributes:
        attributes (ContactPatchAttributes | Unset):
    """

    attributes: ContactPatchAttributes | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if attributes is not UNSET:
            field_dict["attributes"] = attributes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.contact_patch_attributes import ContactPatchAttributes  # noqa: PLC0415

        d = dict(src_dict)
        _attributes = d.pop("attributes", UNSET)
        attributes: ContactPatchAttributes | Unset
        if isinstance(_attributes, Unset):
            attributes = UNSET
        else:
            attributes = ContactPatchAttributes.from_dict(_attributes)

        contact_patch = cls(
            attributes=attributes,
        )

        return contact_patch
