"""The Postgres fast path for a new address (first_signup.py) leaves exactly the rows the ORM path leaves."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from services.subscriptions import first_signup as first_signup_module
from services.subscriptions import public
from services.subscriptions.first_signup import first_signup
from shared.links import CONFIRM, PREFERENCES, read_token
from shared.models.core import OutboxMessage
from shared.models.subscriptions import Contact, Subscription, SubscriptionChange
from tests.subscriptions.conftest import Svc

pytestmark = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)

_IDS = {"project_id": "P", "list_id": "L", "contact_id": "C", "subscription_id": "S"}
_TOKEN = re.compile(r"/(confirm|p)/([A-Za-z0-9_.\-]+)")


class PathSpy:
    """Routes one list's signups around the fast path (the ORM reference) and counts the fast path's takes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.orm_lists: set[int] = set()
        self.fast_taken = 0

        async def routed(rt: Any, ss: Any, list_id: int, *a: Any, **kw: Any) -> bool:
            if list_id in self.orm_lists:
                return False
            taken = await first_signup(rt, ss, list_id, *a, **kw)
            self.fast_taken += taken
            return taken

        monkeypatch.setattr(public, "first_signup", routed)


async def _rows(svc: Svc, project_id: int) -> dict[str, Any]:
    """One project's contact, subscription, change log and outbox rows, with ids and clocks made comparable."""
    async with svc.rt.uow() as s:
        contact = await s.scalar(sa.select(Contact).where(Contact.project_id == project_id))
        sub = await s.scalar(sa.select(Subscription).where(Subscription.project_id == project_id))
        changes = (
            await s.scalars(sa.select(SubscriptionChange).where(SubscriptionChange.project_id == project_id))
        ).all()
        outbox = (await s.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert contact is not None and sub is not None
    ids = {
        "project_id": project_id,
        "list_id": sub.list_id,
        "contact_id": contact.id,
        "subscription_id": sub.id,
    }
    assert contact.created_at == contact.updated_at and sub.created_at == sub.updated_at
    assert (
        sub.confirmation_sent_at is None
        or abs((sub.confirmation_sent_at - sub.created_at).total_seconds()) < 5
    )

    def norm(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: norm(v, k) for k, v in value.items() if k != "at"}
        if key in _IDS:
            assert value in (ids[key], str(ids[key])), (key, value)  # mail tags carry the list id as text
            return _IDS[key]
        if key == "idempotency_key":
            assert re.fullmatch(rf"confirm:{sub.id}:[0-9a-f]{{32}}", value)
            return "confirm:S:<uuid>"
        if isinstance(value, str):
            for kind, token in _TOKEN.findall(value):
                target = read_token(svc.rt.tokens, CONFIRM if kind == "confirm" else PREFERENCES, token)
                assert (target.project_id, target.contact_id) == (project_id, contact.id)
                assert target.list_id == (sub.list_id if kind == "confirm" else None)
            return _TOKEN.sub(r"/\1/<token>", value)
        return value

    mine = [m for m in outbox if m.payload.get("project_id") == project_id]
    return {
        "contact": (contact.email, contact.email_hash, contact.attributes, contact.erased_at),
        "subscription": (
            sub.status,
            sub.paused_until,
            sub.consent_source,
            sub.confirmed_at,
            sub.confirmation_sent_at is not None,
        ),  # fmt: skip
        "changes": [
            (
                c.subscription_id == sub.id,
                c.contact_id == contact.id,
                c.list_id == sub.list_id,
                c.previous_status,
                c.status,
                c.source,
                c.detail,
                c.created_at == sub.created_at,
            )
            for c in changes
        ],  # fmt: skip
        "outbox": [
            (m.routing_key, norm(m.payload), m.headers, m.published_at is not None, m.attempts, m.last_error)
            for m in mine
        ],  # fmt: skip
    }


CASES = {
    "plain": ({"email": "ann@example.com"}, False),
    "odd spelling, attributes, api": (
        {
            "email": "  Ann.Lee+news@Example.COM ",
            "attributes": {"name": "Ann", "age": 41, "vip": True, "x": None},
            "source": "api",
        },
        False,
    ),  # fmt: skip
    "suppressed address": ({"email": "Zed@Example.com"}, True),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_fast_path_leaves_the_orm_paths_rows(
    svc: Svc, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    body, suppressed = CASES[case]
    spy = PathSpy(monkeypatch)
    projects = []
    for _ in range(2):  # identical projects: one signs up through the fast path, one through the ORM path
        pid, h = await svc.project("Acme")
        r = await svc.client.patch(
            "/v1/project", json={"settings": {"branding": {"name": "Acme <News>"}}}, headers=h
        )
        assert r.status_code == 200, r.text
        lid = await svc.new_list(h, name='Weekly "Deals" & more')
        if suppressed:
            assert (
                await svc.client.post("/v1/suppressions", json={"email": body["email"]}, headers=h)
            ).status_code == 201
        projects.append((pid, lid))
    (fast_pid, fast_lid), (orm_pid, orm_lid) = projects
    spy.orm_lists.add(orm_lid)

    for lid in (fast_lid, orm_lid):
        r = await svc.client.post(f"/public/lists/{lid}/subscribe", json=body, headers=svc.headers())
        assert (r.status_code, r.json()) == (202, {"status": "check_inbox"})
    assert spy.fast_taken == 1
    await svc.settle(mails=0 if suppressed else 2)
    assert len(svc.mails) == (0 if suppressed else 2)

    fast, orm = await _rows(svc, fast_pid), await _rows(svc, orm_pid)
    assert fast == orm
    assert [k for k, *_ in fast["outbox"] if not k.startswith("suppression.")] == ["subscription.pending"] + (
        [] if suppressed else ["mail.requested"]
    )


async def test_known_address_new_list_goes_the_orm_way(svc: Svc, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = PathSpy(monkeypatch)
    _, h = await svc.project()
    first, second = await svc.new_list(h), await svc.new_list(h, name="Other")
    for lid in (first, second, second):
        r = await svc.client.post(
            f"/public/lists/{lid}/subscribe", json={"email": "bo@example.com"}, headers=svc.headers()
        )
        assert r.status_code == 202
    assert spy.fast_taken == 1  # only the address's first signup
    await svc.settle(mails=2)
    assert len(svc.mails) == 2  # the repeat on `second` is inside the resend cooldown
    async with svc.rt.uow() as s:
        assert await s.scalar(sa.select(sa.func.count()).select_from(Contact)) == 1
        assert await s.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 2
        assert await s.scalar(sa.select(sa.func.count()).select_from(SubscriptionChange)) == 2


async def test_lists_the_fast_path_does_not_take(svc: Svc, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = PathSpy(monkeypatch)
    _, h = await svc.project()
    direct = await svc.new_list(h, double_optin=False)
    gone = await svc.new_list(h, name="Gone")
    assert (await svc.client.delete(f"/v1/lists/{gone}", headers=h)).status_code == 204
    r = await svc.client.post(
        f"/public/lists/{direct}/subscribe", json={"email": "cy@example.com"}, headers=svc.headers()
    )
    assert r.status_code == 202
    r = await svc.client.post(
        f"/public/lists/{gone}/subscribe", json={"email": "di@example.com"}, headers=svc.headers()
    )
    assert r.status_code == 404
    r = await svc.client.post(
        f"/public/lists/{direct}/subscribe", json={"email": "not-an-address"}, headers=svc.headers()
    )
    assert r.status_code == 422
    assert spy.fast_taken == 0
    async with svc.rt.uow() as s:
        statuses = (await s.scalars(sa.select(Subscription.status))).all()
    assert statuses == ["active"]  # the list without double opt-in, through the ORM path


async def test_a_failing_fast_signup_leaves_and_publishes_nothing(
    svc: Svc, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statement is atomic: its last write (the outbox) failing undoes the contact and subscription."""
    _, h = await svc.project()
    lid = await svc.new_list(h)
    same = uuid.uuid4()
    monkeypatch.setattr(first_signup_module.uuid, "uuid4", lambda: same)  # two outbox rows, one message id
    with pytest.raises(sa.exc.IntegrityError):
        await first_signup(
            svc.rt, svc.app.state.sub_settings, lid, "eve@example.com", source="form", attributes={}
        )
    await svc.settle()
    assert svc.mails == [] and svc.events == []
    async with svc.rt.uow() as s:
        for model in (Contact, Subscription, SubscriptionChange, OutboxMessage):
            assert await s.scalar(sa.select(sa.func.count()).select_from(model)) == 0


async def test_remembered_list_facts_never_outlive_the_list(
    svc: Svc, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list's names are remembered for a moment; whether it is live is checked by the write every time."""
    spy = PathSpy(monkeypatch)
    _, h = await svc.project()
    lid = await svc.new_list(h, name="Old name")
    r = await svc.client.post(
        f"/public/lists/{lid}/subscribe", json={"email": "a1@example.com"}, headers=svc.headers()
    )
    assert r.status_code == 202 and spy.fast_taken == 1
    # renamed: within LIST_INFO_SECONDS the remembered name may still be used; after it, the new one
    assert (
        await svc.client.patch(f"/v1/lists/{lid}", json={"name": "New name"}, headers=h)
    ).status_code == 200
    monkeypatch.setattr(first_signup_module, "LIST_INFO_SECONDS", 0.0)
    first_signup_module._MEMORY.clear()  # noqa: SLF001 - forget as if LIST_INFO_SECONDS had passed
    r = await svc.client.post(
        f"/public/lists/{lid}/subscribe", json={"email": "a2@example.com"}, headers=svc.headers()
    )
    assert r.status_code == 202 and spy.fast_taken == 2
    await svc.settle(mails=2)
    assert [m["subject"] for m in svc.mails] == ["Confirm your subscription to Old name",
                                                 "Confirm your subscription to New name"]  # fmt: skip
    # deleted while remembered: the write refuses it and the general path answers 404
    monkeypatch.setattr(first_signup_module, "LIST_INFO_SECONDS", 3600.0)
    r = await svc.client.post(
        f"/public/lists/{lid}/subscribe", json={"email": "a3@example.com"}, headers=svc.headers()
    )
    assert r.status_code == 202 and spy.fast_taken == 3
    assert (await svc.client.delete(f"/v1/lists/{lid}", headers=h)).status_code == 204
    r = await svc.client.post(
        f"/public/lists/{lid}/subscribe", json={"email": "a4@example.com"}, headers=svc.headers()
    )
    assert r.status_code == 404 and spy.fast_taken == 3
    async with svc.rt.uow() as s:
        emails = (await s.scalars(sa.select(Contact.email).order_by(Contact.email))).all()
    assert emails == ["a1@example.com", "a2@example.com", "a3@example.com"]


async def test_ids_from_blocks_are_distinct_across_blocks(svc: Svc, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(first_signup_module, "ID_BLOCK", 3)
    _, h = await svc.project()
    lid = await svc.new_list(h)
    for i in range(8):  # three blocks
        assert await first_signup(
            svc.rt, svc.app.state.sub_settings, lid, f"b{i}@example.com", source="form", attributes={}
        )
    async with svc.rt.uow() as s:
        contacts = (await s.scalars(sa.select(Contact.id))).all()
        subs = (await s.execute(sa.select(Subscription.id, Subscription.contact_id))).all()
    assert len(set(contacts)) == 8 and len({sid for sid, _ in subs}) == 8
    assert {cid for _, cid in subs} == set(contacts)


async def test_concurrent_signups_share_statements_each_with_its_own_outcome(
    svc: Svc, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signups arriving together go in one statement; each gets exactly the outcome it would have alone."""
    statements: list[int] = []
    write = first_signup_module._Memory._write  # noqa: SLF001

    async def counted(self: Any, rows: list[Any]) -> list[bool]:
        statements.append(len(rows))
        return await write(self, rows)

    monkeypatch.setattr(first_signup_module._Memory, "_write", counted)  # noqa: SLF001
    _, h = await svc.project()
    lid, other, gone = (
        await svc.new_list(h),
        await svc.new_list(h, name="Other"),
        await svc.new_list(h, name="Gone"),
    )
    ss = svc.app.state.sub_settings

    async def signup(list_id: int, email: str, **attributes: Any) -> bool:
        return await first_signup(svc.rt, ss, list_id, email, source="form", attributes=attributes)

    assert await signup(lid, "known@example.com") and await signup(
        gone, "warm@example.com"
    )  # gone's facts cached
    assert (await svc.client.delete(f"/v1/lists/{gone}", headers=h)).status_code == 204
    statements.clear()
    fresh = [f"n{i}@example.com" for i in range(40)]
    calls = [signup(lid, e) for e in fresh] + [
        signup(lid, "twice@example.com"),
        signup(lid, "Twice@Example.com"),  # the same address, spelt otherwise
        signup(lid, "same@example.com"),
        signup(other, "same@example.com"),  # a new address's second list: the general path's work
        signup(other, "known@example.com"),  # a known address
        signup(gone, "late@example.com"),  # a list deleted while its facts were remembered
        signup(lid, "nul@example.com", note="nul \x00 here"),  # refused by Postgres: fails alone
    ]
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert results[:40] == [True] * 40
    assert results[40:46] == [True, False, True, False, False, False]
    assert isinstance(results[46], sa.exc.DataError)
    # queued together, written together; the refused value made that statement fail, so it went row by row
    assert statements[0] >= 40 and statements.count(1) >= statements[0]
    await svc.settle()
    async with svc.rt.uow() as s:
        emails = set((await s.scalars(sa.select(Contact.email))).all())
        subs = (await s.execute(sa.select(Subscription.id, Subscription.list_id, Subscription.status))).all()
        changes = (await s.scalars(sa.select(SubscriptionChange.subscription_id))).all()
        outbox = (
            await s.execute(
                sa.select(OutboxMessage.routing_key, OutboxMessage.payload).order_by(OutboxMessage.id)
            )
        ).all()
    assert emails == {
        *fresh,
        "known@example.com",
        "warm@example.com",
        "twice@example.com",
        "same@example.com",
    }
    created = {sid for sid, _, _ in subs}
    assert (
        len(subs) == 44
        and {st for _, _, st in subs} == {"pending"}
        and {li for _, li, _ in subs} <= {lid, gone}
    )
    assert sorted(changes) == sorted(created)
    # per subscription: its event, then its confirmation mail (the relay publishes in id order)
    order = [
        (
            key,
            p["subscription_id"]
            if key.startswith("subscription.")
            else int(p["idempotency_key"].split(":")[1]),
        )
        for key, p in outbox
        if key in ("subscription.pending", "mail.requested")
    ]
    assert len(order) == 2 * 44
    for sid in created:
        assert order.index(("subscription.pending", sid)) < order.index(("mail.requested", sid))
