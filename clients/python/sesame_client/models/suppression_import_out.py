from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.suppression_import_row_error import SuppressionImportRowError


T = TypeVar("T", bound="SuppressionImportOut")


@_attrs_define
class SuppressionImportOut:
    """
    Attributes:
        added (int): addresses newly suppressed
        errors (list[SuppressionImportRowError]): the refused rows, at most 1000
        existing (int): good addresses (each counted once) that were suppressed already
        failed (int): rows refused (bad address or unknown reason)
        rows (int): data rows read
    """

    added: int
    errors: list[SuppressionImportRowError]
    existing: int
    failed: int
    rows: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        added = self.added

        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)

        existing = self.existing

        failed = self.failed

        rows = self.rows

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "added": added,
                "errors": errors,
                "existing": existing,
                "failed": failed,
                "rows": rows,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.suppression_import_row_error import SuppressionImportRowError  # noqa: PLC0415

        d = dict(src_dict)
        added = d.pop("added")

        errors = []
        _errors = d.pop("errors")
        for errors_item_data in _errors:
            errors_item = SuppressionImportRowError.from_dict(errors_item_data)

            errors.append(errors_item)

        existing = d.pop("existing")

        failed = d.pop("failed")

        rows = d.pop("rows")

        suppression_import_out = cls(
            added=added,
            errors=errors,
            existing=existing,
            failed=failed,
            rows=rows,
        )

        suppression_import_out.additional_properties = d
        return suppression_import_out

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
