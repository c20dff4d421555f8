from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.event_out_detail_type_0 import EventOutDetailType0


T = TypeVar("T", bound="EventOut")


@_attrs_define
class EventOut:
    """
    Attributes:
        bounce_subtype (None | str):
        bounce_type (None | str):
        counted (bool | None):
        detail (EventOutDetailType0 | list[Any] | None | str): the notification's own details, as SES sent them
        diagnostic (None | str):
        email (None | str): null once the contact was erased
        feedback_type (None | str):
        id (int):
        message_id (int | None):
        occurred_at (str):
        received_at (str):
        ses_message_id (None | str):
        soft_bounce (bool | None):
        suppressed (bool | None):
        type_ (str): send | reject | bounce | complaint | delivery | delivery_delay | open | click | …
    """

    bounce_subtype: None | str
    bounce_type: None | str
    counted: bool | None
    detail: EventOutDetailType0 | list[Any] | None | str
    diagnostic: None | str
    email: None | str
    feedback_type: None | str
    id: int
    message_id: int | None
    occurred_at: str
    received_at: str
    ses_message_id: None | str
    soft_bounce: bool | None
    suppressed: bool | None
    type_: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.event_out_detail_type_0 import EventOutDetailType0  # noqa: PLC0415

        bounce_subtype: None | str
        bounce_subtype = self.bounce_subtype

        bounce_type: None | str
        bounce_type = self.bounce_type

        counted: bool | None
        counted = self.counted

        detail: dict[str, Any] | list[Any] | None | str
        if isinstance(self.detail, EventOutDetailType0):
            detail = self.detail.to_dict()
        elif isinstance(self.detail, list):
            detail = self.detail

        else:
            detail = self.detail

        diagnostic: None | str
        diagnostic = self.diagnostic

        email: None | str
        email = self.email

        feedback_type: None | str
        feedback_type = self.feedback_type

        id = self.id

        message_id: int | None
        message_id = self.message_id

        occurred_at = self.occurred_at

        received_at = self.received_at

        ses_message_id: None | str
        ses_message_id = self.ses_message_id

        soft_bounce: bool | None
        soft_bounce = self.soft_bounce

        suppressed: bool | None
        suppressed = self.suppressed

        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bounce_subtype": bounce_subtype,
                "bounce_type": bounce_type,
                "counted": counted,
                "detail": detail,
                "diagnostic": diagnostic,
                "email": email,
                "feedback_type": feedback_type,
                "id": id,
                "message_id": message_id,
                "occurred_at": occurred_at,
                "received_at": received_at,
                "ses_message_id": ses_message_id,
                "soft_bounce": soft_bounce,
                "suppressed": suppressed,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_out_detail_type_0 import EventOutDetailType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_bounce_subtype(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        bounce_subtype = _parse_bounce_subtype(d.pop("bounce_subtype"))

        def _parse_bounce_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        bounce_type = _parse_bounce_type(d.pop("bounce_type"))

        def _parse_counted(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        counted = _parse_counted(d.pop("counted"))

        def _parse_detail(data: object) -> EventOutDetailType0 | list[Any] | None | str:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                detail_type_0 = EventOutDetailType0.from_dict(data)

                return detail_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                detail_type_1 = cast(list[Any], data)

                return detail_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EventOutDetailType0 | list[Any] | None | str, data)

        detail = _parse_detail(d.pop("detail"))

        def _parse_diagnostic(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        diagnostic = _parse_diagnostic(d.pop("diagnostic"))

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        def _parse_feedback_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        feedback_type = _parse_feedback_type(d.pop("feedback_type"))

        id = d.pop("id")

        def _parse_message_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        message_id = _parse_message_id(d.pop("message_id"))

        occurred_at = d.pop("occurred_at")

        received_at = d.pop("received_at")

        def _parse_ses_message_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        ses_message_id = _parse_ses_message_id(d.pop("ses_message_id"))

        def _parse_soft_bounce(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        soft_bounce = _parse_soft_bounce(d.pop("soft_bounce"))

        def _parse_suppressed(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        suppressed = _parse_suppressed(d.pop("suppressed"))

        type_ = d.pop("type")

        event_out = cls(
            bounce_subtype=bounce_subtype,
            bounce_type=bounce_type,
            counted=counted,
            detail=detail,
            diagnostic=diagnostic,
            email=email,
            feedback_type=feedback_type,
            id=id,
            message_id=message_id,
            occurred_at=occurred_at,
            received_at=received_at,
            ses_message_id=ses_message_id,
            soft_bounce=soft_bounce,
            suppressed=suppressed,
            type_=type_,
        )

        event_out.additional_properties = d
        return event_out

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
