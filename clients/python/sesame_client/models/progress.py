from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.progress_counts import ProgressCounts
    from ..models.progress_feedback import ProgressFeedback


T = TypeVar("T", bound="Progress")


@_attrs_define
class Progress:
    """
    Attributes:
        counts (ProgressCounts): messages per state
        feedback (ProgressFeedback): messages per feedback
        total (int):
    """

    counts: ProgressCounts
    feedback: ProgressFeedback
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        counts = self.counts.to_dict()

        feedback = self.feedback.to_dict()

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "counts": counts,
                "feedback": feedback,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.progress_counts import ProgressCounts  # noqa: PLC0415
        from ..models.progress_feedback import ProgressFeedback  # noqa: PLC0415

        d = dict(src_dict)
        counts = ProgressCounts.from_dict(d.pop("counts"))

        feedback = ProgressFeedback.from_dict(d.pop("feedback"))

        total = d.pop("total")

        progress = cls(
            counts=counts,
            feedback=feedback,
            total=total,
        )

        progress.additional_properties = d
        return progress

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
