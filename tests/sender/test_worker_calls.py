"""The worker's SES calls: transactional mail is never queued behind a campaign's calls in the same process."""

from __future__ import annotations

import asyncio
from typing import Any

from services.sender.accounts import AccountView
from services.sender.content import Composer
from services.sender.settings import SenderSettings
from services.sender.tracking import Tracking, choose
from services.sender.worker import Batch, Item, SendWorker
from shared.tokens import TokenCodec


class BlockingSes:
    """Marketing calls hang until released; transactional calls answer at once."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.calls: list[str] = []

    async def send_raw(self, raw: bytes, *, to: str, **_: Any) -> str:
        self.calls.append(to)
        if to.startswith("m"):
            await self.release.wait()
        return f"ses-{to}"


class _Runtime:
    sessionmaker = None


async def test_transactional_call_goes_while_campaign_calls_fill_the_process() -> None:
    settings = SenderSettings(ses_concurrency=8, warmup_enabled=False)
    composer = Composer(settings, TokenCodec("secret-for-tests-0123456789abcdef"), "https://mail.example.org")
    worker = SendWorker(_Runtime(), settings, accounts=None, composer=composer)  # type: ignore[arg-type]
    ses = BlockingSes()
    view = AccountView(1, None, "k", ses, -1, -1, None, None, False)
    batch = Batch(1, view, [])
    prepared = composer.literal(1, "marketing", "News <news@example.com>")

    def item(i: int, kind: str, to: str) -> Item:
        it = Item(i, kind, to, None, None, None, 1, prepared=prepared)
        it.literal = ("s", "<p>hi</p>", None)
        return it

    campaign = [
        asyncio.create_task(worker._send_one(batch, item(i, "marketing", f"m{i}@example.org"), 0.0))
        for i in range(50)
    ]
    await asyncio.sleep(0.05)
    assert 0 < len(ses.calls) < 50  # the campaign's calls fill its share; the rest wait for a free call slot
    reset = await asyncio.wait_for(
        worker._send_one(batch, item(99, "transactional", "t@example.org"), 0.0), timeout=5
    )
    assert reset.kind == "sent" and reset.ses_message_id == "ses-t@example.org"
    ses.release.set()
    outcomes = await asyncio.gather(*campaign)
    assert [o.kind for o in outcomes] == ["sent"] * 50


class RecordingSes:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, bytes]] = []

    async def send_raw(self, raw: bytes, *, to: str, configuration_set: str | None = None, **_: Any) -> str:
        self.calls.append((to, configuration_set, raw))
        return f"ses-{to}"


async def test_each_call_goes_with_the_configuration_set_its_tracking_chose() -> None:
    settings = SenderSettings(ses_concurrency=8, warmup_enabled=False)
    composer = Composer(settings, TokenCodec("secret-for-tests-0123456789abcdef"), "https://mail.example.org")
    worker = SendWorker(_Runtime(), settings, accounts=None, composer=composer)  # type: ignore[arg-type]
    ses = RecordingSes()
    sets = ("fb", "fb-tracking", "fb-clicks")
    view = AccountView(1, None, "k", ses, -1, -1, sets[0], None, False, sets[1], sets[2])
    batch = Batch(1, view, [])
    prepared = composer.literal(1, "marketing", "News <news@example.com>")
    wanted = {"both": Tracking(True, True), "opens": Tracking(True, False), "clicks": Tracking(False, True)}
    wanted["none"] = Tracking()
    for name, w in wanted.items():
        it = Item(
            len(ses.calls) + 1, "marketing", f"{name}@example.org", None, None, None, 1, prepared=prepared
        )
        it.literal = ("s", '<p><a href="https://acme.example/sale">sale</a></p>', None)
        it.choice = choose(w, *sets)
        assert (await worker._send_one(batch, it, 0.0)).kind == "sent"
    got = {to.split("@")[0]: (cs, b"ses:no-track" in raw) for to, cs, raw in ses.calls}
    assert got == {
        "both": ("fb-tracking", False),
        "opens": ("fb-tracking", True),  # opens tracked, every link opted out of click tracking
        "clicks": ("fb-clicks", False),
        "none": ("fb", False),
    }
