from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.source_row import SourceRow
    from ..models.sources_out_thresholds import SourcesOutThresholds


T = TypeVar("T", bound="SourcesOut")


@_attrs_define
class SourcesOut:
    """
    Attributes:
        sources (list[SourceRow]):
        thresholds (SourcesOutThresholds):
    """

    sources: list[SourceRow]
    thresholds: SourcesOutThresholds
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        sources = []
        for sources_item_data in self.sources:
            sources_item = sources_item_data.to_dict()
            sources.append(sources_item)

        thresholds = self.thresholds.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sources": sources,
                "thresholds": thresholds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.source_row import SourceRow  # noqa: PLC0415
        from ..models.sources_out_thresholds import SourcesOutThresholds  # noqa: PLC0415

        d = dict(src_dict)
        sources = []
        _sources = d.pop("sources")
        for sources_item_data in _sources:
            sources_item = SourceRow.from_dict(sources_item_data)

            sources.append(sources_item)

        thresholds = SourcesOutThresholds.from_dict(d.pop("thresholds"))

        sources_out = cls(
            sources=sources,
            thresholds=thresholds,
        )

        sources_out.additional_properties = d
        return sources_out

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
