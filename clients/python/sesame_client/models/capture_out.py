from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CaptureOut")


@_attrs_define
class CaptureOut:
    """
    Attributes:
        campaign_id (int | None):
        created_at (None | str):
        from_ (None | str):
        id (int):
        kind (None | str):
        message_id (int | None):
        ses_message_id (None | str):
        simulator_outcome (None | str):
        subject (None | str):
        to (str):
        raw (None | str | Unset): the whole MIME message (GET one only)
    """

    campaign_id: int | None
    created_at: None | str
    from_: None | str
    id: int
    kind: None | str
    message_id: int | None
    ses_message_id: None | str
    simulator_outcome: None | str
    subject: None | str
    to: str
    raw: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        campaign_id: int | None
        campaign_id = self.campaign_id

        created_at: None | str
        created_at = self.created_at

        from_: None | str
        from_ = self.from_

        id = self.id

        kind: None | str
        kind = self.kind

        message_id: int | None
        message_id = self.message_id

        ses_message_id: None | str
        ses_message_id = self.ses_message_id

        simulator_outcome: None | str
        simulator_outcome = self.simulator_outcome

        subject: None | str
        subject = self.subject

        to = self.to

        raw: None | str | Unset
        if isinstance(self.raw, Unset):
            raw = UNSET
        else:
            raw = self.raw

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "campaign_id": campaign_id,
                "created_at": created_at,
                "from": from_,
                "id": id,
                "kind": kind,
                "message_id": message_id,
                "ses_message_id": ses_message_id,
                "simulator_outcome": simulator_outcome,
                "subject": subject,
                "to": to,
            }
        )
        if raw is not UNSET:
            field_dict["raw"] = raw

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_campaign_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        campaign_id = _parse_campaign_id(d.pop("campaign_id"))

        def _parse_created_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        created_at = _parse_created_at(d.pop("created_at"))

        def _parse_from_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        from_ = _parse_from_(d.pop("from"))

        id = d.pop("id")

        def _parse_kind(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        kind = _parse_kind(d.pop("kind"))

        def _parse_message_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        message_id = _parse_message_id(d.pop("message_id"))

        def _parse_ses_message_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        ses_message_id = _parse_ses_message_id(d.pop("ses_message_id"))

        def _parse_simulator_outcome(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        simulator_outcome = _parse_simulator_outcome(d.pop("simulator_outcome"))

        def _parse_subject(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        subject = _parse_subject(d.pop("subject"))

        to = d.pop("to")

        def _parse_raw(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        raw = _parse_raw(d.pop("raw", UNSET))

        capture_out = cls(
            campaign_id=campaign_id,
            created_at=created_at,
            from_=from_,
            id=id,
            kind=kind,
            message_id=message_id,
            ses_message_id=ses_message_id,
            simulator_outcome=simulator_outcome,
            subject=subject,
            to=to,
            raw=raw,
        )

        capture_out.additional_properties = d
        return capture_out

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
