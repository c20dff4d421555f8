"""What Sesame's users do, over HTTP only: a backend with its API key, subscribers with a browser-like client,
a mail provider following List-Unsubscribe, SNS posting feedback for mail that really went out."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.system.harness import INTERNAL_TOKEN, DistributedSystem, SystemBase, eventually
from tests.system.ses_faults import Accepted, FaultySes
from tests.system.sns_standin import DEFAULT_TOPIC, SentMail, ses_feedback_for

LINK_RE = re.compile(r"https?://[^\s\"'<>]+")


def sent_mail(acc: Accepted) -> SentMail:
    """What SES knows of an accepted mail (for its feedback): ids, recipients, headers, tags."""
    return SentMail(acc.ses_message_id, acc.to, acc.from_address, raw=acc.raw, tags=dict(acc.tags))


def mail_text(acc: Accepted) -> str:
    """Every text and HTML part of a mail, decoded."""
    msg: Message = acc.mime()
    parts: list[str] = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                parts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(parts)


def links_in(acc: Accepted, path_prefix: str) -> list[str]:
    """Links in the mail whose path starts with `path_prefix` (e.g. "/confirm/")."""
    out = []
    for url in LINK_RE.findall(mail_text(acc).replace("&amp;", "&")):
        if urlsplit(url).path.startswith(path_prefix):
            out.append(url.rstrip(".,);"))
    return out


def list_unsubscribe_url(acc: Accepted) -> str:
    """The https URL of the mail's List-Unsubscribe header (RFC 2369 angle-bracketed list)."""
    header = acc.header("List-Unsubscribe") or ""
    urls = re.findall(r"<([^>]+)>", header)
    https = [u for u in urls if u.startswith("http")]
    assert https, f"no https List-Unsubscribe in {header!r}"
    return https[0]


@dataclass
class Backend:
    """A project's backend: its API key and what it set up."""

    system: SystemBase
    ses: FaultySes | None
    key: str
    project_id: int
    owner_email: str
    webhook_url: str = ""
    topic_arn: str = DEFAULT_TOPIC
    lists: dict[str, int] = field(default_factory=dict)

    def api(self, **kw: Any) -> httpx.AsyncClient:
        return self.system.client(self.key, **kw)

    async def call(
        self, method: str, path: str, expect: int | tuple[int, ...] = (200, 201, 202), **kw: Any
    ) -> Any:
        async with self.api() as c:
            r = await c.request(method, path, **kw)
        ok = (expect,) if isinstance(expect, int) else expect
        assert r.status_code in ok, f"{method} {path} → {r.status_code} {r.text[:500]}"
        return (
            r.json() if r.content and r.headers.get("content-type", "").startswith("application/json") else r
        )

    # ------------------------------------------------------------ setup

    async def connect_ses(self) -> Any:
        """Point the project at the SES stand-in (credentials are what SigV4 signs with; the stand-in checks it)."""
        body: dict[str, Any] = {
            "region": "us-east-1",
            "credentials": {
                "mode": "keys",
                "access_key_id": "AKIASESAMESYSTEMTEST",
                "secret_access_key": "system-test-secret-access-key",
            },
            "from": f"News <news@p{self.project_id}.sesame-system.test>",
            "warmup": False,
        }
        return await self.call("PUT", "/v1/ses-account", json=body)

    async def wire_feedback(self) -> str:
        """The project's SNS webhook URL (as the SNS subscription would use it) and the allowed topic."""
        await self.call("PUT", "/v1/feedback/endpoint", json={"allowed_topic_arns": [self.topic_arn]})
        ep = await self.call("GET", "/v1/feedback/endpoint")
        self.webhook_url = ep["url"]
        return self.webhook_url

    async def create_list(self, name: str, **extra: Any) -> int:
        data = await self.call("POST", "/v1/lists", json={"name": name, **extra})
        self.lists[name] = int(data["id"])
        return self.lists[name]

    # ------------------------------------------------------------ campaigns

    async def campaign(self, list_ids: list[int], *, subject: str = "Hello {{ contact.email }}", html: str | None = None,
                       name: str | None = None) -> dict[str, Any]:  # fmt: skip
        html = html or "<h1>News</h1><p>Hello {{ contact.email }}, here is our news.</p>"
        return await self.call(
            "POST", "/v1/campaigns",
            json={"name": name or f"c-{uuid.uuid4().hex[:6]}", "list_ids": list_ids, "subject": subject, "html": html,
                  "send_now": True},
        )  # fmt: skip

    async def campaign_done(self, campaign_id: int, *, within: float = 120) -> dict[str, Any]:
        """Wait until no message of the campaign is queued/sending/delayed; the campaign with its progress."""

        async def check() -> Any:
            c = await self.call("GET", f"/v1/campaigns/{campaign_id}")
            counts = (c.get("progress") or {}).get("counts") or {}
            busy = sum(counts.get(s, 0) for s in ("queued", "sending", "delayed"))
            if c.get("recipients") is not None and c.get("fanout_at") and busy == 0:
                return c
            return None

        return await eventually(check, within=within, every=0.5, what=f"campaign {campaign_id} finished")

    # ------------------------------------------------------------ feedback

    async def feedback(self, acc: Accepted, *, outcome: str | None = None, fmt: str = "notification",
                       version: str = "2", retry: bool = True) -> Any:  # fmt: skip
        """SNS delivers the SES feedback for a mail the stand-in accepted. Event publishing reports the mail's
        tags and original headers (ours: `sesame-message`, `X-Sesame-Message-Id`), as SES does with a configuration
        set; notifications carry neither (identity notifications without "include original headers")."""
        event = fmt == "event"
        sent = SentMail(acc.ses_message_id, acc.to, acc.from_address, raw=acc.raw if event else None,
                        tags=dict(acc.tags) if event else {})  # fmt: skip
        doc = ses_feedback_for(sent, fmt=fmt, outcome=outcome)
        env = self.system.signer.notification(doc, topic_arn=self.topic_arn, version=version)
        return await self.system.post_sns(self.webhook_url, env, retry=retry)


async def bootstrap(system: SystemBase, ses: FaultySes, name: str | None = None) -> Backend:
    """A project with its first API key (operator step), its SES account and SNS feedback wired."""
    name = name or f"proj-{uuid.uuid4().hex[:6]}"
    owner = f"owner+{uuid.uuid4().hex[:6]}@example.com"
    pid, key = await create_project(system, name, owner)
    b = Backend(system, ses, key, pid, owner)
    await b.connect_ses()
    await b.wire_feedback()
    return b


async def create_project(system: SystemBase, name: str, owner_email: str) -> tuple[int, str]:
    """The operator's bootstrap: `sesame project create` when it exists, else the subscriptions admin route."""
    try:
        out = await system.sesame_cli("project", "create", name, "--owner-email", owner_email)
        m = re.search(r"\bses_[0-9a-f]+_[A-Za-z0-9_\-]+", out)
        pid = re.search(r"\bid\D{0,5}(\d+)|project\D{0,20}(\d+)", out, re.I)
        if m and pid:
            return int(pid.group(1) or pid.group(2)), m.group(0)
    except RuntimeError:
        pass
    if isinstance(system, DistributedSystem):
        async with httpx.AsyncClient(timeout=30) as c:
            r = await c.post(
                system.subscriptions.url + "/admin/projects",
                json={"name": name, "owner_email": owner_email},
                headers={"X-Sesame-Internal-Token": INTERNAL_TOKEN},
            )
        assert r.status_code == 201, r.text
        data = r.json()
        return int(data["project"]["id"]), data["api_key"]["key"]
    # Embedded without the CLI: the same service function against the SQLite file.
    script = (
        "import asyncio, json, sys\n"
        "from shared.settings import Settings\nfrom shared.runtime import Runtime\n"
        "from services.subscriptions.projects import create_project\n"
        "async def main():\n"
        "    rt = Runtime(Settings())\n"
        "    async with rt.uow() as s:\n"
        "        p, k, new = await create_project(s, sys.argv[1], sys.argv[2])\n"
        "        pid = p.id\n"
        "    await rt.engine.dispose()\n"
        "    print(json.dumps({'id': pid, 'key': new.key}))\n"
        "asyncio.run(main())\n"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, name, owner_email, env={**__import__("os").environ, **system.base_env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()[-2000:]
    data = json.loads(out.decode().strip().splitlines()[-1])
    return int(data["id"]), data["key"]


@dataclass
class Subscriber:
    """A person with a browser (cookies, follows the pages) and an inbox at the SES stand-in."""

    system: SystemBase
    ses: FaultySes
    email: str
    ip: str = "198.51.100.7"

    def browser(self) -> httpx.AsyncClient:
        return self.system.client(
            headers={"X-Forwarded-For": self.ip, "User-Agent": "Mozilla/5.0 (system test)"}
        )

    def inbox(self) -> list[Accepted]:
        return self.ses.to(self.email)

    async def sign_up(self, list_id: int, **fields: str) -> httpx.Response:
        async with self.browser() as b:
            page = await b.get(f"/f/{list_id}")
            assert page.status_code == 200, page.text[:300]
            r = await b.post(f"/f/{list_id}", data={"email": self.email, **fields})
        assert r.status_code in (200, 303), f"signup {self.email}: {r.status_code} {r.text[:300]}"
        return r

    async def confirmation_mail(self, within: float = 60) -> Accepted:
        async def check() -> Accepted | None:
            for acc in reversed(self.inbox()):
                if links_in(acc, "/confirm/"):
                    return acc
            return None

        return await eventually(check, within=within, what=f"confirmation mail to {self.email}")

    async def confirm(self) -> httpx.Response:
        acc = await self.confirmation_mail()
        url = links_in(acc, "/confirm/")[0]
        path = urlsplit(url).path
        async with self.browser() as b:
            shown = await b.get(path)
            assert shown.status_code == 200, shown.text[:300]
            r = await b.post(path, data={})
        assert r.status_code in (200, 303), f"confirm {self.email}: {r.status_code} {r.text[:300]}"
        return r

    async def one_click_unsubscribe(self, acc: Accepted) -> httpx.Response:
        """Exactly what a mail provider does (RFC 8058): POST the List-Unsubscribe URL, no cookies, no redirects."""
        url = list_unsubscribe_url(acc)
        assert (acc.header("List-Unsubscribe-Post") or "").strip() == "List-Unsubscribe=One-Click"
        path = urlsplit(url).path
        async with httpx.AsyncClient(
            base_url=self.system.gateway_url, timeout=30, follow_redirects=False
        ) as c:
            return await c.post(
                path,
                content=b"List-Unsubscribe=One-Click",
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "User-Agent": "GoogleOneClick/1.0",
                },
            )


class FeedbackPump:
    """SES → SNS → gateway for every mail the stand-in accepts, a moment after it was accepted — what a real SES
    account with feedback wired does. Outcomes follow the mailbox simulator (bounce+…@ bounces, complaint+…@
    complains, anything else is delivered); the event-publishing format carries the message tags."""

    def __init__(self, system: SystemBase, ses: FaultySes, *, delay: float = 0.3, fmt: str = "event",
                 concurrency: int = 16) -> None:  # fmt: skip
        self.system, self.ses, self.delay, self.fmt = system, ses, delay, fmt
        self.backends: dict[int, Backend] = {}
        self.posted: list[tuple[str, int | None]] = []
        self._next = 0
        self._task: asyncio.Task[None] | None = None
        self._sem = asyncio.Semaphore(concurrency)
        self._inflight: set[asyncio.Task[None]] = set()

    def register(self, backend: Backend) -> None:
        self.backends[backend.project_id] = backend

    def start(self) -> FeedbackPump:
        self._next = len(self.ses.accepted)  # only mail accepted from now on
        self._task = asyncio.create_task(self._run())
        return self

    async def _post(self, backend: Backend, acc: Accepted) -> None:
        async with self._sem:
            r = await backend.feedback(acc, fmt=self.fmt)
            self.posted.append((acc.to[0], r.status))

    async def _run(self) -> None:
        while True:
            accepted = self.ses.accepted
            now = time.time()
            while self._next < len(accepted) and now - accepted[self._next].at >= self.delay:
                acc = accepted[self._next]
                self._next += 1
                try:
                    project = int(acc.tags.get("sesame-project", "0"))
                except ValueError:
                    continue
                backend = self.backends.get(project)
                if backend is None or not backend.webhook_url:
                    continue
                t = asyncio.create_task(self._post(backend, acc))
                self._inflight.add(t)
                t.add_done_callback(self._inflight.discard)
            await asyncio.sleep(0.05)

    async def drain(self, within: float = 60) -> None:
        """Wait until everything accepted so far has been posted."""
        target = len(self.ses.accepted)

        async def done() -> bool:
            return self._next >= target and not self._inflight

        await eventually(done, within=within + self.delay, what="feedback pump drained")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for t in list(self._inflight):
            t.cancel()


async def import_active(
    b: Backend, list_id: int, emails: list[str], *, within: float = 180
) -> dict[str, Any]:
    """Bulk import with recorded consent (the CSV import API), waiting until it completed."""
    csv = ("email\n" + "\n".join(emails) + "\n").encode()
    imp = await b.call(
        "POST", f"/v1/lists/{list_id}/imports", params={"consent_source": "system test import", "filename": "s.csv"},
        content=csv, headers={"Content-Type": "text/csv"},
    )  # fmt: skip

    async def done() -> dict[str, Any] | None:
        cur = await b.call("GET", f"/v1/imports/{imp['id']}")
        assert cur["status"] != "failed", cur
        return cur if cur["status"] == "completed" else None

    final: dict[str, Any] = await eventually(done, within=within, what="import completed")
    assert final["rows_imported"] == len(emails), final
    return final
