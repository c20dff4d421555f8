"""Templates that reach for Python internals are refused when saved (422 with the part and line), not only when a
send renders them; ordinary keys that start with an underscore still work."""

from __future__ import annotations

import pytest

from services.sender.templating import TemplateInvalid, compile_parts, contact_context
from tests.sender.conftest import Sender, make_project


@pytest.mark.parametrize(
    ("source", "name", "line"),
    [
        ("{{ ''.__class__.__mro__ }}", "__mro__", 1),
        ("<p>\n{{ x|attr('__class__') }}</p>", "__class__", 2),
        ("<p>\n\n{{ d['__globals__'] }}</p>", "__globals__", 3),
        ("{{ self._TemplateReference__context }}", "_TemplateReference__context", 1),
    ],
)
def test_internals_refused_at_compile_with_the_line(source: str, name: str, line: int) -> None:
    with pytest.raises(TemplateInvalid) as exc:
        compile_parts("s", source, None)
    assert exc.value.detail["part"] == "html" and exc.value.detail["line"] == line
    assert name in exc.value.detail["message"]


def test_underscore_keys_of_data_still_render() -> None:
    c = compile_parts("Hi {{ first_name }}", "{{ order._id }}/{{ order['_id'] }}", None)
    subject, html, _ = c.render(contact_context("a@example.com", {"first_name": "Ann"}, order={"_id": 7}))
    assert subject == "Hi Ann" and html == "7/7"


async def test_api_refuses_internals_at_save_and_keeps_nothing(sender: Sender) -> None:
    pid = await make_project(sender.rt)
    h = sender.h(pid)
    r = await sender.client.post(
        "/v1/templates",
        json={"name": "evil", "subject": "Hi", "html": "<p>ok</p>", "text": "line\n{{ ''.__class__ }}"},
        headers=h,
    )
    assert r.status_code == 422, r.text
    assert r.json()["detail"]["part"] == "text" and r.json()["detail"]["line"] == 2
    assert (await sender.client.get("/v1/templates", headers=h)).json()["templates"] == []
    r = await sender.client.post(
        "/v1/templates", json={"name": "fine", "subject": "Hi", "html": "<p>ok</p>"}, headers=h
    )
    tid = r.json()["id"]
    r = await sender.client.put(
        f"/v1/templates/{tid}",
        json={"name": "fine", "subject": "{{ email.__len__() }}", "html": "<p>ok</p>"},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["detail"]["part"] == "subject"
    r = await sender.client.get(f"/v1/templates/{tid}", headers=h)
    assert r.json()["subject"] == "Hi" and r.json()["version"] == 1
