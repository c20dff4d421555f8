from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.send_request_headers import SendRequestHeaders
    from ..models.send_request_variables import SendRequestVariables


T = TypeVar("T", bound="SendRequest")


@_attrs_define
class SendRequest:
    """
    Attributes:
        to (str):
        contact_id (int | None | Unset):
        from_ (None | str | Unset):
        headers (SendRequestHeaders | Unset):
        html (None | str | Unset):
        subject (None | str | Unset):
        template_id (int | None | Unset):
        text (None | str | Unset):
        track_clicks (bool | Unset):  Default: False.
        track_opens (bool | Unset):  Default: False.
        variables (SendRequestVariables | Unset):
    """

    to: str
    contact_id: int | None | Unset = UNSET
    from_: None | str | Unset = UNSET
    headers: SendRequestHeaders | Unset = UNSET
    html: None | str | Unset = UNSET
    subject: None | str | Unset = UNSET
    template_id: int | None | Unset = UNSET
    text: None | str | Unset = UNSET
    track_clicks: bool | Unset = False
    track_opens: bool | Unset = False
    variables: SendRequestVariables | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        to = self.to

        contact_id: int | None | Unset
        if isinstance(self.contact_id, Unset):
            contact_id = UNSET
        else:
            contact_id = self.contact_id

        from_: None | str | Unset
        if isinstance(self.from_, Unset):
            from_ = UNSET
        else:
            from_ = self.from_

        headers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.headers, Unset):
            headers = self.headers.to_dict()

        html: None | str | Unset
        if isinstance(self.html, Unset):
            html = UNSET
        else:
            html = self.html

        subject: None | str | Unset
        if isinstance(self.subject, Unset):
            subject = UNSET
        else:
            subject = self.subject

        template_id: int | None | Unset
        if isinstance(self.template_id, Unset):
            template_id = UNSET
        else:
            template_id = self.template_id

        text: None | str | Unset
        if isinstance(self.text, Unset):
            text = UNSET
        else:
            text = self.text

        track_clicks = self.track_clicks

        track_opens = self.track_opens

        variables: dict[str, Any] | Unset = UNSET
        if not isinstance(self.variables, Unset):
            variables = self.variables.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "to": to,
            }
        )
        if contact_id is not UNSET:
            field_dict["contact_id"] = contact_id
        if from_ is not UNSET:
            field_dict["from"] = from_
        if headers is not UNSET:
            field_dict["headers"] = headers
        if html is not UNSET:
            field_dict["html"] = html
        if subject is not UNSET:
            field_dict["subject"] = subject
        if template_id is not UNSET:
            field_dict["template_id"] = template_id
        if text is not UNSET:
            field_dict["text"] = text
        if track_clicks is not UNSET:
            field_dict["track_clicks"] = track_clicks
        if track_opens is not UNSET:
            field_dict["track_opens"] = track_opens
        if variables is not UNSET:
            field_dict["variables"] = variables

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.send_request_headers import SendRequestHeaders  # noqa: PLC0415
        from ..models.send_request_variables import SendRequestVariables  # noqa: PLC0415

        d = dict(src_dict)
        to = d.pop("to")

        def _parse_contact_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        contact_id = _parse_contact_id(d.pop("contact_id", UNSET))

        def _parse_from_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        from_ = _parse_from_(d.pop("from", UNSET))

        _headers = d.pop("headers", UNSET)
        headers: SendRequestHeaders | Unset
        if isinstance(_headers, Unset):
            headers = UNSET
        else:
            headers = SendRequestHeaders.from_dict(_headers)

        def _parse_html(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        html = _parse_html(d.pop("html", UNSET))

        def _parse_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subject = _parse_subject(d.pop("subject", UNSET))

        def _parse_template_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        template_id = _parse_template_id(d.pop("template_id", UNSET))

        def _parse_text(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        text = _parse_text(d.pop("text", UNSET))

        track_clicks = d.pop("track_clicks", UNSET)

        track_opens = d.pop("track_opens", UNSET)

        _variables = d.pop("variables", UNSET)
        variables: SendRequestVariables | Unset
        if isinstance(_variables, Unset):
            variables = UNSET
        else:
            variables = SendRequestVariables.from_dict(_variables)

        send_request = cls(
            to=to,
            contact_id=contact_id,
            from_=from_,
            headers=headers,
            html=html,
            subject=subject,
            template_id=template_id,
            text=text,
            track_clicks=track_clicks,
            track_opens=track_opens,
            variables=variables,
        )

        send_request.additional_properties = d
        return send_request

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
