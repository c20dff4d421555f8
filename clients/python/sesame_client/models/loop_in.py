from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="LoopIn")


@_attrs_define
class LoopIn:
    """
    Attributes:
        wait (bool | Unset):  Default: False.
        wait_seconds (float | Unset):  Default: 120.0.
    """

    wait: bool | Unset = False
    wait_seconds: float | Unset = 120.0

    def to_dict(self) -> dict[str, Any]:
        wait = self.wait

        wait_seconds = self.wait_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if wait is not UNSET:
            field_dict["wait"] = wait
        if wait_seconds is not UNSET:
            field_dict["wait_seconds"] = wait_seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        wait = d.pop("wait", UNSET)

        wait_seconds = d.pop("wait_seconds", UNSET)

        loop_in = cls(
            wait=wait,
            wait_seconds=wait_seconds,
        )

        return loop_in
