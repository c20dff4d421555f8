"""50 simultaneous subscribes of the same address: one contact, one subscription, one confirmation mail."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from shared.models.subscriptions import Contact, Subscription, SubscriptionChange
from tests.subscriptions.conftest import Svc


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_fifty_concurrent_subscribes(svc: Svc) -> None:
    _, h = await svc.project()
    lid = await svc.new_list(h)
    pub = svc.headers()
    spellings = ["dan@example.com", "Dan@Example.com", " dan@EXAMPLE.COM "]

    async def one(i: int) -> int:
        r = await svc.client.post(
            f"/public/lists/{lid}/subscribe",
            json={"email": spellings[i % 3] if i % 2 else "dan@example.com"},
            headers=pub,
        )
        return r.status_code

    codes = await asyncio.gather(*(one(i) for i in range(50)))
    assert codes == [202] * 50
    await svc.settle(mails=1)
    await svc.settle()
    async with svc.rt.uow() as s:
        assert await s.scalar(sa.select(sa.func.count()).select_from(Contact)) == 1
        assert await s.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 1
        assert await s.scalar(sa.select(sa.func.count()).select_from(SubscriptionChange)) == 1
    assert len(svc.mails) == 1
