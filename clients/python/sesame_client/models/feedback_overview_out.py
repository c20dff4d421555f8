from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.feedback_subscription import FeedbackSubscription
    from ..models.loop_run_out import LoopRunOut


T = TypeVar("T", bound="FeedbackOverviewOut")


@_attrs_define
class FeedbackOverviewOut:
    """
    Attributes:
        connected_at (None | str):
        last_feedback_at (None | str): when the newest bounce/complaint/delivery arrived
        last_feedback_type (None | str):
        last_loop (LoopRunOut | None):
        sent_last_window (int): mails sent in the last `window_hours`
        stall_alerted_at (None | str):
        stalled (bool): mail went out but no feedback came back in the window
        subscriptions (list[FeedbackSubscription]):
        window_hours (float):
    """

    connected_at: None | str
    last_feedback_at: None | str
    last_feedback_type: None | str
    last_loop: LoopRunOut | None
    sent_last_window: int
    stall_alerted_at: None | str
    stalled: bool
    subscriptions: list[FeedbackSubscription]
    window_hours: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.loop_run_out import LoopRunOut  # noqa: PLC0415

        connected_at: None | str
        connected_at = self.connected_at

        last_feedback_at: None | str
        last_feedback_at = self.last_feedback_at

        last_feedback_type: None | str
        last_feedback_type = self.last_feedback_type

        last_loop: dict[str, Any] | None
        if isinstance(self.last_loop, LoopRunOut):
            last_loop = self.last_loop.to_dict()
        else:
            last_loop = self.last_loop

        sent_last_window = self.sent_last_window

        stall_alerted_at: None | str
        stall_alerted_at = self.stall_alerted_at

        stalled = self.stalled

        subscriptions = []
        for subscriptions_item_data in self.subscriptions:
            subscriptions_item = subscriptions_item_data.to_dict()
            subscriptions.append(subscriptions_item)

        window_hours = self.window_hours

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "connected_at": connected_at,
                "last_feedback_at": last_feedback_at,
                "last_feedback_type": last_feedback_type,
                "last_loop": last_loop,
                "sent_last_window": sent_last_window,
                "stall_alerted_at": stall_alerted_at,
                "stalled": stalled,
                "subscriptions": subscriptions,
                "window_hours": window_hours,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.feedback_subscription import FeedbackSubscription  # noqa: PLC0415
        from ..models.loop_run_out import LoopRunOut  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_connected_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        connected_at = _parse_connected_at(d.pop("connected_at"))

        def _parse_last_feedback_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_feedback_at = _parse_last_feedback_at(d.pop("last_feedback_at"))

        def _parse_last_feedback_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_feedback_type = _parse_last_feedback_type(d.pop("last_feedback_type"))

        def _parse_last_loop(data: object) -> LoopRunOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_loop_type_0 = LoopRunOut.from_dict(data)

                return last_loop_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LoopRunOut | None, data)

        last_loop = _parse_last_loop(d.pop("last_loop"))

        sent_last_window = d.pop("sent_last_window")

        def _parse_stall_alerted_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        stall_alerted_at = _parse_stall_alerted_at(d.pop("stall_alerted_at"))

        stalled = d.pop("stalled")

        subscriptions = []
        _subscriptions = d.pop("subscriptions")
        for subscriptions_item_data in _subscriptions:
            subscriptions_item = FeedbackSubscription.from_dict(subscriptions_item_data)

            subscriptions.append(subscriptions_item)

        window_hours = d.pop("window_hours")

        feedback_overview_out = cls(
            connected_at=connected_at,
            last_feedback_at=last_feedback_at,
            last_feedback_type=last_feedback_type,
            last_loop=last_loop,
            sent_last_window=sent_last_window,
            stall_alerted_at=stall_alerted_at,
            stalled=stalled,
            subscriptions=subscriptions,
            window_hours=window_hours,
        )

        feedback_overview_out.additional_properties = d
        return feedback_overview_out

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
