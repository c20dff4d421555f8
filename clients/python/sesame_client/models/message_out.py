from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MessageOut")


@_attrs_define
class MessageOut:
    """
    Attributes:
        attempts (int):
        campaign_id (int | None):
        contact_id (int | None):
        created_at (None | str):
        feedback (None | str): delivered | bounced | complained | rejected, the strongest seen
        id (int):
        kind (str): transactional | marketing | notification
        last_error (None | str):
        send_after (None | str):
        sent_at (None | str):
        ses_message_id (None | str):
        state (str): queued | sending | sent | failed | suppressed | delayed | cancelled | held
        template_id (int | None):
        to (str):
    """

    attempts: int
    campaign_id: int | None
    contact_id: int | None
    created_at: None | str
    feedback: None | str
    id: int
    kind: str
    last_error: None | str
    send_after: None | str
    sent_at: None | str
    ses_message_id: None | str
    state: str
    template_id: int | None
    to: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        campaign_id: int | None
        campaign_id = self.campaign_id

        contact_id: int | None
        contact_id = self.contact_id

        created_at: None | str
        created_at = self.created_at

        feedback: None | str
        feedback = self.feedback

        id = self.id

        kind = self.kind

        last_error: None | str
        last_error = self.last_error

        send_after: None | str
        send_after = self.send_after

        sent_at: None | str
        sent_at = self.sent_at

        ses_message_id: None | str
        ses_message_id = self.ses_message_id

        state = self.state

        template_id: int | None
        template_id = self.template_id

        to = self.to

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "campaign_id": campaign_id,
                "contact_id": contact_id,
                "created_at": created_at,
                "feedback": feedback,
                "id": id,
                "kind": kind,
                "last_error": last_error,
                "send_after": send_after,
                "sent_at": sent_at,
                "ses_message_id": ses_message_id,
                "state": state,
                "template_id": template_id,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempts = d.pop("attempts")

        def _parse_campaign_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        campaign_id = _parse_campaign_id(d.pop("campaign_id"))

        def _parse_contact_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        contact_id = _parse_contact_id(d.pop("contact_id"))

        def _parse_created_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        created_at = _parse_created_at(d.pop("created_at"))

        def _parse_feedback(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        feedback = _parse_feedback(d.pop("feedback"))

        id = d.pop("id")

        kind = d.pop("kind")

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        def _parse_send_after(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        send_after = _parse_send_after(d.pop("send_after"))

        def _parse_sent_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sent_at = _parse_sent_at(d.pop("sent_at"))

        def _parse_ses_message_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        ses_message_id = _parse_ses_message_id(d.pop("ses_message_id"))

        state = d.pop("state")

        def _parse_template_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        template_id = _parse_template_id(d.pop("template_id"))

        to = d.pop("to")

        message_out = cls(
            attempts=attempts,
            campaign_id=campaign_id,
            contact_id=contact_id,
            created_at=created_at,
            feedback=feedback,
            id=id,
            kind=kind,
            last_error=last_error,
            send_after=send_after,
            sent_at=sent_at,
            ses_message_id=ses_message_id,
            state=state,
            template_id=template_id,
            to=to,
        )

        message_out.additional_properties = d
        return message_out

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
