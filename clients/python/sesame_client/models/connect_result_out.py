from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.aws_call_out import AwsCallOut
    from ..models.connect_result_out_subscriptions import ConnectResultOutSubscriptions
    from ..models.connect_result_out_topics import ConnectResultOutTopics
    from ..models.connect_result_out_tracking_sets import ConnectResultOutTrackingSets
    from ..models.connect_step import ConnectStep


T = TypeVar("T", bound="ConnectResultOut")


@_attrs_define
class ConnectResultOut:
    """
    Attributes:
        calls (list[AwsCallOut]): every AWS call made, in order
        configuration_set (None | str):
        dry_run (bool):
        identity (str):
        mode (str): configuration_set | identity
        mutating_calls (int):
        ok (bool): no step failed, pending or drifting
        steps (list[ConnectStep]):
        subscriptions (ConnectResultOutSubscriptions): the webhook's SNS subscription ARN per feedback kind
        topics (ConnectResultOutTopics): SNS topic ARN per feedback kind
        webhook_url (str):
        tracking_sets (ConnectResultOutTrackingSets | Unset): the open/click tracking sets in place, by purpose
    """

    calls: list[AwsCallOut]
    configuration_set: None | str
    dry_run: bool
    identity: str
    mode: str
    mutating_calls: int
    ok: bool
    steps: list[ConnectStep]
    subscriptions: ConnectResultOutSubscriptions
    topics: ConnectResultOutTopics
    webhook_url: str
    tracking_sets: ConnectResultOutTrackingSets | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        calls = []
        for calls_item_data in self.calls:
            calls_item = calls_item_data.to_dict()
            calls.append(calls_item)

        configuration_set: None | str
        configuration_set = self.configuration_set

        dry_run = self.dry_run

        identity = self.identity

        mode = self.mode

        mutating_calls = self.mutating_calls

        ok = self.ok

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        subscriptions = self.subscriptions.to_dict()

        topics = self.topics.to_dict()

        webhook_url = self.webhook_url

        tracking_sets: dict[str, Any] | Unset = UNSET
        if not isinstance(self.tracking_sets, Unset):
            tracking_sets = self.tracking_sets.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "calls": calls,
                "configuration_set": configuration_set,
                "dry_run": dry_run,
                "identity": identity,
                "mode": mode,
                "mutating_calls": mutating_calls,
                "ok": ok,
                "steps": steps,
                "subscriptions": subscriptions,
                "topics": topics,
                "webhook_url": webhook_url,
            }
        )
        if tracking_sets is not UNSET:
            field_dict["tracking_sets"] = tracking_sets

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.aws_call_out import AwsCallOut  # noqa: PLC0415
        from ..models.connect_result_out_subscriptions import ConnectResultOutSubscriptions  # noqa: PLC0415
        from ..models.connect_result_out_topics import ConnectResultOutTopics  # noqa: PLC0415
        from ..models.connect_result_out_tracking_sets import ConnectResultOutTrackingSets  # noqa: PLC0415
        from ..models.connect_step import ConnectStep  # noqa: PLC0415

        d = dict(src_dict)
        calls = []
        _calls = d.pop("calls")
        for calls_item_data in _calls:
            calls_item = AwsCallOut.from_dict(calls_item_data)

            calls.append(calls_item)

        def _parse_configuration_set(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        configuration_set = _parse_configuration_set(d.pop("configuration_set"))

        dry_run = d.pop("dry_run")

        identity = d.pop("identity")

        mode = d.pop("mode")

        mutating_calls = d.pop("mutating_calls")

        ok = d.pop("ok")

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = ConnectStep.from_dict(steps_item_data)

            steps.append(steps_item)

        subscriptions = ConnectResultOutSubscriptions.from_dict(d.pop("subscriptions"))

        topics = ConnectResultOutTopics.from_dict(d.pop("topics"))

        webhook_url = d.pop("webhook_url")

        _tracking_sets = d.pop("tracking_sets", UNSET)
        tracking_sets: ConnectResultOutTrackingSets | Unset
        if isinstance(_tracking_sets, Unset):
            tracking_sets = UNSET
        else:
            tracking_sets = ConnectResultOutTrackingSets.from_dict(_tracking_sets)

        connect_result_out = cls(
            calls=calls,
            configuration_set=configuration_set,
            dry_run=dry_run,
            identity=identity,
            mode=mode,
            mutating_calls=mutating_calls,
            ok=ok,
            steps=steps,
            subscriptions=subscriptions,
            topics=topics,
            webhook_url=webhook_url,
            tracking_sets=tracking_sets,
        )

        connect_result_out.additional_properties = d
        return connect_result_out

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
