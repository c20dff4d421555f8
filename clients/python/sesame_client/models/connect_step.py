from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConnectStep")


@_attrs_define
class ConnectStep:
    """
    Attributes:
        detail (str):
        fix (None | str):
        item (str):
        status (str): ok | created | repaired | pending | drift | failed | info
        tracking (bool | Unset): about the open/click tracking sets Default: False.
    """

    detail: str
    fix: None | str
    item: str
    status: str
    tracking: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        detail = self.detail

        fix: None | str
        fix = self.fix

        item = self.item

        status = self.status

        tracking = self.tracking

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "detail": detail,
                "fix": fix,
                "item": item,
                "status": status,
            }
        )
        if tracking is not UNSET:
            field_dict["tracking"] = tracking

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        detail = d.pop("detail")

        def _parse_fix(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        fix = _parse_fix(d.pop("fix"))

        item = d.pop("item")

        status = d.pop("status")

        tracking = d.pop("tracking", UNSET)

        connect_step = cls(
            detail=detail,
            fix=fix,
            item=item,
            status=status,
            tracking=tracking,
        )

        connect_step.additional_properties = d
        return connect_step

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
