"""Every page a subscriber meets, in every shipped language, in headless Chromium against the real embedded
services: `<html lang dir>` right, no English sentence of the catalogue left on a non-English page, axe-core
(vendored, tests/gateway/vendor/axe-core) without serious or critical violations, and the confirmation mail the
sandbox captured in the list's language. Screenshots in test-artifacts/gateway/i18n/."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import itsdangerous.timed
import pytest
from playwright.async_api import Page, async_playwright

from services.gateway.i18n_extract import extract
from services.subscriptions.confirmation import SUBJECT
from shared.links import CONFIRM, UNSUBSCRIBE, LinkTarget, make_token, read_token
from shared.locales import SHIPPED_LOCALES, translations
from tests.gateway.browser import ARTIFACTS, CHROMIUM_ARGS, ensure_chromium, free_port, serve
from tests.gateway.embedded import (
    CONFIRM_RE,
    PREFS_RE,
    bootstrap_project,
    captured_mail,
    embedded_app,
    mail_text,
)

pytestmark = pytest.mark.slow

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SHOTS = ARTIFACTS / "i18n"
_MARKUP = re.compile(r"%\(\w+\)s|<[^>]+>")

# The keyboard focus ring of the focused control: its outline colour against the card behind it (3:1 at least),
# and a halo (box-shadow) contrasting with the ring, so one of the two shows on any brand background.
FOCUS_CONTRAST = """() => {
  const rgb = c => (c.match(/\\d+(\\.\\d+)?/g) || []).slice(0, 3).map(Number);
  const lum = c => { const v = rgb(c).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
                     return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const el = document.activeElement, st = getComputedStyle(el);
  let bgEl = el.parentElement;
  while (bgEl && getComputedStyle(bgEl).backgroundColor.startsWith('rgba(0, 0, 0, 0)')) bgEl = bgEl.parentElement;
  const behind = bgEl ? getComputedStyle(bgEl).backgroundColor : 'rgb(255, 255, 255)';
  const halo = (st.boxShadow.match(/rgba?\\([^)]*\\)/) || [null])[0];
  return {tag: el.tagName, outline: st.outlineStyle, width: parseFloat(st.outlineWidth),
          ring: ratio(st.outlineColor, behind), has_halo: halo !== null && ratio(halo, st.outlineColor) >= 3};
}"""


def english_fragments(locale: str) -> list[str]:
    """The English text of the catalogue (placeholders and markup cut out) that this locale translates
    differently; fragments of at least two words or 8 letters (a lone "Pause" is also German)."""
    t = translations(locale)
    own = " ".join(t.gettext(m.id) for m in extract() if m.id)
    out = set()
    for m in extract():
        if not m.id or t.gettext(m.id) == m.id:
            continue
        for frag in _MARKUP.split(m.id):
            frag = frag.strip(" .,:;!?()“”\"'")
            if (len(frag.split()) >= 2 or len(frag) >= 8) and frag not in own:
                out.add(frag)
    return sorted(out, key=len, reverse=True)


async def check_page(page: Page, locale: str, name: str, leaks: list[str], allowed: set[str]) -> None:
    assert await page.evaluate("document.documentElement.lang") == locale, name
    assert await page.evaluate("document.documentElement.dir") == "ltr", name
    if locale != "en":
        text = await page.evaluate("document.body.innerText")
        for value in allowed:  # what the owner or the subscriber wrote (list names, addresses)
            text = text.replace(value, " ")
        found = [f for f in leaks if re.search(r"(?<!\w)" + re.escape(f) + r"(?!\w)", text)]
        assert not found, f"{locale} {name}: English left: {found}"
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = await page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{locale} {name}: axe: {bad}"
    await page.screenshot(path=str(SHOTS / f"{locale}-{name}.png"), full_page=True)


async def test_every_public_page_in_every_language(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    executable = ensure_chromium()
    SHOTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    settings = settings_for(sqlite_url, public_url=public)
    async with embedded_app(settings) as app, serve(app, port):
        pid, key = await bootstrap_project(
            app, "Acme", branding={"name": "Acme Weekly", "primary_color": "#0b6e4f"}
        )
        codec = app.state.runtime.tokens
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=public, timeout=30) as api, async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            for locale in SHIPPED_LOCALES:
                list_name = f"Zeta {locale.upper()}"
                r = await api.post(
                    "/v1/lists",
                    json={"name": list_name, "description": "", "form_settings": {"locale": locale}},
                    headers=auth,
                )
                assert r.status_code == 201, r.text
                lid = r.json()["id"]
                address = f"reader-{locale}@example.com"
                allowed = {list_name, address, "Acme Weekly"}
                leaks = english_fragments(locale) if locale != "en" else []
                # a browser whose language is the list's: the invalid link and the 404 have no list to go by
                ctx = await browser.new_context(viewport={"width": 390, "height": 844}, locale=locale)
                page = await ctx.new_page()

                await page.goto(f"{public}/f/{lid}")
                await check_page(page, locale, "1-form", leaks, allowed)
                if locale == "en":
                    await page.locator("input[name=email]").focus()
                    await page.keyboard.press("Tab")  # keyboard focus: :focus-visible
                    ring = await page.evaluate(FOCUS_CONTRAST)
                    assert ring["outline"] == "solid" and ring["width"] >= 2, ring
                    # dark ring on the light card; the light halo is what shows on a dark brand background
                    assert ring["ring"] >= 3 and ring["has_halo"], ring
                    await page.screenshot(path=str(SHOTS / "en-focus-ring.png"), full_page=True)
                await page.locator("input[name=email]").fill(address)
                await page.locator("button[type=submit]").click()
                await page.wait_for_url(f"**/f/{lid}/thanks")
                await check_page(page, locale, "2-thanks", leaks, allowed)

                mail = await captured_mail(api, key, address)
                expected = translations(locale).gettext(SUBJECT) % {"list": list_name}
                assert mail["Subject"] == expected, (locale, mail["Subject"])
                text = mail_text(mail)
                if locale != "en":
                    assert "Confirm my subscription" not in str(mail) and "Hello," not in text
                confirm, prefs = CONFIRM_RE.search(text).group(0), PREFS_RE.search(text).group(0)  # type: ignore[union-attr]
                token = confirm.rsplit("/", 1)[1]
                target = read_token(codec, CONFIRM, token)

                await page.goto(f"{public}/confirm/{token}-garbage")
                await check_page(page, locale, "3-invalid-link", leaks, allowed)
                assert await page.locator("main button").count() == 0
                with mock.patch.object(
                    itsdangerous.timed.time, "time", return_value=time.time() - 60 * 86400
                ):
                    old = make_token(codec, CONFIRM, target)
                await page.goto(f"{public}/confirm/{old}")
                await check_page(page, locale, "4-expired", leaks, allowed)
                await page.goto(confirm)
                await check_page(page, locale, "5-confirm", leaks, allowed)
                await page.locator("main form button").click()
                await page.wait_for_load_state()
                await check_page(page, locale, "6-confirmed", leaks, allowed)
                await page.goto(prefs)
                await check_page(page, locale, "7-preferences", leaks, allowed)
                unsub = make_token(codec, UNSUBSCRIBE, LinkTarget(pid, target.contact_id, lid))
                await page.goto(f"{public}/u/{unsub}")
                await check_page(page, locale, "8-unsubscribe", leaks, allowed)
                await page.locator("button.danger").click()
                await page.wait_for_load_state()
                await check_page(page, locale, "9-unsubscribed", leaks, allowed)
                await page.goto(f"{public}/no/such/page")
                await check_page(page, locale, "10-not-found", leaks, allowed)
                await ctx.close()
            await browser.close()
