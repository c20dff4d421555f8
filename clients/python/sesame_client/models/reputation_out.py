from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.guard_brief import GuardBrief
    from ..models.reputation_out_windows import ReputationOutWindows
    from ..models.reputation_series import ReputationSeries


T = TypeVar("T", bound="ReputationOut")


@_attrs_define
class ReputationOut:
    """
    Attributes:
        guard (GuardBrief):
        min_volume (int): sends a window needs before it has a rate
        project_id (int):
        windows (ReputationOutWindows): rolling rates per window (`24h`, `7d`)
        series (None | ReputationSeries | Unset): hourly buckets, only with `?series=`
    """

    guard: GuardBrief
    min_volume: int
    project_id: int
    windows: ReputationOutWindows
    series: None | ReputationSeries | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.reputation_series import ReputationSeries  # noqa: PLC0415

        guard = self.guard.to_dict()

        min_volume = self.min_volume

        project_id = self.project_id

        windows = self.windows.to_dict()

        series: dict[str, Any] | None | Unset
        if isinstance(self.series, Unset):
            series = UNSET
        elif isinstance(self.series, ReputationSeries):
            series = self.series.to_dict()
        else:
            series = self.series

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "guard": guard,
                "min_volume": min_volume,
                "project_id": project_id,
                "windows": windows,
            }
        )
        if series is not UNSET:
            field_dict["series"] = series

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.guard_brief import GuardBrief  # noqa: PLC0415
        from ..models.reputation_out_windows import ReputationOutWindows  # noqa: PLC0415
        from ..models.reputation_series import ReputationSeries  # noqa: PLC0415

        d = dict(src_dict)
        guard = GuardBrief.from_dict(d.pop("guard"))

        min_volume = d.pop("min_volume")

        project_id = d.pop("project_id")

        windows = ReputationOutWindows.from_dict(d.pop("windows"))

        def _parse_series(data: object) -> None | ReputationSeries | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                series_type_0 = ReputationSeries.from_dict(data)

                return series_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReputationSeries | Unset, data)

        series = _parse_series(d.pop("series", UNSET))

        reputation_out = cls(
            guard=guard,
            min_volume=min_volume,
            project_id=project_id,
            windows=windows,
            series=series,
        )

        reputation_out.additional_properties = d
        return reputation_out

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
