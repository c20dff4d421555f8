from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
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
        status (str): draft | scheduled | sending | paused | sent | cancelled
        subject (None | str):
        template_id (int | None):
        progress (None | Progress | Unset): counts per state (GET one, or `progress=true`)
        requeued (int | None | Unset): retry-failed only: messages queued again
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
    progress: None | Progress | Unset = UNSET
    requeued: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
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

        progress: dict[str, Any] | None | Unset
        if isinstance(self.progress, Unset):
            progress = UNSET
        elif isinstance(self.progress, Progress):
            progress = self.progress.to_dict()
        else:
            progress = self.progress

        requeued: int | None | Unset
        if isinstance(self.requeued, Unset):
            requeued = UNSET
        else:
            requeued = self.requeued

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
        if progress is not UNSET:
            field_dict["progress"] = progress
        if requeued is not UNSET:
            field_dict["requeued"] = requeued

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
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

        def _parse_requeued(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        requeued = _parse_requeued(d.pop("requeued", UNSET))

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
            progress=progress,
            requeued=requeued,
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
