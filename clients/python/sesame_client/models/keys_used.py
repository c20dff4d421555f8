from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.keys_used_used import KeysUsedUsed


T = TypeVar("T", bound="KeysUsed")


@_attrs_define
class KeysUsed:
    """The gateway's report of API keys it authenticated: key id → when last (timezone-aware).

    Attributes:
        used (KeysUsedUsed):
    """

    used: KeysUsedUsed

    def to_dict(self) -> dict[str, Any]:

        used = self.used.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "used": used,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.keys_used_used import KeysUsedUsed  # noqa: PLC0415

        d = dict(src_dict)
        used = KeysUsedUsed.from_dict(d.pop("used"))

        keys_used = cls(
            used=used,
        )

        return keys_used
