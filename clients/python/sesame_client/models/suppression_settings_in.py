from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SuppressionSettingsIn")


@_attrs_define
class SuppressionSettingsIn:
    """
    Attributes:
        push (bool):
    """

    push: bool

    def to_dict(self) -> dict[str, Any]:
        push = self.push

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "push": push,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        push = d.pop("push")

        suppression_settings_in = cls(
            push=push,
        )

        return suppression_settings_in
