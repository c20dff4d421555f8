from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SuppressionRemove")


@_attrs_define
class SuppressionRemove:
    """
    Attributes:
        why (str):
        removed_by (None | str | Unset):
    """

    why: str
    removed_by: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        why = self.why

        removed_by: None | str | Unset
        if isinstance(self.removed_by, Unset):
            removed_by = UNSET
        else:
            removed_by = self.removed_by

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "why": why,
            }
        )
        if removed_by is not UNSET:
            field_dict["removed_by"] = removed_by

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        why = d.pop("why")

        def _parse_removed_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        removed_by = _parse_removed_by(d.pop("removed_by", UNSET))

        suppression_remove = cls(
            why=why,
            removed_by=removed_by,
        )

        return suppression_remove
