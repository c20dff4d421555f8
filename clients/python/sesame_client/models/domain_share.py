from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.domain_count import DomainCount


T = TypeVar("T", bound="DomainShare")


@_attrs_define
class DomainShare:
    """
    Attributes:
        count (int):
        share (float): of the rows read, 0..1
        top_domains (list[DomainCount]): the ten most frequent
    """

    count: int
    share: float
    top_domains: list[DomainCount]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        count = self.count

        share = self.share

        top_domains = []
        for top_domains_item_data in self.top_domains:
            top_domains_item = top_domains_item_data.to_dict()
            top_domains.append(top_domains_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "count": count,
                "share": share,
                "top_domains": top_domains,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.domain_count import DomainCount  # noqa: PLC0415

        d = dict(src_dict)
        count = d.pop("count")

        share = d.pop("share")

        top_domains = []
        _top_domains = d.pop("top_domains")
        for top_domains_item_data in _top_domains:
            top_domains_item = DomainCount.from_dict(top_domains_item_data)

            top_domains.append(top_domains_item)

        domain_share = cls(
            count=count,
            share=share,
            top_domains=top_domains,
        )

        domain_share.additional_properties = d
        return domain_share

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
