from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.bounced import Bounced
    from ..models.link_stat import LinkStat
    from ..models.rates import Rates
    from ..models.timeseries import Timeseries
    from ..models.tracking import Tracking
    from ..models.unique_total import UniqueTotal


T = TypeVar("T", bound="CampaignReport")


@_attrs_define
class CampaignReport:
    """
    Attributes:
        bounced (Bounced):
        campaign_id (int):
        clicked (UniqueTotal):
        complained (int):
        delivered (int):
        failed (int):
        finished_at (datetime.datetime | None):
        links (list[LinkStat]):
        opened (UniqueTotal):
        paused (int):
        rates (Rates):
        recipients (int):
        rejected (int):
        sent (int):
        skipped (int):
        started_at (datetime.datetime | None):
        status (str):
        timeseries (Timeseries):
        tracking (Tracking):
        unsubscribed (int):
    """

    bounced: Bounced
    campaign_id: int
    clicked: UniqueTotal
    complained: int
    delivered: int
    failed: int
    finished_at: datetime.datetime | None
    links: list[LinkStat]
    opened: UniqueTotal
    paused: int
    rates: Rates
    recipients: int
    rejected: int
    sent: int
    skipped: int
    started_at: datetime.datetime | None
    status: str
    timeseries: Timeseries
    tracking: Tracking
    unsubscribed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        bounced = self.bounced.to_dict()

        campaign_id = self.campaign_id

        clicked = self.clicked.to_dict()

        complained = self.complained

        delivered = self.delivered

        failed = self.failed

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        links = []
        for links_item_data in self.links:
            links_item = links_item_data.to_dict()
            links.append(links_item)

        opened = self.opened.to_dict()

        paused = self.paused

        rates = self.rates.to_dict()

        recipients = self.recipients

        rejected = self.rejected

        sent = self.sent

        skipped = self.skipped

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        status = self.status

        timeseries = self.timeseries.to_dict()

        tracking = self.tracking.to_dict()

        unsubscribed = self.unsubscribed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bounced": bounced,
                "campaign_id": campaign_id,
                "clicked": clicked,
                "complained": complained,
                "delivered": delivered,
                "failed": failed,
                "finished_at": finished_at,
                "links": links,
                "opened": opened,
                "paused": paused,
                "rates": rates,
                "recipients": recipients,
                "rejected": rejected,
                "sent": sent,
                "skipped": skipped,
                "started_at": started_at,
                "status": status,
                "timeseries": timeseries,
                "tracking": tracking,
                "unsubscribed": unsubscribed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.bounced import Bounced  # noqa: PLC0415
        from ..models.link_stat import LinkStat  # noqa: PLC0415
        from ..models.rates import Rates  # noqa: PLC0415
        from ..models.timeseries import Timeseries  # noqa: PLC0415
        from ..models.tracking import Tracking  # noqa: PLC0415
        from ..models.unique_total import UniqueTotal  # noqa: PLC0415

        d = dict(src_dict)
        bounced = Bounced.from_dict(d.pop("bounced"))

        campaign_id = d.pop("campaign_id")

        clicked = UniqueTotal.from_dict(d.pop("clicked"))

        complained = d.pop("complained")

        delivered = d.pop("delivered")

        failed = d.pop("failed")

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        links = []
        _links = d.pop("links")
        for links_item_data in _links:
            links_item = LinkStat.from_dict(links_item_data)

            links.append(links_item)

        opened = UniqueTotal.from_dict(d.pop("opened"))

        paused = d.pop("paused")

        rates = Rates.from_dict(d.pop("rates"))

        recipients = d.pop("recipients")

        rejected = d.pop("rejected")

        sent = d.pop("sent")

        skipped = d.pop("skipped")

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

        status = d.pop("status")

        timeseries = Timeseries.from_dict(d.pop("timeseries"))

        tracking = Tracking.from_dict(d.pop("tracking"))

        unsubscribed = d.pop("unsubscribed")

        campaign_report = cls(
            bounced=bounced,
            campaign_id=campaign_id,
            clicked=clicked,
            complained=complained,
            delivered=delivered,
            failed=failed,
            finished_at=finished_at,
            links=links,
            opened=opened,
            paused=paused,
            rates=rates,
            recipients=recipients,
            rejected=rejected,
            sent=sent,
            skipped=skipped,
            started_at=started_at,
            status=status,
            timeseries=timeseries,
            tracking=tracking,
            unsubscribed=unsubscribed,
        )

        campaign_report.additional_properties = d
        return campaign_report

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
