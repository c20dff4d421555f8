from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SuppressionSyncOut")


@_attrs_define
class SuppressionSyncOut:
    """One sync of the SES account-level suppression list with Sesame's (counts of addresses).

    Attributes:
        deferred (int): remote changes left for the next run (cap or error)
        error (None | str):
        imported (int): taken from SES into Sesame
        pushed (int): written to the SES list (push enabled)
        removed_in_ses (int):
        removed_in_sesame (int):
        ses_count (int): addresses on the SES account list
        sesame_count (int): bounce/complaint suppressions in Sesame
        still_on_ses (int): removed in Sesame, but SES keeps blocking them (push off)
    """

    deferred: int
    error: None | str
    imported: int
    pushed: int
    removed_in_ses: int
    removed_in_sesame: int
    ses_count: int
    sesame_count: int
    still_on_ses: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        deferred = self.deferred

        error: None | str
        error = self.error

        imported = self.imported

        pushed = self.pushed

        removed_in_ses = self.removed_in_ses

        removed_in_sesame = self.removed_in_sesame

        ses_count = self.ses_count

        sesame_count = self.sesame_count

        still_on_ses = self.still_on_ses

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "deferred": deferred,
                "error": error,
                "imported": imported,
                "pushed": pushed,
                "removed_in_ses": removed_in_ses,
                "removed_in_sesame": removed_in_sesame,
                "ses_count": ses_count,
                "sesame_count": sesame_count,
                "still_on_ses": still_on_ses,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        deferred = d.pop("deferred")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        imported = d.pop("imported")

        pushed = d.pop("pushed")

        removed_in_ses = d.pop("removed_in_ses")

        removed_in_sesame = d.pop("removed_in_sesame")

        ses_count = d.pop("ses_count")

        sesame_count = d.pop("sesame_count")

        still_on_ses = d.pop("still_on_ses")

        suppression_sync_out = cls(
            deferred=deferred,
            error=error,
            imported=imported,
            pushed=pushed,
            removed_in_ses=removed_in_ses,
            removed_in_sesame=removed_in_sesame,
            ses_count=ses_count,
            sesame_count=sesame_count,
            still_on_ses=still_on_ses,
        )

        suppression_sync_out.additional_properties = d
        return suppression_sync_out

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
