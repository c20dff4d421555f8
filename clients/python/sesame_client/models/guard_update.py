from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.guard_update_digest_type_0 import GuardUpdateDigestType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="GuardUpdate")


@_attrs_define
class GuardUpdate:
    """
    Attributes:
        digest (GuardUpdateDigestType0 | None | Unset):
        pause_bounce_rate (float | None | Unset):
        pause_complaint_rate (float | None | Unset):
        pause_transactional (bool | None | Unset):
        soft_bounce_threshold (int | None | Unset):
        soft_bounce_window_days (int | None | Unset):
        warn_bounce_rate (float | None | Unset):
        warn_complaint_rate (float | None | Unset):
    """

    digest: GuardUpdateDigestType0 | None | Unset = UNSET
    pause_bounce_rate: float | None | Unset = UNSET
    pause_complaint_rate: float | None | Unset = UNSET
    pause_transactional: bool | None | Unset = UNSET
    soft_bounce_threshold: int | None | Unset = UNSET
    soft_bounce_window_days: int | None | Unset = UNSET
    warn_bounce_rate: float | None | Unset = UNSET
    warn_complaint_rate: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        digest: None | str | Unset
        if isinstance(self.digest, Unset):
            digest = UNSET
        elif isinstance(self.digest, GuardUpdateDigestType0):
            digest = self.digest.value
        else:
            digest = self.digest

        pause_bounce_rate: float | None | Unset
        if isinstance(self.pause_bounce_rate, Unset):
            pause_bounce_rate = UNSET
        else:
            pause_bounce_rate = self.pause_bounce_rate

        pause_complaint_rate: float | None | Unset
        if isinstance(self.pause_complaint_rate, Unset):
            pause_complaint_rate = UNSET
        else:
            pause_complaint_rate = self.pause_complaint_rate

        pause_transactional: bool | None | Unset
        if isinstance(self.pause_transactional, Unset):
            pause_transactional = UNSET
        else:
            pause_transactional = self.pause_transactional

        soft_bounce_threshold: int | None | Unset
        if isinstance(self.soft_bounce_threshold, Unset):
            soft_bounce_threshold = UNSET
        else:
            soft_bounce_threshold = self.soft_bounce_threshold

        soft_bounce_window_days: int | None | Unset
        if isinstance(self.soft_bounce_window_days, Unset):
            soft_bounce_window_days = UNSET
        else:
            soft_bounce_window_days = self.soft_bounce_window_days

        warn_bounce_rate: float | None | Unset
        if isinstance(self.warn_bounce_rate, Unset):
            warn_bounce_rate = UNSET
        else:
            warn_bounce_rate = self.warn_bounce_rate

        warn_complaint_rate: float | None | Unset
        if isinstance(self.warn_complaint_rate, Unset):
            warn_complaint_rate = UNSET
        else:
            warn_complaint_rate = self.warn_complaint_rate

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if digest is not UNSET:
            field_dict["digest"] = digest
        if pause_bounce_rate is not UNSET:
            field_dict["pause_bounce_rate"] = pause_bounce_rate
        if pause_complaint_rate is not UNSET:
            field_dict["pause_complaint_rate"] = pause_complaint_rate
        if pause_transactional is not UNSET:
            field_dict["pause_transactional"] = pause_transactional
        if soft_bounce_threshold is not UNSET:
            field_dict["soft_bounce_threshold"] = soft_bounce_threshold
        if soft_bounce_window_days is not UNSET:
            field_dict["soft_bounce_window_days"] = soft_bounce_window_days
        if warn_bounce_rate is not UNSET:
            field_dict["warn_bounce_rate"] = warn_bounce_rate
        if warn_complaint_rate is not UNSET:
            field_dict["warn_complaint_rate"] = warn_complaint_rate

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_digest(data: object) -> GuardUpdateDigestType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                digest_type_0 = GuardUpdateDigestType0(data)

                return digest_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GuardUpdateDigestType0 | None | Unset, data)

        digest = _parse_digest(d.pop("digest", UNSET))

        def _parse_pause_bounce_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        pause_bounce_rate = _parse_pause_bounce_rate(d.pop("pause_bounce_rate", UNSET))

        def _parse_pause_complaint_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        pause_complaint_rate = _parse_pause_complaint_rate(d.pop("pause_complaint_rate", UNSET))

        def _parse_pause_transactional(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        pause_transactional = _parse_pause_transactional(d.pop("pause_transactional", UNSET))

        def _parse_soft_bounce_threshold(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        soft_bounce_threshold = _parse_soft_bounce_threshold(d.pop("soft_bounce_threshold", UNSET))

        def _parse_soft_bounce_window_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        soft_bounce_window_days = _parse_soft_bounce_window_days(d.pop("soft_bounce_window_days", UNSET))

        def _parse_warn_bounce_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        warn_bounce_rate = _parse_warn_bounce_rate(d.pop("warn_bounce_rate", UNSET))

        def _parse_warn_complaint_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        warn_complaint_rate = _parse_warn_complaint_rate(d.pop("warn_complaint_rate", UNSET))

        guard_update = cls(
            digest=digest,
            pause_bounce_rate=pause_bounce_rate,
            pause_complaint_rate=pause_complaint_rate,
            pause_transactional=pause_transactional,
            soft_bounce_threshold=soft_bounce_threshold,
            soft_bounce_window_days=soft_bounce_window_days,
            warn_bounce_rate=warn_bounce_rate,
            warn_complaint_rate=warn_complaint_rate,
        )

        return guard_update
