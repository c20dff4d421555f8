"""MIME building for a personalised ~20 KB HTML newsletter, per recipient (per CPU-second of one core), by method.

    .venv/bin/python -m bench.sender_mime [--quick]

Each method renders the same compiled Jinja template for a different contact, then encodes the message:
- `EmailMessage` (policy=default) + set_content(html) + add_alternative — quoted-printable (the naive way);
- the same with cte="base64";
- compat32 `MIMEMultipart` + `MIMEText` (base64), as_bytes;
- Sesame's `MimeSkeleton` (shared parts encoded once per campaign, bodies quoted-printable via binascii);
- the same fed the template's pieces: its literal text QP-encoded once per campaign, the filled-in values per
  recipient, joined with soft line breaks (what the sender does).
Ceiling: rendering the template alone (no MIME at all), measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Any

ARTICLE = (
    '<tr><td style="padding:12px;font-family:Arial"><h2>Article {i}: Größere Neuigkeiten</h2>'
    "<p>Dear {{{{ first_name }}}}, here is our story number {i} with some text that is long enough to wrap "
    "and contains an ampersand &amp; an equals sign = and a euro sign €. Read more about it on our site.</p>"
    '<a href="https://example.com/articles/{i}?utm_source=newsletter">Read article {i}</a></td></tr>\n'
)
HTML = (
    "<html><head><style>td {color:#333}</style></head><body><table>"
    + "".join(ARTICLE.format(i=i) for i in range(45))
    + "<tr><td>Hello {{ first_name }} from {{ city }}!</td></tr></table></body></html>"
)


def _contexts(n: int) -> list[dict[str, Any]]:
    return [
        {
            "first_name": f"Name{i}",
            "city": f"City{i % 100}",
            "unsubscribe_url": f"https://m.example.org/u/tok{i}",
            "preferences_url": f"https://m.example.org/p/tok{i}",
            "email": f"user{i}@example.org",
        }
        for i in range(n)
    ]


def measure(n: int) -> list[dict[str, Any]]:
    from email.message import EmailMessage

    from services.sender.mime import MimeSkeleton, list_unsubscribe_value
    from services.sender.templating import compile_parts

    compiled = compile_parts("News for {{ first_name }}", HTML, None, add_unsubscribe_footer=True)
    ctxs = _contexts(n)
    size = len(compiled.render(ctxs[0])[1] or "")

    def timed(fn: Any) -> float:
        # CPU time of this process: the figure stays meaningful on a shared, loaded machine.
        t0 = time.process_time()
        for c in ctxs:
            fn(c)
        return n / (time.process_time() - t0)

    def render_only(c: dict[str, Any]) -> None:
        compiled.render(c)

    def naive(c: dict[str, Any], cte: str | None = None) -> bytes:
        subject, html, text = compiled.render(c)
        m = EmailMessage()
        m["From"] = "News <news@example.com>"
        m["To"] = c["email"]
        m["Subject"] = subject
        m["List-Unsubscribe"] = f"<{c['unsubscribe_url']}>"
        m["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        m["Feedback-ID"] = "1:1:marketing:sesame"
        kw = {"cte": cte} if cte else {}
        m.set_content(text, **kw)
        m.add_alternative(html, subtype="html", **kw)
        return m.as_bytes()

    def compat32(c: dict[str, Any]) -> bytes:
        subject, html, text = compiled.render(c)
        m = MIMEMultipart("alternative")
        m["From"] = "News <news@example.com>"
        m["To"] = c["email"]
        m["Subject"] = subject
        m["List-Unsubscribe"] = f"<{c['unsubscribe_url']}>"
        m["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        m["Feedback-ID"] = "1:1:marketing:sesame"
        m.attach(MIMEText(text, "plain", "utf-8"))
        m.attach(MIMEText(html, "html", "utf-8"))
        return m.as_bytes()

    sk = MimeSkeleton(
        from_address="News <news@example.com>", feedback_id="1:1:marketing:sesame", one_click=True
    )

    pieces_sk = MimeSkeleton(
        from_address="News <news@example.com>",
        feedback_id="1:1:marketing:sesame",
        one_click=True,
        cacheable=compiled.constants,
    )

    def build(skel: MimeSkeleton, rendered: tuple[Any, Any, Any], c: dict[str, Any]) -> bytes:
        subject, html, text = rendered
        return skel.build(
            to=c["email"],
            subject=subject,
            html=html,
            text=text,
            list_unsubscribe=list_unsubscribe_value(c["unsubscribe_url"], None),
            headers=[("X-Sesame-Message-Id", "1")],
        )

    def skeleton(c: dict[str, Any]) -> bytes:
        return build(sk, compiled.render(c), c)

    def skeleton_pieces(c: dict[str, Any]) -> bytes:
        return build(pieces_sk, compiled.render_pieces(c), c)

    ceiling = timed(render_only)
    rows = []
    for name, fn in (
        ("EmailMessage default policy, quoted-printable", naive),
        ("EmailMessage default policy, base64", lambda c: naive(c, "base64")),
        ("compat32 MIMEMultipart + MIMEText (base64)", compat32),
        ("MimeSkeleton: shared parts once, QP via binascii", skeleton),
        ("MimeSkeleton + template's literal pieces QP-encoded once per campaign", skeleton_pieces),
    ):
        rows.append(
            {
                "name": f"MIME build + render, {size // 1024} KB HTML: {name}",
                "value": round(timed(fn)),
                "unit": "emails/s per CPU-second",
                "ceiling": round(ceiling),
                "ceiling_name": "Jinja render alone",
            }
        )
    return rows


async def run(quick: bool) -> list[dict[str, Any]]:
    return await asyncio.to_thread(measure, 200 if quick else 1000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    for r in asyncio.run(run(args.quick)):
        print(f"{r['name']:<90} {r['value']:>8} {r['unit']}   (ceiling {r['ceiling']}: {r['ceiling_name']})")


if __name__ == "__main__":
    main()
