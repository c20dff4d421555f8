"""Templates: Jinja2 in its sandbox (HTML autoescaped), text derived from HTML, errors reported with the line.

A template is compiled once (per campaign, or cached by id + version) and rendered per recipient. The text part,
when the author gave none, is derived from the HTML *source* once — Jinja tags survive the conversion — so no
per-recipient HTML parsing happens on the send path.
"""

from __future__ import annotations

import html as html_lib
import re
import types
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import islice
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.ext import Extension
from jinja2.sandbox import SandboxedEnvironment

from shared.errors import Unprocessable

MAX_RENDERED_CHARS = 2_000_000  # one value built by a template expression (a 20 KB newsletter is 1 %)
MAX_EXPONENT = 64
MAX_LOOP_ITERATIONS = 1_000_000  # loop items + macro calls, per render, all parts together
MACRO_CALL_COST = 10  # a macro call costs ~20 µs, a loop item ~1 µs: both bounded to seconds per render
MAX_OUTPUT_CHARS = 5 * MAX_RENDERED_CHARS  # a whole rendered message (subject + HTML + text)
_PIECES_UNCHECKED = 128  # a part yielding fewer output pieces is not counted (see `_collect`)
_PIECES_PER_CHECK = 256  # output pieces collected between size checks

# The iterations left to the render in progress: one mutable cell per render, so nested loops share it.
_budget: ContextVar[list[int] | None] = ContextVar("sesame_template_budget", default=None)


class _IterationBudget(Extension):
    """Counts loop items and macro calls against the render's budget.

    Each capped range() or 2M-item string is fine alone; nested, they multiply (1e10 iterations) and freeze
    the sender for every project. The compiler (`_charge_loops`) routes every `for` and every macro body
    through this extension: an ExtensionAttribute node, which no template source can produce.
    """

    def iterate(self, iterable: Iterable[Any]) -> Iterable[Any]:
        cell = _budget.get() or [MAX_LOOP_ITERATIONS]
        if isinstance(iterable, range | str | tuple | bytes):
            # Immutable and sized: charge the whole length now and iterate at full speed.
            cell[0] -= len(iterable)
            if cell[0] < 0:
                raise SecurityError(f"over {MAX_LOOP_ITERATIONS} loop iterations in one render refused")
            return iterable
        return self._counted(iterable, cell)

    @staticmethod
    def _counted(iterable: Iterable[Any], cell: list[int]) -> Iterator[Any]:
        # One item at a time: a list can grow while it is looped over (`l.append` is allowed in the sandbox).
        for item in iterable:
            cell[0] -= 1
            if cell[0] < 0:
                raise SecurityError(f"over {MAX_LOOP_ITERATIONS} loop iterations in one render refused")
            yield item

    def charge(self) -> str:
        cell = _budget.get() or [MAX_LOOP_ITERATIONS]
        cell[0] -= MACRO_CALL_COST
        if cell[0] < 0:
            raise SecurityError(f"over {MAX_LOOP_ITERATIONS} loop iterations in one render refused")
        return ""


class LimitedSandbox(SandboxedEnvironment):
    """The Jinja sandbox plus resource limits: `'a' * 10**9` or `2 ** 10**9` is refused, not computed.

    The stock sandbox already caps `range()` (MAX_RANGE, raising OverflowError) and blocks attribute escapes;
    it does not bound sequence repetition, concatenation or exponentiation.
    """

    intercepted_binops = frozenset(["*", "**", "+"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
                raise SecurityError(f"exponent over {MAX_EXPONENT} refused")
        elif operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | bytes | list | tuple) and isinstance(n, int):
                    if len(seq) * n > MAX_RENDERED_CHARS:
                        raise SecurityError(f"a value over {MAX_RENDERED_CHARS} items refused")
        elif operator == "+":
            if isinstance(left, str | bytes | list | tuple) and isinstance(right, str | bytes | list | tuple):
                if len(left) + len(right) > MAX_RENDERED_CHARS:
                    raise SecurityError(f"a value over {MAX_RENDERED_CHARS} items refused")
        return super().call_binop(context, operator, left, right)


_ENV_OPTIONS: dict[str, Any] = {
    "undefined": Undefined,
    "keep_trailing_newline": True,
    "extensions": [_IterationBudget],
}
_HTML_ENV = LimitedSandbox(autoescape=True, **_ENV_OPTIONS)
_TEXT_ENV = LimitedSandbox(autoescape=False, **_ENV_OPTIONS)

MAX_TEMPLATE_CHARS = 500_000

UNSUB_FOOTER_HTML = (
    '\n<div style="margin-top:24px;font-size:12px;color:#666">'
    "You receive this because you subscribed. "
    '<a href="{{ unsubscribe_url }}">Unsubscribe</a> · '
    '<a href="{{ preferences_url }}">Manage preferences</a></div>\n'
)
UNSUB_FOOTER_TEXT = "\n\n--\nUnsubscribe: {{ unsubscribe_url }}\nManage preferences: {{ preferences_url }}\n"


class TemplateInvalid(Unprocessable):
    error = "template_invalid"


@dataclass(frozen=True)
class TemplateProblem:
    part: str
    line: int | None
    message: str


def _internal_name(node: nodes.Node) -> str | None:
    """The name a node reaches for when it is a Python internal (`__class__`, `_TemplateReference__context`)."""
    name: Any = None
    if isinstance(node, nodes.Getattr):
        name = node.attr
    elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        name = node.arg.value
    elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
        if isinstance(node.args[0], nodes.Const):
            name = node.args[0].value
    return name if isinstance(name, str) and "__" in name else None


def _refuse_internals(part: str, tree: nodes.Template) -> None:
    # The sandbox refuses these at render time anyway; refusing them at save time tells the author now, with
    # the line, instead of failing every send later.
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        name = _internal_name(node)
        if name is not None:
            raise TemplateInvalid(
                {
                    "part": part,
                    "line": node.lineno,
                    "message": f"'{name[:60]}' is not allowed: a template cannot reach Python internals",
                }
            )


def _charge_loops(tree: nodes.Template) -> None:
    """Route every loop's items and every macro call through the render's iteration budget."""
    ident = _IterationBudget.identifier
    for loop in tree.find_all(nodes.For):
        it = loop.iter
        loop.iter = nodes.Call(
            nodes.ExtensionAttribute(ident, "iterate"), [it], [], None, None, lineno=it.lineno
        )
    # A macro calling itself twice recurses exponentially without any loop.
    for macro in tree.find_all((nodes.Macro, nodes.CallBlock)):
        call = nodes.Call(nodes.ExtensionAttribute(ident, "charge"), [], [], None, None, lineno=macro.lineno)
        macro.body.insert(0, nodes.ExprStmt(call, lineno=macro.lineno))


def _compile(env: SandboxedEnvironment, part: str, source: str) -> Any:
    try:
        tree = env.parse(source)
        _refuse_internals(part, tree)
        _charge_loops(tree)
        return env.from_string(tree)
    except TemplateSyntaxError as exc:
        raise TemplateInvalid(
            {"part": part, "line": exc.lineno, "message": exc.message or str(exc)}
        ) from None


class _HtmlToText(HTMLParser):
    """A small, predictable HTML → text converter (block elements break lines, links keep their URL)."""

    BLOCK = {"p", "div", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "li", "table", "ul", "ol", "hr"}
    SKIP = {"style", "script", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0
        self._href: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "a":
            self._href.append(dict(attrs).get("href"))
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in self.BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "a":
            href = self._href.pop() if self._href else None
            if href and not href.startswith(("#", "mailto:")):
                self.out.append(f" ({href})")
        elif tag in self.BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        raw = "".join(self.out)
        lines = [ln.strip() for ln in raw.splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def html_to_text(source: str) -> str:
    """Readable plain text for an HTML document (or HTML template source: Jinja tags are kept)."""
    p = _HtmlToText()
    p.feed(source)
    p.close()
    return p.text()


def template_constants(*templates: Any, min_chars: int = 32) -> frozenset[str]:
    """The literal text pieces of compiled templates (≥ min_chars): rendering yields these very strings between
    the values it fills in, so whatever is derived from them (their MIME encoding) can be computed once."""
    out: set[str] = set()
    stack = []
    for tpl in templates:
        if tpl is not None:
            stack.append(tpl.root_render_func.__code__)
            stack.extend(f.__code__ for f in tpl.blocks.values())
    while stack:
        code = stack.pop()
        for const in code.co_consts:
            if isinstance(const, str) and len(const) >= min_chars:
                out.add(const)
            elif isinstance(const, types.CodeType):
                stack.append(const)
    return frozenset(out)


def _collect(pieces: Iterator[str], room: list[int]) -> list[str]:
    """The pieces a template yields, refused once they pass the characters left in `room`.

    Checked while rendering, not after: each `{{ s }}` of a 2M-character value yields a new escaped copy, so a
    loop would fill the memory before any join. A template yielding few pieces (a newsletter without loops
    yields ~100) skips the count: its size is bounded by the per-value caps, and counting would cost ~5 %.
    """
    out = list(islice(pieces, _PIECES_UNCHECKED))
    if len(out) < _PIECES_UNCHECKED:
        return out
    chunk = out
    while chunk:
        room[0] -= sum(map(len, chunk))
        if room[0] < 0:
            raise SecurityError(f"a message over {MAX_OUTPUT_CHARS} characters refused")
        chunk = list(islice(pieces, _PIECES_PER_CHECK))
        out += chunk
    return out


@dataclass
class CompiledTemplate:
    """The three parts of a message, compiled; `render` fills them for one recipient."""

    subject: Any
    html: Any | None
    text: Any
    has_unsubscribe_link: bool
    constants: frozenset[str] = frozenset()

    def render(self, context: dict[str, Any]) -> tuple[str, str | None, str]:
        subject, html, text = self.render_pieces(context)
        return subject, "".join(html) if html is not None else None, "".join(text)

    def render_pieces(self, context: dict[str, Any]) -> tuple[str, list[str] | None, list[str]]:
        """Like `render`, with the HTML and text bodies as the pieces the template yields (see `constants`)."""
        token = _budget.set([MAX_LOOP_ITERATIONS])  # a fresh budget for this recipient's message
        try:
            room = [MAX_OUTPUT_CHARS]
            subject_pieces = _collect(self.subject.generate(context), room)
            html = _collect(self.html.generate(context), room) if self.html is not None else None
            text = _collect(self.text.generate(context), room)
            subject = " ".join("".join(subject_pieces).split())
        except (SecurityError, OverflowError, RecursionError, MemoryError) as exc:
            raise TemplateInvalid(
                {"part": "render", "line": None, "message": f"unsafe template: {exc}"}
            ) from None
        except TemplateError as exc:
            raise TemplateInvalid({"part": "render", "line": None, "message": str(exc)}) from None
        finally:
            _budget.reset(token)
        return subject, html, text


def _mentions(source: str | None, name: str) -> bool:
    return bool(source) and re.search(r"\{\{[^}]*\b" + name + r"\b", source or "") is not None


def validate_parts(subject: str | None, html: str | None, text: str | None) -> None:
    """Raise TemplateInvalid (422, with part and line) unless the parts compile."""
    if not subject or not subject.strip():
        raise TemplateInvalid({"part": "subject", "line": None, "message": "subject is required"})
    if not (html or text):
        raise TemplateInvalid({"part": "html", "line": None, "message": "html or text is required"})
    for part, src in (("subject", subject), ("html", html), ("text", text)):
        if src is not None and len(src) > MAX_TEMPLATE_CHARS:
            raise TemplateInvalid(
                {"part": part, "line": None, "message": f"over {MAX_TEMPLATE_CHARS} characters"}
            )
    _compile(_TEXT_ENV, "subject", subject)
    if html is not None:
        _compile(_HTML_ENV, "html", html)
    if text is not None:
        _compile(_TEXT_ENV, "text", text)


def compile_parts(
    subject: str, html: str | None, text: str | None, *, add_unsubscribe_footer: bool = False
) -> CompiledTemplate:
    """Compile subject/html/text; derive text from html when absent; add the unsubscribe footer when asked and
    the content has no unsubscribe link of its own."""
    validate_parts(subject, html, text)
    has_link = _mentions(html, "unsubscribe_url") or (html is None and _mentions(text, "unsubscribe_url"))
    text_src = text if text is not None else html_to_text(html or "")
    if add_unsubscribe_footer and not has_link:
        if html is not None:
            idx = html.lower().rfind("</body>")
            html = html[:idx] + UNSUB_FOOTER_HTML + html[idx:] if idx >= 0 else html + UNSUB_FOOTER_HTML
        if not _mentions(text_src, "unsubscribe_url"):
            text_src = text_src.rstrip("\n") + UNSUB_FOOTER_TEXT
    html_tpl = _compile(_HTML_ENV, "html", html) if html is not None else None
    text_tpl = _compile(_TEXT_ENV, "text", text_src)
    return CompiledTemplate(
        subject=_compile(_TEXT_ENV, "subject", subject),
        html=html_tpl,
        text=text_tpl,
        has_unsubscribe_link=has_link,
        constants=template_constants(html_tpl, text_tpl),
    )


def contact_context(email: str, attributes: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    """Variables a template sees: the contact's attributes at top level and under `contact`, plus links."""
    attrs = attributes or {}
    ctx: dict[str, Any] = {k: v for k, v in attrs.items() if isinstance(k, str) and k.isidentifier()}
    ctx["contact"] = {"email": email, "attributes": attrs, **ctx}
    ctx["email"] = email
    ctx.update(extra)
    return ctx


def escape(value: str) -> str:
    return html_lib.escape(value, quote=True)
