"""Open and click tracking through SES itself: which configuration set a message is sent with.

SES adds the open pixel and rewrites links when the configuration set used to send has an event destination for
OPEN / CLICK, so tracking is chosen per configuration set. `sesame ses connect` (tracking on) keeps, beside the
project's set (feedback only), one with OPEN+CLICK and one with CLICK only. Per message:

- marketing: the campaign's `track_opens` / `track_clicks`, else the project setting `tracking`
  ({"opens": bool, "clicks": bool}, both on by default);
- transactional and notification mail: never, unless the request asked (`track_opens` / `track_clicks`).

Opens without clicks uses the OPEN+CLICK set with every link marked `ses:no-track` (SES's per-link opt-out).
A set that connect has not made (tracking off at connect, or not connected yet) means no tracking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

NO_TRACK = "ses:no-track"
_ANCHOR = re.compile(r"<a(?=[\s>])(?![^>]*\bses:no-track\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Tracking:
    opens: bool = False
    clicks: bool = False


UNTRACKED = Tracking()


def project_tracking(settings: dict[str, Any] | None) -> Tracking:
    """The project's default for marketing mail (setting `tracking`, both on unless turned off)."""
    conf = (settings or {}).get("tracking")
    conf = conf if isinstance(conf, dict) else {}
    return Tracking(opens=conf.get("opens", True) is not False, clicks=conf.get("clicks", True) is not False)


def campaign_tracking(track_opens: bool | None, track_clicks: bool | None, default: Tracking) -> Tracking:
    """The campaign's own choice where it made one, else the project's."""
    return Tracking(
        opens=default.opens if track_opens is None else track_opens,
        clicks=default.clicks if track_clicks is None else track_clicks,
    )


def requested_tracking(data: dict[str, Any] | None) -> Tracking:
    """A transactional message's request (`messages.data`): untracked unless asked."""
    data = data or {}
    return Tracking(opens=data.get("track_opens") is True, clicks=data.get("track_clicks") is True)


@dataclass(frozen=True)
class SendChoice:
    configuration_set: str | None
    no_track_links: bool  # mark every link ses:no-track (opens tracked, clicks not)
    tracking: Tracking  # what is actually tracked


def choose(
    wanted: Tracking, base: str | None, open_click_set: str | None, click_set: str | None
) -> SendChoice:
    """The configuration set for a message that wants `wanted`, given the sets the account has."""
    if wanted.opens and open_click_set:
        return SendChoice(open_click_set, not wanted.clicks, Tracking(True, wanted.clicks))
    if wanted.clicks and click_set:
        return SendChoice(click_set, False, Tracking(False, True))
    return SendChoice(base, False, UNTRACKED)


def no_track(html: str) -> str:
    """Every `<a` of an HTML fragment marked `ses:no-track` (SES then leaves the link as it is)."""
    return _ANCHOR.sub(f"<a {NO_TRACK}", html)
