from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DnsScreening")


@_attrs_define
class DnsScreening:
    """
    Attributes:
        checked (int): domains looked up with an answer
        domains (int): distinct domains in the import
        note (None | str): why domains were skipped, or that the checks are off
        rows_skipped (int): rows whose domain could not be checked (not counted as risky)
    """

    checked: int
    domains: int
    note: None | str
    rows_skipped: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checked = self.checked

        domains = self.domains

        note: None | str
        note = self.note

        rows_skipped = self.rows_skipped

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checked": checked,
                "domains": domains,
                "note": note,
                "rows_skipped": rows_skipped,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        checked = d.pop("checked")

        domains = d.pop("domains")

        def _parse_note(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        note = _parse_note(d.pop("note"))

        rows_skipped = d.pop("rows_skipped")

        dns_screening = cls(
            checked=checked,
            domains=domains,
            note=note,
            rows_skipped=rows_skipped,
        )

        dns_screening.additional_properties = d
        return dns_screening

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
