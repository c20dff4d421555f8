"""Templates: sandboxed Jinja, autoescaped HTML, text from HTML, syntax errors at save time with the line."""

from __future__ import annotations

import pytest

from services.sender.templating import TemplateInvalid, compile_parts, contact_context, html_to_text
from tests.sender.conftest import Sender, make_project


def test_html_is_autoescaped_and_text_derived() -> None:
    c = compile_parts(
        "Hi {{ first_name }}", '<p>Hello {{ first_name }} <a href="{{ link }}">here</a></p>', None
    )
    subject, html, text = c.render(
        contact_context("a@example.com", {"first_name": "<script>x</script>"}, link="https://e.x/?a=1&b=2")
    )
    assert subject == "Hi <script>x</script>"  # subject is not HTML
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "https://e.x/?a=1&amp;b=2" in html
    assert "Hello <script>x</script> here (https://e.x/?a=1&b=2)" in text


def test_sandbox_blocks_unsafe_access() -> None:
    with pytest.raises(TemplateInvalid):  # named internals: refused at compile (test_template_safety.py)
        compile_parts("s", None, "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    # names built at render time get past that check: the sandbox refuses them then
    c = compile_parts(
        "s", None, "{% set a = '__cla' ~ 'ss__' %}{% set b = '__m' ~ 'ro__' %}{{ (''|attr(a))[b] }}"
    )
    with pytest.raises(TemplateInvalid):
        c.render({})


def test_syntax_error_reports_part_and_line() -> None:
    with pytest.raises(TemplateInvalid) as exc:
        compile_parts("ok", "<p>\nline two\n{{ x + }}\n</p>", None)
    assert exc.value.detail["part"] == "html" and exc.value.detail["line"] == 3


def test_unsubscribe_footer_only_when_missing() -> None:
    c = compile_parts("s", "<html><body><p>x</p></body></html>", None, add_unsubscribe_footer=True)
    _, html, text = c.render({"unsubscribe_url": "https://u/1", "preferences_url": "https://p/1"})
    assert html.index("https://u/1") < html.index("</body>") and "https://p/1" in html
    assert "Unsubscribe: https://u/1" in text
    c2 = compile_parts(
        "s", '<p><a href="{{ unsubscribe_url }}">stop</a></p>', None, add_unsubscribe_footer=True
    )
    _, html2, _ = c2.render({"unsubscribe_url": "https://u/1", "preferences_url": "https://p/1"})
    assert html2.count("https://u/1") == 1 and c2.has_unsubscribe_link


def test_html_to_text_skips_style_and_keeps_structure() -> None:
    t = html_to_text(
        "<html><head><style>p{}</style><title>T</title></head><body><h1>Title</h1><ul><li>a</li><li>b</li></ul></body></html>"
    )
    assert t == "Title\n\n- a\n\n- b\n" or ("Title" in t and "- a" in t and "p{}" not in t and "T\n" not in t)


async def test_template_api_crud_render_and_errors(sender: Sender) -> None:
    pid = await make_project(sender.rt)
    h = sender.h(pid)
    r = await sender.client.post(
        "/v1/templates", json={"name": "t", "subject": "Hi", "html": "<p>{{ x }\n</p>"}, headers=h
    )
    assert r.status_code == 422 and r.json()["detail"]["line"] == 1 and r.json()["detail"]["part"] == "html"
    r = await sender.client.post(
        "/v1/templates",
        json={
            "name": "welcome",
            "subject": "Welcome {{ first_name }}",
            "html": "<p>Hello {{ contact.email }}</p>",
        },
        headers=h,
    )
    assert r.status_code == 201
    tid = r.json()["id"]
    r = await sender.client.post(
        f"/v1/templates/{tid}/render",
        json={"email": "a@b.co", "attributes": {"first_name": "Zoë"}},
        headers=h,
    )
    out = r.json()
    assert out["subject"] == "Welcome Zoë" and "Hello a@b.co" in out["html"] and out["unsubscribe_link_added"]
    assert "Hello a@b.co" in out["text"]
    r = await sender.client.put(
        f"/v1/templates/{tid}", json={"name": "w2", "subject": "S", "text": "plain"}, headers=h
    )
    assert r.json()["version"] == 2
    other = await make_project(sender.rt)
    assert (await sender.client.get(f"/v1/templates/{tid}", headers=sender.h(other))).status_code == 404
    assert (await sender.client.delete(f"/v1/templates/{tid}", headers=h)).status_code == 204
    assert (await sender.client.get(f"/v1/templates/{tid}", headers=h)).status_code == 404


async def test_transactional_from_template(sender: Sender) -> None:
    pid = await make_project(sender.rt)
    h = sender.h(pid)
    tid = (
        await sender.client.post(
            "/v1/templates",
            json={"name": "reset", "subject": "Reset for {{ name }}", "text": "Code {{ code }}"},
            headers=h,
        )
    ).json()["id"]
    r = await sender.client.post(
        "/v1/messages",
        json={"to": "x@example.com", "template_id": tid, "variables": {"name": "X", "code": "42"}},
        headers=h,
    )
    assert r.status_code == 202
    from tests.sender.conftest import wait_for

    async def captured() -> list:
        return (await sender.client.get("/v1/sandbox/messages", headers=h)).json()["messages"]

    caps = await wait_for(captured)
    assert caps[0]["subject"] == "Reset for X"
    raw = (await sender.client.get(f"/v1/sandbox/messages/{caps[0]['id']}", headers=h)).json()["raw"]
    assert "Code 42" in raw


async def test_preview_of_unsaved_content(sender: Sender) -> None:
    """POST /v1/templates/preview answers what /{id}/render answers for the same content; bad or hostile content
    is a 422 with the reason (and the line when there is one), never a 500; nothing is stored."""
    pid = await make_project(sender.rt)
    h = sender.h(pid)
    content = {"subject": "Welcome {{ first_name }}", "html": "<p>Hello {{ contact.email }} {{ code }}</p>"}
    render = {"email": "a@b.co", "attributes": {"first_name": "Zoë"}, "variables": {"code": "42"}}
    saved = await sender.client.post("/v1/templates", json={"name": "w", **content}, headers=h)
    rendered = await sender.client.post(f"/v1/templates/{saved.json()['id']}/render", json=render, headers=h)
    preview = await sender.client.post("/v1/templates/preview", json={**content, **render}, headers=h)
    assert preview.status_code == 200, preview.text
    assert preview.json() == rendered.json()
    out = preview.json()
    assert (
        out["subject"] == "Welcome Zoë" and "Hello a@b.co 42" in out["html"] and out["unsubscribe_link_added"]
    )
    assert "https://unsubscribe.preview.invalid/u/preview" in out["text"]
    plain = await sender.client.post(
        "/v1/templates/preview",
        json={"subject": "S", "text": "Hi {{ email }}", "marketing": False},
        headers=h,
    )
    assert plain.json() == {
        "subject": "S",
        "html": None,
        "text": "Hi preview@example.com",
        "unsubscribe_link_added": False,
    }
    # a variable cannot replace the preview's own links (nor break the call)
    links = await sender.client.post(
        "/v1/templates/preview",
        json={"subject": "S", "text": "{{ unsubscribe_url }}", "variables": {"unsubscribe_url": "x"}},
        headers=h,
    )
    assert links.status_code == 200 and "unsubscribe.preview.invalid" in links.json()["text"]
    templates = (await sender.client.get("/v1/templates", headers=h)).json()["templates"]
    assert len(templates) == 1  # the preview stored nothing

    async def refused(body: dict) -> dict:  # type: ignore[type-arg]
        r = await sender.client.post("/v1/templates/preview", json=body, headers=h)
        assert r.status_code == 422, (body, r.status_code, r.text)
        return r.json()  # type: ignore[no-any-return]

    syntax = await refused({"subject": "ok", "html": "<p>\n{{ x + }}\n</p>"})
    assert syntax["error"] == "template_invalid"
    assert (
        syntax["detail"]["part"] == "html" and syntax["detail"]["line"] == 2 and syntax["detail"]["message"]
    )
    assert (await refused({"subject": "{% if %}", "text": "t"}))["detail"]["part"] == "subject"
    assert (await refused({"subject": " ", "text": "t"}))["detail"]["part"] == "subject"
    assert (await refused({"subject": "s"}))["error"] == "template_invalid"  # neither html nor text
    assert (await refused({"html": "<p>x</p>"}))["error"] == "validation_error"  # no subject at all
    for hostile in (
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ self._TemplateReference__context }}",
        "{{ 'a' * 10**9 }}",
        "{{ 2 ** 100000 }}",
        "{{ range(10**9)|list }}",
    ):
        body = await refused({"subject": "s", "html": hostile})
        assert body["error"] == "template_invalid" and body["detail"]["message"], hostile
    for broken in (
        "{{ 1/0 }}",
        "{{ 'a' + 1 }}",
        "{{ '{:d}'.format('a') }}",
        "{{ '%d' % 'x' }}",
        "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",
        "{% if 1 %}" * 2000 + "x" + "{% endif %}" * 2000,
        "{{ undefined_thing.attr.deeper }}",
    ):
        body = await refused({"subject": "s", "text": broken})
        assert body["error"] == "template_invalid" and body["detail"]["message"], broken
    # saving the too-deep template is refused the same way (it was a 500)
    deep = {"name": "d", "subject": "s", "text": "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}"}
    assert (await sender.client.post("/v1/templates", json=deep, headers=h)).status_code == 422
