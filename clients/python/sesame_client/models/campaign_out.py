from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.canary_out import CanaryOut
    from ..models.progress import Progress


T = TypeVar("T", bound="CampaignOut")


@_attrs_define
class CampaignOut:
    """
    Attributes:
        created_at (None | str):
        fanout_at (None | str):
        finished_at (None | str):
        from_ (None | str):
        id (int):
        list_ids (list[int]):
        name (str):
        recipients (int | None):
        reply_to (None | str):
        send_at (None | str):
        status (str): draft | scheduled | sending | paused | canary_hold | sent | cancelled
        subject (None | str):
        template_id (int | None):
        canary (CanaryOut | None | Unset):
        html (None | str | Unset): GET one and PATCH: the campaign's own HTML body (no template)
        progress (None | Progress | Unset): counts per state (GET one, or `progress=true`)
        released (int | None | Unset): release only: held messages queued
        requeued (int | None | Unset): retry-failed only: messages queued again
        text (None | str | Unset): GET one and PATCH: the campaign's own text body (no template)
        track_clicks (bool | None | Unset): click tracking; null: the project's setting
        track_opens (bool | None | Unset): open tracking; null: the project's setting
    """

    created_at: None | str
    fanout_at: None | str
    finished_at: None | str
    from_: None | str
    id: int
    list_ids: list[int]
    name: str
    recipients: int | None
    reply_to: None | str
    send_at: None | str
    status: str
    subject: None | str
    template_id: int | None
    canary: CanaryOut | None | Unset = UNSET
    html: None | str | Unset = UNSET
    progress: None | Progress | Unset = UNSET
    released: int | None | Unset = UNSET
    requeued: int | None | Unset = UNSET
    text: None | str | Unset = UNSET
    track_clicks: bool | None | Unset = UNSET
    track_opens: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.canary_out import CanaryOut  # noqa: PLC0415
        from ..models.progress import Progress  # noqa: PLC0415

        created_at: None | str
        created_at = self.created_at

        fanout_at: None | str
        fanout_at = self.fanout_at

        finished_at: None | str
        finished_at = self.finished_at

        from_: None | str
        from_ = self.from_

        id = self.id

        list_ids = self.list_ids

        name = self.name

        recipients: int | None
        recipients = self.recipients

        reply_to: None | str
        reply_to = self.reply_to

        send_at: None | str
        send_at = self.send_at

        status = self.status

        subject: None | str
        subject = self.subject

        template_id: int | None
        template_id = self.template_id

        canary: dict[str, Any] | None | Unset
        if isinstance(self.canary, Unset):
            canary = UNSET
        elif isinstance(self.canary, CanaryOut):
            canary = self.canary.to_dict()
        else:
            canary = self.canary

        html: None | str | Unset
        if isinstance(self.html, Unset):
            html = UNSET
        else:
            html = self.html

        progress: dict[str, Any] | None | Unset
        if isinstance(self.progress, Unset):
            progress = UNSET
        elif isinstance(self.progress, Progress):
            progress = self.progress.to_dict()
        else:
            progress = self.progress

        released: int | None | Unset
        if isinstance(self.released, Unset):
            released = UNSET
        else:
            released = self.released

        requeued: int | None | Unset
        if isinstance(self.requeued, Unset):
            requeued = UNSET
        else:
            requeued = self.requeued

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
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "fanout_at": fanout_at,
                "finished_at": finished_at,
                "from": from_,
                "id": id,
                "list_ids": list_ids,
                "name": name,
                "recipients": recipients,
                "reply_to": reply_to,
                "send_at": send_at,
                "status": status,
                "subject": subject,
                "template_id": template_id,
            }
        )
        if canary is not UNSET:
            field_dict["canary"] = canary
        if html is not UNSET:
            field_dict["html"] = html
        if progress is not UNSET:
            field_dict["progress"] = progress
        if released is not UNSET:
            field_dict["released"] = released
        if requeued is not UNSET:
            field_dict["requeued"] = requeued
        if text is not UNSET:
            field_dict["text"] = text
        if track_clicks is not UNSET:
            field_dict["track_clicks"] = track_clicks
        if track_opens is not UNSET:
            field_dict["track_opens"] = track_opens

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.canary_out import CanaryOut  # noqa: PLC0415
        from ..models.progress import Progress  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_created_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        created_at = _parse_created_at(d.pop("created_at"))

        def _parse_fanout_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        fanout_at = _parse_fanout_at(d.pop("fanout_at"))

        def _parse_finished_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        def _parse_from_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        from_ = _parse_from_(d.pop("from"))

        id = d.pop("id")

        list_ids = cast(list[int], d.pop("list_ids"))

        name = d.pop("name")

        def _parse_recipients(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        recipients = _parse_recipients(d.pop("recipients"))

        def _parse_reply_to(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reply_to = _parse_reply_to(d.pop("reply_to"))

        def _parse_send_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        send_at = _parse_send_at(d.pop("send_at"))

        status = d.pop("status")

        def _parse_subject(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        subject = _parse_subject(d.pop("subject"))

        def _parse_template_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        template_id = _parse_template_id(d.pop("template_id"))

        def _parse_canary(data: object) -> CanaryOut | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                canary_type_0 = CanaryOut.from_dict(data)

                return canary_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CanaryOut | None | Unset, data)

        canary = _parse_canary(d.pop("canary", UNSET))

        def _parse_html(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        html = _parse_html(d.pop("html", UNSET))

        def _parse_progress(data: object) -> None | Progress | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                progress_type_0 = Progress.from_dict(data)

                return progress_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Progress | Unset, data)

        progress = _parse_progress(d.pop("progress", UNSET))

        def _parse_released(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        released = _parse_released(d.pop("released", UNSET))

        def _parse_requeued(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        requeued = _parse_requeued(d.pop("requeued", UNSET))

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

        campaign_out = cls(
            created_at=created_at,
            fanout_at=fanout_at,
            finished_at=finished_at,
            from_=from_,
            id=id,
            list_ids=list_ids,
            name=name,
            recipients=recipients,
            reply_to=reply_to,
            send_at=send_at,
            status=status,
            subject=subject,
            template_id=template_id,
            canary=canary,
            html=html,
            progress=progress,
            released=released,
            requeued=requeued,
            text=text,
            track_clicks=track_clicks,
            track_opens=track_opens,
        )

        campaign_out.additional_properties = d
        return campaign_out

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
