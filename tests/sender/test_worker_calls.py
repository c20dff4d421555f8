"""The worker's SES calls: transactional mail is never queued behind a campaign's calls in the same process."""

from __future__ import annotations

import asyncio
from typing import Any

from services.sender.accounts import AccountView
from services.sender.content import Composer
from services.sender.settings import SenderSettings
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
