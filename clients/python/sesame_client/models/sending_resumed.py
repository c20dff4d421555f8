from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.sending_quota import SendingQuota
    from ..models.waiting_counts import WaitingCounts


T = TypeVar("T", bound="SendingResumed")


@_attrs_define
class SendingResumed:
    """
    Attributes:
        marketing_paused (bool):
        mode (str): ses | sandbox (no SES account: mail is captured)
        pause_detail (None | str):
        pause_reason (None | str):
        quota (None | SendingQuota): null in sandbox mode
        resumed_at (str):
        transactional_paused (bool):
        waiting (WaitingCounts):
    """

    marketing_paused: bool
    mode: str
    pause_detail: None | str
    pause_reason: None | str
    quota: None | SendingQuota
    resumed_at: str
    transactional_paused: bool
    waiting: WaitingCounts
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.sending_quota import SendingQuota  # noqa: PLC0415

        marketing_paused = self.marketing_paused

        mode = self.mode

        pause_detail: None | str
        pause_detail = self.pause_detail

        pause_reason: None | str
        pause_reason = self.pause_reason

        quota: dict[str, Any] | None
        if isinstance(self.quota, SendingQuota):
            quota = self.quota.to_dict()
        else:
            quota = self.quota

        resumed_at = self.resumed_at

        transactional_paused = self.transactional_paused

        waiting = self.waiting.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "marketing_paused": marketing_paused,
                "mode": mode,
                "pause_detail": pause_detail,
                "pause_reason": pause_reason,
                "quota": quota,
                "resumed_at": resumed_at,
                "transactional_paused": transactional_paused,
                "waiting": waiting,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sending_quota import SendingQuota  # noqa: PLC0415
        from ..models.waiting_counts import WaitingCounts  # noqa: PLC0415

        d = dict(src_dict)
        marketing_paused = d.pop("marketing_paused")

        mode = d.pop("mode")

        def _parse_pause_detail(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        pause_detail = _parse_pause_detail(d.pop("pause_detail"))

        def _parse_pause_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        pause_reason = _parse_pause_reason(d.pop("pause_reason"))

        def _parse_quota(data: object) -> None | SendingQuota:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quota_type_0 = SendingQuota.from_dict(data)

                return quota_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SendingQuota, data)

        quota = _parse_quota(d.pop("quota"))

        resumed_at = d.pop("resumed_at")

        transactional_paused = d.pop("transactional_paused")

        waiting = WaitingCounts.from_dict(d.pop("waiting"))

        sending_resumed = cls(
            marketing_paused=marketing_paused,
            mode=mode,
            pause_detail=pause_detail,
            pause_reason=pause_reason,
            quota=quota,
            resumed_at=resumed_at,
            transactional_paused=transactional_paused,
            waiting=waiting,
        )

        sending_resumed.additional_properties = d
        return sending_resumed

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
