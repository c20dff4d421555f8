from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrackingSettings")


@_attrs_define
class TrackingSettings:
    """Open / click tracking of marketing mail through SES (campaigns may override; transactional: never).

    Attributes:
        clicks (bool | Unset):  Default: True.
        opens (bool | Unset):  Default: True.
    """

    clicks: bool | Unset = True
    opens: bool | Unset = True

    def to_dict(self) -> dict[str, Any]:
        clicks = self.clicks

        opens = self.opens

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if clicks is not UNSET:
            field_dict["clicks"] = clicks
        if opens is not UNSET:
            field_dict["opens"] = opens

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        clicks = d.pop("clicks", UNSET)

        opens = d.pop("opens", UNSET)

        tracking_settings = cls(
            clicks=clicks,
            opens=opens,
        )

        return tracking_settings
