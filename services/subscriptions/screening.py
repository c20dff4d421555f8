"""Import screening: role addresses, disposable domains, domains that cannot receive mail, and the risk share.

Role and disposable checks are set look-ups done row by row in the CSV thread (csv_rows.py). Domains are counted
per batch; each distinct domain is looked up once (MX, then A/AAAA when there is no MX) on the event loop while the
import goes on: an async dnspython resolver, a cache per import, bounded concurrency, one time budget per import.
A lookup that fails (offline, timeout, SERVFAIL) or that the budget cuts off counts as *skipped*, with a note in
the report — never as a failure of the import and never as "no MX".

The disposable list is the `disposable-email-domains` package's blocklist plus, when the setting
`SESAME_SUBSCRIPTIONS_SCREENING_DISPOSABLE_FILE` names one, a file of extra domains (one per line) that an operator
refreshes with `sesame screening update-disposable --source FILE_OR_URL`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.resolver

from shared.nameservers import parse_nameserver

log = logging.getLogger("sesame.subscriptions.screening")

# Mailboxes that reach a function or a team rather than a person who signed up: they rarely opt in themselves,
# complain more and are often traps. Compared on the local part, lower-cased, without a +tag.
ROLE_LOCAL_PARTS = frozenset(
    """abuse accounting accounts admin administrator billing contact customercare customerservice devnull
    enquiries enquiry feedback finance hello help helpdesk hostmaster hr info inquiries inquiry investor
    investors it jobs legal mail mailer-daemon marketing media news newsletter no-reply noc noreply
    office ops orders postmaster press privacy purchasing recruitment root sales security service
    spam support sysadmin team tech webmaster www""".split()
)


def is_role(local: str) -> bool:
    """A role mailbox (info@, sales@, noreply@ …), with any +tag ignored."""
    return local.lower().split("+", 1)[0] in ROLE_LOCAL_PARTS


def load_disposable(extra_file: str | None = None) -> frozenset[str]:
    """The package's disposable domains plus the operator's file of extra ones (missing file: none)."""
    from disposable_email_domains import blocklist

    domains = set(blocklist)
    if extra_file:
        path = Path(extra_file)
        if path.exists():
            domains.update(_domain_lines(path.read_text("utf-8", "replace")))
    return frozenset(domains)


def _domain_lines(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        d = line.split("#", 1)[0].strip().lower().rstrip(".")
        if d and "." in d and " " not in d:
            out.append(d)
    return out


class DisposableDomains:
    """Membership of a domain or any parent domain (sub.mailinator.com is disposable too), cached per domain."""

    def __init__(self, domains: frozenset[str]) -> None:
        self.domains = domains
        self.check = lru_cache(maxsize=65536)(self._check)

    def _check(self, domain: str) -> bool:
        d = domain.lower()
        while True:
            if d in self.domains:
                return True
            dot = d.find(".")
            if dot < 0:
                return False
            d = d[dot + 1 :]


@dataclass
class DomainChecks:
    """Looks up each distinct domain once: `ok`, `no_mail` (no MX and no A/AAAA, or a null MX) or `skipped`."""

    nameservers: list[str] | None = None
    timeout: float = 3.0
    concurrency: int = 32
    budget_seconds: float = 30.0
    probe: str = ""  # a domain known to receive mail: if the resolver denies it, DNS here cannot be trusted
    results: dict[str, str] = field(default_factory=dict)
    notes: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._resolver: dns.asyncresolver.Resolver | None = None
        self._sem = asyncio.Semaphore(self.concurrency)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._started = time.monotonic()
        self._setup_error: str | None = None
        self._probe_task: asyncio.Task[None] | None = None
        try:
            self._resolver = dns.asyncresolver.Resolver(configure=not self.nameservers)
            if self.nameservers:
                self._resolver.nameservers = [parse_nameserver(n) for n in self.nameservers]
            self._resolver.timeout = self.timeout
            self._resolver.lifetime = self.timeout
        except (dns.exception.DNSException, OSError, ValueError) as exc:  # no resolv.conf: offline
            self._setup_error = f"no DNS resolver ({type(exc).__name__}: {exc})"

    def submit(self, domains: list[str] | set[str]) -> None:
        """Start looking up the domains not seen yet (returns at once)."""
        if self.probe and self._probe_task is None and self._setup_error is None:
            self._probe_task = asyncio.create_task(self._run_probe())
        for d in domains:
            if d not in self._tasks:
                self._tasks[d] = asyncio.create_task(self._check(d))

    async def _run_probe(self) -> None:
        try:
            answer = await asyncio.wait_for(self._lookup(self.probe), self.timeout * 2)
        except (TimeoutError, dns.exception.DNSException, OSError) as exc:
            self._setup_error = f"DNS unreachable (probe {self.probe}: {type(exc).__name__})"
            return
        if answer != "ok":
            self._setup_error = f"the resolver denies the probe domain {self.probe} (offline or filtered DNS)"

    async def _check(self, domain: str) -> None:
        if self._probe_task is not None:
            await self._probe_task
        if self._setup_error or self._resolver is None:
            self.results[domain] = "skipped"
            self.notes[self._setup_error or "no resolver"] += 1
            return
        async with self._sem:
            left = self.budget_seconds - (time.monotonic() - self._started)
            if left <= 0:
                self.results[domain] = "skipped"
                self.notes["time budget spent"] += 1
                return
            try:
                self.results[domain] = await asyncio.wait_for(self._lookup(domain), left)
            except TimeoutError:
                self.results[domain] = "skipped"
                self.notes["time budget spent"] += 1
            except (dns.exception.DNSException, OSError) as exc:
                self.results[domain] = "skipped"
                self.notes[f"lookup failed: {type(exc).__name__}"] += 1

    async def _lookup(self, domain: str) -> str:
        assert self._resolver is not None
        name = domain.encode("idna").decode() if not domain.isascii() else domain
        try:
            answer = await self._resolver.resolve(name, "MX")
        except dns.resolver.NXDOMAIN:
            return "no_mail"
        except dns.resolver.NoAnswer:
            pass  # no MX: mail goes to the A/AAAA host (RFC 5321 §5.1)
        else:
            hosts = [r.exchange.to_text() for r in answer]
            return "no_mail" if hosts and all(h == "." for h in hosts) else "ok"  # null MX (RFC 7505)
        for rdtype in ("A", "AAAA"):
            try:
                await self._resolver.resolve(name, rdtype)
                return "ok"
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                continue
        return "no_mail"

    async def finish(self) -> None:
        """Wait for the lookups still running (each is bounded by the budget)."""
        if self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    def cancel(self) -> None:
        for t in self._tasks.values():
            t.cancel()


@dataclass
class ScreenTally:
    """Counts of one import, added batch by batch."""

    rows: int = 0  # addresses kept (syntax ok, not a duplicate)
    role: int = 0
    disposable: int = 0
    domains: Counter[str] = field(default_factory=Counter)
    role_domains: Counter[str] = field(default_factory=Counter)  # the role rows by domain
    role_examples: list[str] = field(default_factory=list)

    def add(
        self,
        rows: int,
        role: int,
        disposable: int,
        domains: Counter[str],
        role_domains: Counter[str] | None = None,
    ) -> None:
        self.rows += rows
        self.role += role
        self.disposable += disposable
        self.domains.update(domains)
        if role_domains:
            self.role_domains.update(role_domains)


def _share(n: int, total: int) -> float:
    return round(n / total, 4) if total else 0.0


def quality_report(
    tally: ScreenTally,
    checks: DomainChecks | None,
    disposable: DisposableDomains,
    *,
    rows_processed: int,
    rows_failed: int,
    rows_duplicate: int,
    hold_risk: float,
) -> dict[str, Any]:
    """The list-quality report kept on the import (shares are of the rows read)."""
    total = rows_processed
    no_mail = skipped = 0
    no_mail_domains: list[tuple[str, int]] = []
    if checks is not None:
        for d, n in tally.domains.items():
            if disposable.check(d):
                continue  # counted as disposable already, not looked up
            r = checks.results.get(d, "skipped")
            if r == "no_mail":
                no_mail += n
                no_mail_domains.append((d, n))
            elif r == "skipped":
                skipped += n
    disposable_domains = sorted(
        ((d, n) for d, n in tally.domains.items() if disposable.check(d)), key=lambda x: -x[1]
    )
    # Rows with at least one reason, each counted once: every row at a disposable or mail-less domain (those two
    # never overlap: a disposable domain is not looked up), plus the role rows at the other domains.
    risky_domains = {d for d, _ in disposable_domains} | {d for d, _ in no_mail_domains}
    role_elsewhere = sum(n for d, n in tally.role_domains.items() if d not in risky_domains)
    risky = tally.disposable + no_mail + role_elsewhere
    risk = _share(risky, tally.rows)
    dns_note = None
    if checks is None:
        dns_note = "domain checks are off (SESAME_SUBSCRIPTIONS_SCREENING_DNS=false)"
    elif checks.notes:
        dns_note = "; ".join(f"{k}: {v} domains" for k, v in checks.notes.most_common(3)) + (
            " — their rows were not checked (skipped), not counted as risky"
        )
    return {
        "rows": total,
        "syntax_invalid": {"count": rows_failed, "share": _share(rows_failed, total)},
        "duplicate": {"count": rows_duplicate, "share": _share(rows_duplicate, total)},
        "role": {"count": tally.role, "share": _share(tally.role, total)},
        "disposable": {
            "count": tally.disposable,
            "share": _share(tally.disposable, total),
            "top_domains": [{"domain": d, "count": n} for d, n in disposable_domains[:10]],
        },
        "no_mx": {
            "count": no_mail,
            "share": _share(no_mail, total),
            "top_domains": [
                {"domain": d, "count": n} for d, n in sorted(no_mail_domains, key=lambda x: -x[1])[:10]
            ],
        },
        "dns": {
            "domains": len(tally.domains),
            "checked": 0 if checks is None else sum(1 for r in checks.results.values() if r != "skipped"),
            "rows_skipped": skipped if checks is not None else tally.rows,
            "note": dns_note,
        },
        "risky_rows": risky,
        "risk_score": risk,
        "hold_threshold": hold_risk,
    }


def hold_reason(report: dict[str, Any]) -> str | None:
    """Why the import is held (None: under the threshold)."""
    risk, limit = report["risk_score"], report["hold_threshold"]
    if risk <= limit:
        return None
    return (
        f"risk {risk:.1%} over the project's {limit:.1%} threshold: role addresses "
        f"{report['role']['count']}, disposable domains {report['disposable']['count']}, "
        f"domains without MX/A {report['no_mx']['count']} of {report['rows']} rows"
        + (f" ({report['risky_rows']} rows with at least one)" if "risky_rows" in report else "")
    )


async def fetch_disposable(source: str, timeout_seconds: float = 30.0) -> list[str]:
    """Domains from a file path or an http(s) URL (one per line, # comments): for the operator's refresh."""
    if source.startswith(("http://", "https://")):
        import httpx

        async with httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=True) as client:
            resp = await client.get(source)
            resp.raise_for_status()
            text = resp.text
    else:
        text = await asyncio.to_thread(Path(source).read_text, "utf-8", "replace")
    return sorted(set(_domain_lines(text)))


def write_disposable(path: str, domains: list[str]) -> None:
    """Replace the operator's extra-domains file atomically."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text("\n".join(domains) + "\n", "utf-8")
    with contextlib.suppress(OSError):
        tmp.replace(target)


_DISPOSABLE: dict[tuple[str | None, float], DisposableDomains] = {}


def disposable_domains(extra_file: str | None) -> DisposableDomains:
    """The disposable list, loaded once per (file, modification time): a refreshed file is picked up."""
    mtime = 0.0
    if extra_file:
        with contextlib.suppress(OSError):
            mtime = Path(extra_file).stat().st_mtime
    key = (extra_file, mtime)
    if key not in _DISPOSABLE:
        _DISPOSABLE.clear()
        _DISPOSABLE[key] = DisposableDomains(load_disposable(extra_file))
    return _DISPOSABLE[key]


class ImportScreen:
    """The screening of one import: the CSV thread counts rows, domains are looked up as batches arrive."""

    def __init__(self, ss: Any, hold_risk: float) -> None:
        self.disposable = disposable_domains(ss.screening_disposable_file)
        self.tally = ScreenTally()
        self.hold_risk = hold_risk
        self.checks = (
            DomainChecks(
                nameservers=list(ss.screening_dns_nameservers) or None,
                timeout=ss.screening_dns_timeout,
                concurrency=ss.screening_dns_concurrency,
                budget_seconds=ss.screening_dns_budget_seconds,
                probe=ss.screening_dns_probe,
            )
            if ss.screening_dns
            else None
        )

    def add(self, batch: Any) -> None:
        """Count a batch read by csv_rows (its role / disposable rows and domains) and look its domains up."""
        self.tally.add(len(batch.emails), batch.role, batch.disposable, batch.domains, batch.role_domains)
        if self.checks is not None:
            self.checks.submit([d for d in batch.domains if not self.disposable.check(d)])

    async def report(self, rows_processed: int, rows_failed: int, rows_duplicate: int) -> dict[str, Any]:
        if self.checks is not None:
            await self.checks.finish()
        return quality_report(
            self.tally,
            self.checks,
            self.disposable,
            rows_processed=rows_processed,
            rows_failed=rows_failed,
            rows_duplicate=rows_duplicate,
            hold_risk=self.hold_risk,
        )

    def close(self) -> None:
        if self.checks is not None:
            self.checks.cancel()


def project_hold_risk(project: Any, ss: Any) -> float:
    """The project's `import_hold_risk` setting when valid (0..1), else the service default."""
    value = (project.settings or {}).get("import_hold_risk")
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value)
    return float(ss.screening_hold_risk)
