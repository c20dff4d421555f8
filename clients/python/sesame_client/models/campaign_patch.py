from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.campaign_patch_canary_type_0 import CampaignPatchCanaryType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="CampaignPatch")


@_attrs_define
class CampaignPatch:
    """Only the fields given change; an explicit null clears a field (`send_at: null` makes a scheduled campaign a
    draft again). Content is checked as a whole once any of template_id / subject / html / text is given.

        Attributes:
            canary (CampaignPatchCanaryType0 | None | Unset):
            canary_window_seconds (int | None | Unset):
            from_ (None | str | Unset):
            html (None | str | Unset):
            list_ids (list[int] | None | Unset):
            name (None | str | Unset):
            reply_to (None | str | Unset):
            send_at (datetime.datetime | None | Unset): a time: scheduled for then; null: back to a draft
            subject (None | str | Unset):
            template_id (int | None | Unset):
            text (None | str | Unset):
            track_clicks (bool | None | Unset):
            track_opens (bool | None | Unset):
    """

    canary: CampaignPatchCanaryType0 | None | Unset = UNSET
    canary_window_seconds: int | None | Unset = UNSET
    from_: None | str | Unset = UNSET
    html: None | str | Unset = UNSET
    list_ids: list[int] | None | Unset = UNSET
    name: None | str | Unset = UNSET
    reply_to: None | str | Unset = UNSET
    send_at: datetime.datetime | None | Unset = UNSET
    subject: None | str | Unset = UNSET
    template_id: int | None | Unset = UNSET
    text: None | str | Unset = UNSET
    track_clicks: bool | None | Unset = UNSET
    track_opens: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        canary: None | str | Unset
        if isinstance(self.canary, Unset):
            canary = UNSET
        elif isinstance(self.canary, CampaignPatchCanaryType0):
            canary = self.canary.value
        else:
            canary = self.canary

        canary_window_seconds: int | None | Unset
        if isinstance(self.canary_window_seconds, Unset):
            canary_window_seconds = UNSET
        else:
            canary_window_seconds = self.canary_window_seconds

        from_: None | str | Unset
        if isinstance(self.from_, Unset):
            from_ = UNSET
        else:
            from_ = self.from_

        html: None | str | Unset
        if isinstance(self.html, Unset):
            html = UNSET
        else:
            html = self.html

        list_ids: list[int] | None | Unset
        if isinstance(self.list_ids, Unset):
            list_ids = UNSET
        elif isinstance(self.list_ids, list):
            list_ids = self.list_ids

        else:
            list_ids = self.list_ids

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        reply_to: None | str | Unset
        if isinstance(self.reply_to, Unset):
            reply_to = UNSET
        else:
            reply_to = self.reply_to

        send_at: None | str | Unset
        if isinstance(self.send_at, Unset):
            send_at = UNSET
        elif isinstance(self.send_at, datetime.datetime):
            send_at = self.send_at.isoformat()
        else:
            send_at = self.send_at

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

        track_clicks: bool | None | Unset
        if isinstance(self.track_clicks, Unset):
            track_clicks = UNSET
        else:
            track_clicks = self.track_clicks

        track_opens: bool | None | Unset
        if isinstance(self.track_opens, Unset):
            track_opens = UNSET
        else:
            track_opens = self.track_opens

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if canary is not UNSET:
            field_dict["canary"] = canary
        if canary_window_seconds is not UNSET:
            field_dict["canary_window_seconds"] = canary_window_seconds
        if from_ is not UNSET:
            field_dict["from"] = from_
        if html is not UNSET:
            field_dict["html"] = html
        if list_ids is not UNSET:
            field_dict["list_ids"] = list_ids
        if name is not UNSET:
            field_dict["name"] = name
        if reply_to is not UNSET:
            field_dict["reply_to"] = reply_to
        if send_at is not UNSET:
            field_dict["send_at"] = send_at
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

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_canary(data: object) -> CampaignPatchCanaryType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                canary_type_0 = CampaignPatchCanaryType0(data)

                return canary_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CampaignPatchCanaryType0 | None | Unset, data)

        canary = _parse_canary(d.pop("canary", UNSET))

        def _parse_canary_window_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        canary_window_seconds = _parse_canary_window_seconds(d.pop("canary_window_seconds", UNSET))

        def _parse_from_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        from_ = _parse_from_(d.pop("from", UNSET))

        def _parse_html(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        html = _parse_html(d.pop("html", UNSET))

        def _parse_list_ids(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                list_ids_type_0 = cast(list[int], data)

                return list_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        list_ids = _parse_list_ids(d.pop("list_ids", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_reply_to(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reply_to = _parse_reply_to(d.pop("reply_to", UNSET))

        def _parse_send_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                send_at_type_0 = datetime.datetime.fromisoformat(data)

                return send_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        send_at = _parse_send_at(d.pop("send_at", UNSET))

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

        def _parse_track_clicks(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        track_clicks = _parse_track_clicks(d.pop("track_clicks", UNSET))

        def _parse_track_opens(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        track_opens = _parse_track_opens(d.pop("track_opens", UNSET))

        campaign_patch = cls(
            canary=canary,
            canary_window_seconds=canary_window_seconds,
            from_=from_,
            html=html,
            list_ids=list_ids,
            name=name,
            reply_to=reply_to,
            send_at=send_at,
            subject=subject,
            template_id=template_id,
            text=text,
            track_clicks=track_clicks,
            track_opens=track_opens,
        )

        return campaign_patch
