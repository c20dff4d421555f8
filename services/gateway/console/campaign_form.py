"""The campaign forms' input: compose fields → the campaigns API's body, a local time in a chosen zone → UTC, and
the API's refusals put next to the input they are about."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from starlette.datastructures import FormData

from services.gateway.bodies import field
from services.gateway.console.project_api import ApiResult
from shared.digits import ascii_digits

WHEN = ("draft", "now", "schedule")
# The API's limits (services/sender/api/campaigns.py), for the reading of the form below.
TEXT_FIELDS = {"name": 200, "subject": 2000, "from": 400, "reply_to": 400, "template_id": 20}
BODY_FIELDS = {"html": 500_000, "text": 500_000}
# Open and click tracking per campaign: "" leaves it to the project's setting (the API's null), else on / off.
TRACKING = ("track_opens", "track_clicks")
TRACKING_OPTIONS = [("", "As the project is set"), ("on", "On"), ("off", "Off")]
# The canary (services/sender/canary.py): the campaigns API's `canary`. What each mode does is said with the figures
# of GET /v1/campaigns/canary-policy (the sender's SESAME_SENDER_CANARY_* settings, the project's own window).
CANARY_LABELS = {"auto": "Auto", "on": "On", "off": "Off"}
CANARY_OPTIONS = list(CANARY_LABELS.items())
CANARY_POLICY = "/v1/campaigns/canary-policy"


def duration(seconds: int) -> str:
    """1800 → "30 minutes", 5400 → "1 hour 30 minutes" (a feedback window in words)."""
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        n, seconds = divmod(seconds, size)
        if n:
            parts.append(f"{n} {unit}{'s' if n != 1 else ''}")
    return " ".join(parts[:2]) or "0 seconds"


def canary_modes(policy: Any, campaign_window: int | None = None) -> dict[str, tuple[str, str]]:
    """Each mode → (label, what it does), with the policy's figures; without the policy (the sender did not answer)
    the same rules without figures. `campaign_window`: a campaign's own feedback window, said instead."""
    p = policy if isinstance(policy, dict) else {}
    try:
        pct, low, high = f"{float(p['sample_percent']):g}", int(p["sample_min"]), int(p["sample_max"])
        days, window = int(p["lookback_days"]), int(p["window_seconds"])
    except (KeyError, TypeError, ValueError):
        return {
            "auto": (
                "Auto",
                "A canary only when the campaign is larger than the most mail the project sent in one recent day.",
            ),
            "on": (
                "On",
                "A random sample goes first; the rest is held for the feedback window and sent only if the "
                "sample's bounce and complaint rates stay under the pause thresholds.",
            ),
            "off": ("Off", "No canary: every recipient at once."),
        }
    if campaign_window is not None:
        window, whose = campaign_window, " (this campaign's own)"
    else:
        whose = " (this project's setting)" if p.get("window_source") == "project" else ""
    held = (
        f"the rest is held for a feedback window of {duration(window)}{whose}"
        if window > 0
        else f"the rest waits only for the sample to be sent (no feedback window{whose})"
    )
    over = "the last day" if days == 1 else f"the last {days} days"
    return {
        "auto": (
            "Auto",
            f"A canary only when the campaign is larger than the most mail the project sent in one day over {over}.",
        ),
        "on": (
            "On",
            f"A random {pct} % sample ({low:,}–{high:,} recipients) goes first; {held} and is sent only if the "
            f"sample's bounce and complaint rates stay under the pause thresholds. A campaign of {low:,} "
            "recipients or fewer has no canary.",
        ),
        "off": ("Off", "No canary: every recipient at once."),
    }


@lru_cache(maxsize=1)
def time_zones() -> list[str]:
    """UTC first, then the IANA zones by name (the select under every date and time)."""
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return ["UTC", *zones]


@lru_cache(maxsize=1)
def zone_options() -> list[tuple[str, str]]:
    """The zones as a select's (value, label) pairs."""
    return [(z, z.replace("_", " ")) for z in time_zones()]


def _body(form: FormData, name: str, limit: int) -> str:
    """A textarea's value as typed (not stripped: leading spaces of an HTML body are the author's)."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def read_compose(form: FormData) -> dict[str, Any]:
    """What the person typed, to send on or to show again."""
    # one past the API's limits: a longer value is refused there, next to its field, rather than cut and saved
    values: dict[str, Any] = {k: field(form, k, n + 1) for k, n in TEXT_FIELDS.items()}
    values.update({k: _body(form, k, n + 1) for k, n in BODY_FIELDS.items()})
    values["list_ids"] = [v for v in form.getlist("list_ids") if isinstance(v, str)][:200]
    when = field(form, "when", 20)
    values["when"] = when if when in WHEN else "draft"
    values["send_at"], values["tz"] = field(form, "send_at", 40), field(form, "tz", 60) or "UTC"
    for key in TRACKING:
        values[key] = field(form, key, 10)
    values["canary"] = field(form, "canary", 10)
    return values


def schedule_time(local: str, tz: str, now: datetime | None = None) -> tuple[datetime | None, dict[str, str]]:
    """`2030-05-01T09:00` in zone `tz` → an aware UTC time, or the errors for the send_at / tz inputs."""
    if tz not in time_zones():
        return None, {"tz": "Choose a time zone from the list."}
    if not local:
        return None, {"send_at": "Choose the date and time to send at."}
    try:
        naive = datetime.fromisoformat(local)
    except ValueError:
        return None, {"send_at": "This is not a date and time (YYYY-MM-DD HH:MM)."}
    if naive.tzinfo is not None:
        return None, {"send_at": "Give the time without a zone; choose the zone below."}
    try:
        at = naive.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
    except (ZoneInfoNotFoundError, ValueError, OverflowError):
        return None, {"send_at": "This time cannot be placed in that time zone."}
    if at <= (now or datetime.now(UTC)):
        shown = at.strftime("%Y-%m-%d %H:%M UTC")
        return None, {"send_at": f"This time ({shown}) is in the past. Choose a later time, or send now."}
    return at, {}


def compose_body(values: dict[str, Any], send_at: datetime | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The campaigns API's body (empty inputs left out, so the API's own defaults and rules apply)."""
    errors: dict[str, str] = {}
    list_ids: list[int] = []
    for raw in values["list_ids"]:
        if not ascii_digits(raw):
            errors["list_ids"] = "Choose lists from the ones shown."
            break
        list_ids.append(int(raw))
    body: dict[str, Any] = {"name": values["name"], "list_ids": list_ids}
    if values["template_id"]:
        if not ascii_digits(values["template_id"]):
            errors["template_id"] = "Choose a template from the list."
        else:
            body["template_id"] = int(values["template_id"])
    for key in ("subject", "html", "text", "from", "reply_to"):
        if values[key].strip():
            body[key] = values[key]
    for key in TRACKING:
        choice = values.get(key, "")
        if choice in ("on", "off"):
            body[key] = choice == "on"
        elif choice:
            errors[key] = "Choose on, off, or as the project is set."
    canary = values.get("canary", "")
    if canary in CANARY_LABELS:
        body["canary"] = canary
    elif canary:
        errors["canary"] = "Choose auto, on or off."
    if values["when"] == "now":
        body["send_now"] = True
    elif send_at is not None:
        body["send_at"] = send_at.isoformat()
    return body, errors


# What the edit form can clear: an emptied input is the API's null (no template, no reply-to, the project's tracking).
CLEARABLE = ("template_id", "subject", "html", "text", "from", "reply_to", *TRACKING)


def edit_values(c: dict[str, Any]) -> dict[str, Any]:
    """A campaign as the API gives it → the compose form's values (the edit form starts from them; times in UTC)."""
    values: dict[str, Any] = {k: c.get(k) or "" for k in ("name", "subject", "from", "reply_to")}
    values["template_id"] = str(c["template_id"]) if c.get("template_id") is not None else ""
    values.update({k: c.get(k) or "" for k in BODY_FIELDS})
    values["list_ids"] = [str(i) for i in c.get("list_ids") or []]
    for key in TRACKING:
        values[key] = {True: "on", False: "off"}.get(c.get(key), "")
    values["canary"] = (c.get("canary") or {}).get("mode") or "auto"
    send_at = c.get("send_at")
    values["when"] = "schedule" if c.get("status") == "scheduled" and send_at else "draft"
    values["send_at"] = send_at[:16] if values["when"] == "schedule" else ""
    values["tz"] = "UTC"
    return values


def edit_body(values: dict[str, Any], send_at: datetime | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The edit form → PATCH /v1/campaigns/{id}: compose_body's rules, an emptied input sent as null (cleared), and
    the schedule stated either way (a time: scheduled then; none: a draft)."""
    body, errors = compose_body({**values, "when": "draft"}, None)
    for key in CLEARABLE:
        body.setdefault(key, None)
    body["send_at"] = send_at.isoformat() if send_at is not None else None
    return body, errors


def refusal_fields(r: ApiResult) -> dict[str, str]:
    """The API's refusal as {input name: message}: its validation errors already name the field; a template
    problem names its part; a missing list or template, and a template mixed with own content, are said in words."""
    errors = dict(r.errors)
    detail = r.data.get("detail") if isinstance(r.data, dict) else None
    if isinstance(detail, dict) and detail.get("part") in ("subject", "html", "text"):
        line = detail.get("line")
        msg = str(detail.get("message") or "invalid")
        errors[detail["part"]] = f"Line {line}: {msg}" if line else msg
    elif isinstance(detail, str):
        if detail.startswith("lists not found"):
            errors["list_ids"] = "One of these lists no longer exists. Reload the page and choose again."
        elif detail.startswith("template not found"):
            errors["template_id"] = "This template no longer exists."
        elif "template_id or subject" in detail:
            errors["template_id"] = "Use a template or write the content below, not both."
    return {k: v for k, v in errors.items() if k}
