"""From a message row to raw MIME: compiled templates and MIME skeletons cached per campaign / template.

Marketing mail always carries List-Unsubscribe (https one-click, plus mailto when configured) and
List-Unsubscribe-Post, a visible unsubscribe and preferences link (added when the content has none), a Feedback-ID,
and `X-Sesame-Message-Id`; SES tags `sesame-project` / `sesame-message` let feedback find the message again.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender.mime import MimeSkeleton, list_unsubscribe_value
from services.sender.settings import SenderSettings
from services.sender.templating import CompiledTemplate, compile_parts, contact_context, html_to_text
from services.sender.tracking import no_track
from shared.links import UNSUBSCRIBE, LinkTarget, make_token, preferences_url, unsubscribe_url
from shared.models.sender import Campaign, Template
from shared.tokens import TokenCodec


@dataclass
class Prepared:
    """The cached, shared part of a campaign or template send."""

    compiled: CompiledTemplate | None
    skeleton: MimeSkeleton
    from_address: str


@dataclass
class Composed:
    raw: bytes
    from_address: str
    tags: list[tuple[str, str]]


class Composer:
    def __init__(
        self, sender: SenderSettings, codec: TokenCodec, public_url: str, cache_size: int = 256
    ) -> None:
        self.sender = sender
        self.codec = codec
        self.public_url = public_url.rstrip("/")
        self._cache: OrderedDict[tuple[Any, ...], Prepared] = OrderedDict()
        self._size = cache_size

    def _remember(self, key: tuple[Any, ...], value: Prepared) -> Prepared:
        self._cache[key] = value
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return value

    def feedback_id(self, project_id: int, kind: str, campaign_id: int | None) -> str:
        return f"{campaign_id or kind}:{project_id}:{kind}:{self.sender.feedback_id_sender}"

    async def campaign(self, session: AsyncSession, campaign_id: int, default_from: str) -> Prepared:
        row = (await session.execute(sa.select(Campaign).where(Campaign.id == campaign_id))).scalar_one()
        tpl = None
        if row.template_id is not None:
            tpl = (
                await session.execute(sa.select(Template).where(Template.id == row.template_id))
            ).scalar_one()
        key = ("c", row.id, row.updated_at, tpl.version if tpl else None, default_from)
        hit = self._cache.get(key)
        if hit:
            return hit
        subject, html, text = (
            (tpl.subject, tpl.html, tpl.text) if tpl else (row.subject or "", row.html, row.text)
        )
        compiled = compile_parts(subject, html, text, add_unsubscribe_footer=True)
        from_address = row.from_address or default_from
        skeleton = MimeSkeleton(
            from_address=from_address,
            reply_to=row.reply_to,
            feedback_id=self.feedback_id(row.project_id, "marketing", row.id),
            one_click=True,
            cacheable=compiled.constants,
        )
        return self._remember(key, Prepared(compiled, skeleton, from_address))

    async def template(
        self, session: AsyncSession, template_id: int, project_id: int, kind: str, from_address: str
    ) -> Prepared:
        tpl = (
            await session.execute(
                sa.select(Template).where(Template.id == template_id, Template.project_id == project_id)
            )
        ).scalar_one()
        key = ("t", tpl.id, tpl.version, kind, from_address)
        hit = self._cache.get(key)
        if hit:
            return hit
        compiled = compile_parts(tpl.subject, tpl.html, tpl.text)
        skeleton = MimeSkeleton(
            from_address=from_address,
            feedback_id=self.feedback_id(project_id, kind, None),
            cacheable=compiled.constants,
        )
        return self._remember(key, Prepared(compiled, skeleton, from_address))

    def literal(self, project_id: int, kind: str, from_address: str) -> Prepared:
        key = ("l", project_id, kind, from_address)
        hit = self._cache.get(key)
        if hit:
            return hit
        skeleton = MimeSkeleton(
            from_address=from_address, feedback_id=self.feedback_id(project_id, kind, None)
        )
        return self._remember(key, Prepared(None, skeleton, from_address))

    def links(
        self,
        project_id: int,
        contact_id: int,
        list_id: int | None,
        message_id: int | None = None,
        campaign_id: int | None = None,
    ) -> dict[str, str]:
        """The mail's unsubscribe and preferences links; their tokens name the message and campaign so what the
        recipient does through them is attributed (subscription_changes.campaign_id / message_id)."""
        target = LinkTarget(project_id, contact_id, list_id, message_id, campaign_id)
        return {
            "unsubscribe_url": unsubscribe_url(self.public_url, self.codec, target),
            "preferences_url": preferences_url(
                self.public_url, self.codec, project_id, contact_id, target.attribution
            ),
        }

    def list_unsubscribe(self, https_url: str, project_id: int, contact_id: int, list_id: int | None) -> str:
        mailto = None
        if self.sender.unsubscribe_mailto:
            token = https_url.rsplit("/", 1)[-1] or make_token(
                self.codec, UNSUBSCRIBE, LinkTarget(project_id, contact_id, list_id)
            )
            mailto = f"mailto:{self.sender.unsubscribe_mailto}?subject={quote('unsubscribe ' + token)}"
        return list_unsubscribe_value(https_url, mailto)

    def compose(
        self,
        prepared: Prepared,
        *,
        message_id: int,
        project_id: int,
        kind: str,
        to: str,
        campaign_id: int | None,
        contact_id: int | None,
        list_id: int | None,
        attributes: dict[str, Any] | None,
        variables: dict[str, Any] | None,
        literal: tuple[str, str | None, str | None] | None,
        extra_headers: list[tuple[str, str]] | None = None,
        no_track_links: bool = False,
    ) -> Composed:
        """Render and encode one message (CPU only: no I/O)."""
        list_unsub = None
        links: dict[str, str] = {}
        if kind == "marketing" and contact_id is not None:
            links = self.links(project_id, contact_id, list_id, message_id, campaign_id)
            list_unsub = self.list_unsubscribe(links["unsubscribe_url"], project_id, contact_id, list_id)
        html: str | list[str] | None
        text: str | list[str]
        if prepared.compiled is not None:
            ctx = contact_context(to, attributes, **(variables or {}), **links)
            subject, html, text = prepared.compiled.render_pieces(ctx)
        else:
            assert literal is not None
            subject, html, text_opt = literal
            text = text_opt if text_opt is not None else html_to_text(html or "")
        if no_track_links and html is not None:  # opens tracked, clicks not: SES's per-link opt-out
            html = no_track(html) if isinstance(html, str) else [no_track(p) for p in html]
        headers = [("X-Sesame-Message-Id", str(message_id)), *(extra_headers or [])]
        raw = prepared.skeleton.build(
            to=to, subject=subject, html=html, text=text, list_unsubscribe=list_unsub, headers=headers
        )
        tags = [
            ("sesame-project", str(project_id)),
            ("sesame-message", str(message_id)),
            ("sesame-kind", kind),
        ]
        if campaign_id is not None:
            tags.append(("sesame-campaign", str(campaign_id)))
        return Composed(raw, prepared.skeleton.envelope_from, tags)
