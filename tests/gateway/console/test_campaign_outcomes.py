"""The campaign report's figures as the console shows them (services/gateway/console/campaign_outcomes.py): the
contract's answer read into outcomes and rates, the time series filled to equal steps with the divider where the
resolution changes, and whatever the API leaves out or gets wrong shown as nothing rather than a 500."""

from __future__ import annotations

import re
from typing import Any

from services.gateway.console.campaign_form import compose_body
from services.gateway.console.campaign_outcomes import guard_rate, outcomes, timeline


def contract_report(**over: Any) -> dict[str, Any]:
    """An answer of GET /v1/campaigns/{id}/report as agreed for #15."""
    base: dict[str, Any] = {
        "campaign_id": 7,
        "status": "sent",
        "started_at": "2026-12-06T10:00:00+00:00",
        "finished_at": "2026-12-06T10:00:30+00:00",
        "recipients": 10,
        "sent": 10,
        "failed": 0,
        "skipped": 1,
        "delivered": 8,
        "bounced": {"hard": 1, "soft": 1},
        "complained": 1,
        "rejected": 0,
        "opened": {"unique": 4, "total": 9},
        "clicked": {"unique": 2, "total": 5},
        "links": [
            {"url": "https://acme.example/sale", "unique": 2, "total": 4},
            {"url": "https://acme.example/blog", "unique": 1, "total": 1},
        ],
        "unsubscribed": 1,
        "paused": 0,
        "rates": {
            "bounce": {"value": 0.2, "warn": 0.05, "pause": 0.08},
            "complaint": {"value": 0.1, "warn": 0.001, "pause": 0.003},
            "open": 0.5,
            "click": 0.25,
        },
        "tracking": {"opens": True, "clicks": True},
        "timeseries": {
            "points": [
                {"at": "2026-12-06T10:00:00+00:00", "resolution": "minute", "delivered": 8, "opened": 2,
                 "clicked": 0, "bounced": 2, "complained": 0, "unsubscribed": 0},
                {"at": "2026-12-06T10:03:00+00:00", "resolution": "minute", "delivered": 0, "opened": 3,
                 "clicked": 2, "bounced": 0, "complained": 1, "unsubscribed": 1},
                {"at": "2026-12-06T12:00:00+00:00", "resolution": "hour", "delivered": 0, "opened": 4,
                 "clicked": 3, "bounced": 0, "complained": 0, "unsubscribed": 0},
            ]
        },
    }  # fmt: skip
    return {**base, **over}


def test_the_contract_answer_read_into_the_page_figures() -> None:
    r = outcomes(contract_report())
    f = r["f"]
    assert (f["delivered"], f["bounced"], f["hard"], f["soft"], f["complained"]) == (8, 2, 1, 1, 1)
    assert (f["opened_unique"], f["opened_total"], f["clicked_unique"], f["clicked_total"]) == (4, 9, 2, 5)
    assert (f["unsubscribed"], f["paused"], f["skipped"]) == (1, 0, 1)
    assert r["open_rate"] == 0.5 and r["click_rate"] == 0.25 and r["unsubscribe_rate"] == 1 / 8
    assert r["guard_rates"]["bounce"] == {"rate": 0.2, "warn": 0.05, "pause": 0.08, "level": "bad"}
    assert r["guard_rates"]["complaint"]["level"] == "bad"
    assert [(x["url"], x["unique"], x["share"]) for x in r["links"]] == [
        ("https://acme.example/sale", 2, 0.25),
        ("https://acme.example/blog", 1, 0.125),
    ]
    assert r["tracking"] == {"opens": True, "clicks": True}


def test_levels_beside_the_thresholds() -> None:
    assert guard_rate(0.01, 0.05, 0.08)["level"] == "ok"
    assert guard_rate(0.05, 0.05, 0.08)["level"] == "warn"
    assert guard_rate(0.08, 0.05, 0.08)["level"] == "bad"
    assert guard_rate(None, 0.05, 0.08)["level"] == "ok"
    assert guard_rate(0.5, None, None)["level"] == "ok"


def test_the_time_series_at_equal_steps_with_the_divider_at_the_hours() -> None:
    t = timeline(contract_report()["timeseries"]["points"])
    # 10:00 .. 10:03 per minute (two filled with zeros), then 12:00 per hour
    assert [r["at"][11:16] for r in t["rows"]] == ["10:00", "10:03", "12:00"]
    assert [(r["res"], r["until"]) for r in t["rows"]] == [
        ("minute", "10:01"),
        ("minute", "10:04"),
        ("hour", "13:00"),
    ]
    svg = str(t["chart"])
    assert svg.startswith("<svg") and "per hour →" in svg and svg.count("<polyline") == 6
    tips = re.findall(r"<title>([^<]*)</title></rect>", svg)
    assert tips[0].startswith("10:00: delivered 8, opened 2, clicked 0, bounced 2")
    assert tips[1].startswith("10:01: delivered 0, opened 0") and len(tips) == 5
    assert tips[-1].startswith("12:00: delivered 0, opened 4, clicked 3")
    assert "<script" not in svg and "style=" not in svg


def test_hours_over_several_days_are_labelled_with_the_day_and_a_month_at_most_is_filled() -> None:
    points = [
        {"at": "2026-12-01T08:00:00Z", "resolution": "hour", "opened": 1},
        {
            "at": "2027-03-01T08:00:00Z",
            "resolution": "hour",
            "opened": 2,
        },  # months later: not filled hour by hour
    ]
    t = timeline(points)
    svg = str(t["chart"])
    assert len(re.findall(r"<title>[^<]*</title></rect>", svg)) == 24 * 31 + 1
    assert "12-01 08:00" in svg and [r["opened"] for r in t["rows"]] == [1, 2]


def test_what_the_api_leaves_out_or_gets_wrong_is_shown_as_nothing() -> None:
    r = outcomes({"campaign_id": 1})
    assert r["f"]["delivered"] == 0 and r["open_rate"] is None and r["links"] == []
    assert r["timeline"]["chart"] is None and r["tracking"] == {"opens": False, "clicks": False}
    odd = outcomes(
        contract_report(
            delivered="many",
            bounced=None,
            opened={"unique": True},
            links=[None, {"url": None}],
            rates={"bounce": "high", "open": "x"},
            tracking={"opens": "yes"},
            timeseries={"points": [{"at": "yesterday", "resolution": "minute"}, {"at": "2026-12-06T10:00:00",
                                                                                    "resolution": "day"}, 5]},
        )
    )  # fmt: skip
    assert odd["f"]["delivered"] == 0 and odd["f"]["hard"] == 0 and odd["f"]["opened_unique"] == 0
    assert odd["links"] == [{"url": "", "unique": 0, "total": 0, "share": None}]
    assert odd["guard_rates"]["bounce"]["rate"] is None and odd["open_rate"] is None
    assert odd["tracking"]["opens"] is False and odd["timeline"]["chart"] is None


def test_tracking_choices_become_the_campaign_apis_fields() -> None:
    base = {"name": "n", "list_ids": ["1"], "template_id": "", "when": "draft"}
    base.update({k: "" for k in ("subject", "html", "text", "from", "reply_to")})
    body, errors = compose_body({**base, "track_opens": "off", "track_clicks": "on"}, None)
    assert errors == {} and body["track_opens"] is False and body["track_clicks"] is True
    body, errors = compose_body({**base, "track_opens": "", "track_clicks": ""}, None)
    assert errors == {} and "track_opens" not in body and "track_clicks" not in body  # the project's setting
    _, errors = compose_body({**base, "track_opens": "yes", "track_clicks": ""}, None)
    assert set(errors) == {"track_opens"}
