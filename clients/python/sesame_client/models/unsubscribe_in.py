from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.unsubscribe_in_source import UnsubscribeInSource
from ..types import UNSET, Unset

T = TypeVar("T", bound="UnsubscribeIn")


@_attrs_define
class UnsubscribeIn:
    """
    Attributes:
        source (UnsubscribeInSource | Unset):  Default: UnsubscribeInSource.LINK.
    """

    source: UnsubscribeInSource | Unset = UnsubscribeInSource.LINK
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        source: str | Unset = UNSET
        if not isinstance(self.source, Unset):
            source = self.source.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if source is not UNSET:
            field_dict["source"] = source

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _source = d.pop("source", UNSET)
        source: UnsubscribeInSource | Unset
        if isinstance(_source, Unset):
            source = UNSET
        else:
            source = UnsubscribeInSource(_source)

        unsubscribe_in = cls(
            source=source,
        )

        unsubscribe_in.additional_properties = d
        return unsubscribe_in

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
