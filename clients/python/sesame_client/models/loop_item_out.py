from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LoopItemOut")


@_attrs_define
class LoopItemOut:
    """
    Attributes:
        address (str):
        detail (None | str):
        expect (str): delivery | bounce | complaint
        feedback_at (None | str):
        idempotency_key (str):
        message_id (int | None):
        seconds (float | None): from sending to the feedback's arrival
        sent_at (None | str):
        state (str): requested | sent | failed | received | timeout
    """

    address: str
    detail: None | str
    expect: str
    feedback_at: None | str
    idempotency_key: str
    message_id: int | None
    seconds: float | None
    sent_at: None | str
    state: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        address = self.address

        detail: None | str
        detail = self.detail

        expect = self.expect

        feedback_at: None | str
        feedback_at = self.feedback_at

        idempotency_key = self.idempotency_key

        message_id: int | None
        message_id = self.message_id

        seconds: float | None
        seconds = self.seconds

        sent_at: None | str
        sent_at = self.sent_at

        state = self.state

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "address": address,
                "detail": detail,
                "expect": expect,
                "feedback_at": feedback_at,
                "idempotency_key": idempotency_key,
                "message_id": message_id,
                "seconds": seconds,
                "sent_at": sent_at,
                "state": state,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        address = d.pop("address")

        def _parse_detail(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        detail = _parse_detail(d.pop("detail"))

        expect = d.pop("expect")

        def _parse_feedback_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        feedback_at = _parse_feedback_at(d.pop("feedback_at"))

        idempotency_key = d.pop("idempotency_key")

        def _parse_message_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        message_id = _parse_message_id(d.pop("message_id"))

        def _parse_seconds(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        seconds = _parse_seconds(d.pop("seconds"))

        def _parse_sent_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sent_at = _parse_sent_at(d.pop("sent_at"))

        state = d.pop("state")

        loop_item_out = cls(
            address=address,
            detail=detail,
            expect=expect,
            feedback_at=feedback_at,
            idempotency_key=idempotency_key,
            message_id=message_id,
            seconds=seconds,
            sent_at=sent_at,
            state=state,
        )

        loop_item_out.additional_properties = d
        return loop_item_out

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
