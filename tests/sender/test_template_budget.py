"""A render's loops share one iteration budget and its output is bounded: nested loops over a capped range() or a
2M-character string are refused in well under a second (not after 1e10 iterations), at preview as a 422 and in
a campaign as a failure of that one message; ordinary loops render."""

from __future__ import annotations

import pytest

from services.sender.templating import TemplateInvalid, compile_parts, contact_context
from tests.sender.conftest import Sender, add_contact, make_list, make_project, wait_for
from tests.sender.test_campaign import connect, progress, ses_sender, standin  # noqa: F401 - fixtures

NESTED_RANGE = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
NESTED_STRING = "{% set s = 'a' * 2000000 %}{% for i in s %}{% for j in s %}x{% endfor %}{% endfor %}"
HOSTILE = {
    "nested range": NESTED_RANGE,
    "nested string": NESTED_STRING,
    "macro recursing twice": "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(40) }}",
    "2M characters output 100k times": "{% set s = 'a' * 2000000 %}{% for i in range(100000) %}{{ s }}{% endfor %}",
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_exhausting_templates_are_refused_at_render(source: str) -> None:
    c = compile_parts("Hi", source, None)
    with pytest.raises(TemplateInvalid) as exc:
        c.render(contact_context("a@example.com", {}))
    assert exc.value.detail["part"] == "render" and "refused" in exc.value.detail["message"]


def test_ordinary_loops_render_and_each_render_has_its_own_budget() -> None:
    html = (
        "{% for i in items %}{{ i }}{% if loop.last %}!{% endif %}{% endfor %}"
        "|{% for c in 'ab' %}{{ c }}{% else %}none{% endfor %}"
        "|{% for x in items if x > 997 %}[{{ x }}]{% endfor %}"
        "|{% for x in [[1, [2]], 3] recursive %}{% if x is iterable %}{{ loop(x) }}{% else %}{{ x }}{% endif %}"
        "{% endfor %}"
        "|{% macro w() %}<{{ caller() }}>{% endmacro %}{% call w() %}in{% endcall %}"
    )
    c = compile_parts("{% for i in range(3) %}{{ i }}{% endfor %}", html, None)
    ctx = contact_context("a@example.com", {}, items=list(range(1000)))
    for _ in range(3):  # 1,000 items × 2 parts × 3 renders: the budget is per render, not per template
        subject, out, text = c.render(ctx)
        assert subject == "012"
        assert out == "".join(map(str, range(1000))) + "!|ab|[998][999]|123|<in>"
        assert text.startswith("0123") and "[998][999]" in text
    # 450k iterations in the HTML and as many in the text derived from it: under the budget, together
    many = compile_parts(
        "s", "{% for i in range(1000) %}{% for j in range(450) %}.{% endfor %}{% endfor %}", None
    )
    assert len(many.render({})[1] or "") == 450_000


@pytest.mark.timeout(30)
@pytest.mark.parametrize("source", [NESTED_RANGE, NESTED_STRING], ids=["nested range", "nested string"])
async def test_preview_refuses_nested_loops_with_422(sender: Sender, source: str) -> None:
    pid = await make_project(sender.rt)
    h = sender.h(pid)
    r = await sender.client.post("/v1/templates/preview", json={"subject": "Hi", "html": source}, headers=h)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]["part"] == "render" and "loop iterations" in r.json()["detail"]["message"]
    saved = await sender.client.post(
        "/v1/templates", json={"name": "n", "subject": "Hi", "html": source}, headers=h
    )
    assert saved.status_code == 201, saved.text  # it compiles; only rendering it is refused
    r = await sender.client.post(f"/v1/templates/{saved.json()['id']}/render", json={}, headers=h)
    assert r.status_code == 422, r.text


async def _sent(s: Sender, pid: int, cid: int) -> dict | None:
    p = await progress(s, pid, cid)
    return p if p["status"] == "sent" else None


@pytest.mark.timeout(60)
async def test_campaign_fails_the_exhausting_message_only(ses_sender: Sender, standin) -> None:  # noqa: F811
    """The loops' size comes from a contact attribute: that contact's message fails permanently (recorded), the
    others go out, and the worker is not stalled."""
    s = ses_sender
    pid = await make_project(s.rt)
    await connect(s, pid)
    lst = await make_list(s.rt, pid)
    for i in range(4):
        await add_contact(s.rt, pid, f"u{i}@example.com", {lst: "active"}, attributes={"n": 3})
    await add_contact(s.rt, pid, "evil@example.com", {lst: "active"}, attributes={"n": 100000})
    html = "<p>{% for i in range(n|int) %}{% for j in range(n|int) %}x{% endfor %}{% endfor %}</p>"
    r = await s.client.post(
        "/v1/campaigns", json={"name": "c", "list_ids": [lst], "subject": "s", "html": html}, headers=s.h(pid)
    )
    assert r.status_code in (200, 201), r.text
    cid = r.json()["id"]
    r = await s.client.post(f"/v1/campaigns/{cid}/send", json={}, headers=s.h(pid))
    assert r.status_code == 200 and r.json()["recipients"] == 5, r.text
    done = await wait_for(lambda: _sent(s, pid, cid))
    assert done["progress"]["counts"]["sent"] == 4 and done["progress"]["counts"]["failed"] == 1
    failed = await s.outbox("email.failed")
    assert len(failed) == 1 and "loop iterations" in failed[0]["reason"], failed
