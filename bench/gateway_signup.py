"""Signup form posts per second through the gateway, with ALTCHA verification, beside a bare FastAPI POST.

Distributed mode over Postgres: `sesame serve gateway` and `sesame serve subscriptions` as separate uvicorn
processes on a fresh database (bus memory:// — the confirmation mail's outbox row is written in the same
transaction; publishing it is the relay's job and not part of the signup request). The load client is
wrk (bench/wrk_load.py; `--client aiohttp` for the Python client, which costs ≈ 0.2 ms of the two cores per post),
concurrency 64, posting the hosted form (`POST /f/{list_id}`, urlencoded, distinct addresses), each with its own
pre-solved ALTCHA payload (challenges made with the gateway's HMAC key before timing; verifying is
the same two HMACs whatever the work factor, and each payload is accepted once).

Three figures, measured in the same run:
  1. ceiling: a bare FastAPI app parsing the same form and answering 303 (no captcha, no upstream, no DB);
  2. gateway + real subscriptions service + Postgres (what a deployment does: form → captcha → limits →
     subscribe with double opt-in → 303);
  3. gateway + an in-memory subscriptions stand-in (aiohttp): the gateway's own cost per signup.

    .venv/bin/python -m bench.gateway_signup [--quick] [--seconds S] [--concurrency C]
"""

# ruff: noqa: ASYNC109, ASYNC220 - orchestration: Popen only starts a child, the waits are async polls
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

REPO = Path(__file__).resolve().parents[1]
TARGET = 1000.0
HMAC_KEY = "bench-altcha-hmac-key-0123456789abcdef"
INTERNAL = "bench-internal-token-0123456789"


# ------------------------------------------------------------------------------------------ servers
def ceiling_app():  # type: ignore[no-untyped-def]
    """FastAPI: parse the urlencoded form, answer 303 — nothing else."""
    app = FastAPI()

    @app.post("/f/{list_id}")
    async def post(list_id: int, request: Request) -> RedirectResponse:
        form = await request.form()
        assert form.get("email")
        return RedirectResponse(f"/f/{list_id}/thanks", status_code=303)

    return app


def standin_main(port: int) -> None:
    """The subscriptions public routes, answered from memory (aiohttp; for figure 3)."""
    from aiohttp import web

    form = {"list": {"id": 1, "name": "News", "description": "", "double_optin": True},
            "project": {"id": 1, "name": "Bench", "branding": {}, "allowed_redirect_hosts": []},
            "form_settings": {"captcha": {"provider": "altcha"}, "honeypot": True}}  # fmt: skip

    async def get_form(request: web.Request) -> web.Response:
        return web.json_response(form)

    async def subscribe(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"status": "check_inbox"}, status=202)

    app = web.Application()
    app.router.add_get("/public/lists/{id}/form", get_form)
    app.router.add_post("/public/lists/{id}/subscribe", subscribe)
    app.router.add_get("/readyz", get_form)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# ------------------------------------------------------------------------------------------ helpers
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:  # type: ignore[type-arg]
    import aiohttp

    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as s:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                async with s.get(url) as r:
                    if r.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server at {url} not ready")


def _stop(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (from /proc), to report CPU per signup independent of the wall clock."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def presolved(n: int) -> list[str]:
    """n ALTCHA payloads signed with the gateway's key, solved at counter 0 (the derivation made while creating
    the challenge is recorded and reused as the solution; the gateway's check is the same signature +
    key-signature HMACs whatever the work factor)."""
    import altcha

    out = []
    expires = int(time.time()) + 3600
    for _ in range(n):
        seen: list[bytes] = []

        def derive(params, salt, password, _seen=seen):  # type: ignore[no-untyped-def]
            key = altcha.derive_key_pbkdf2(params, salt, password)
            _seen.append(key)
            return key

        ch = altcha.create_challenge("PBKDF2/SHA-256", 1, derive_key=derive, counter=0, expires_at=expires,
                                     hmac_secret=HMAC_KEY, hmac_key_secret=HMAC_KEY + ":key")  # fmt: skip
        payload = {"challenge": ch.to_dict(), "solution": {"counter": 0, "derivedKey": seen[0].hex()}}
        out.append(base64.b64encode(json.dumps(payload).encode()).decode())
    return out


def bodies(payloads: list[str], tag: str) -> list[bytes]:
    return [urlencode({"email": f"{tag}{i}@example.com", "hp_comment": "", "altcha": p}).encode()
            for i, p in enumerate(payloads)]  # fmt: skip


async def _load(url: str, bodies: list[bytes], seconds: float, concurrency: int) -> dict[str, Any]:
    """POST distinct form bodies for `seconds`; 303s per second and latency percentiles."""
    import aiohttp

    headers = {"content-type": "application/x-www-form-urlencoded"}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    all_statuses: dict[int, int] = {}
    it = iter(bodies)
    stop_at = 0.0

    async def one(session: aiohttp.ClientSession, body: bytes) -> None:
        try:
            async with session.post(url, data=body, headers=headers, allow_redirects=False) as r:
                await r.read()
                statuses[r.status] = statuses.get(r.status, 0) + 1
                all_statuses[r.status] = all_statuses.get(r.status, 0) + 1
        except (aiohttp.ClientError, TimeoutError) as exc:
            key = f"client error {exc.__class__.__name__}"
            statuses[key] = statuses.get(key, 0) + 1  # type: ignore[index]

    async def worker(session: aiohttp.ClientSession) -> None:
        while time.perf_counter() < stop_at:
            body = next(it, None)
            if body is None:
                return
            t0 = time.perf_counter()
            await one(session, body)
            latencies.append(time.perf_counter() - t0)

    connector = aiohttp.TCPConnector(limit=concurrency, keepalive_timeout=4.0)
    async with aiohttp.ClientSession(connector=connector) as session:
        warm = [next(it) for _ in range(min(200, len(bodies) // 10))]
        await asyncio.gather(*[one(session, b) for b in warm])
        statuses.clear()
        started = time.perf_counter()
        stop_at = started + seconds
        await asyncio.gather(*[worker(session) for _ in range(concurrency)])
        wall = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")
        )

    return {"rate": statuses.get(303, 0) / wall, "p50": pct(0.5), "p99": pct(0.99), "statuses": dict(statuses),
            "all_statuses": all_statuses,
            "exhausted": next(it, None) is None}  # fmt: skip


async def _drive(url: str, bodies: list[bytes], seconds: float, concurrency: int, client: str) -> dict[str, Any]:
    """One stage's load: the aiohttp client above, or wrk (bench/wrk_load.py) after the same 200-post warm-up.
    Returns rate, p50, p99, statuses, exhausted, `ok` (accepted in the timed window) and the client's CPU."""
    if client == "aiohttp":
        t0 = time.process_time()
        r = await _load(url, bodies, seconds, concurrency)
        r["client_cpu_s"] = time.process_time() - t0
        r["ok"] = r["all_statuses"].get(303, 0)
        return r
    from bench.wrk_load import run_wrk

    warm = min(200, len(bodies) // 10)
    await _load(url, bodies[:warm], 0.0, concurrency)
    r = await asyncio.to_thread(run_wrk, url, bodies[warm:], seconds, concurrency)
    r["statuses"] = {303: r["ok"], **r["errors"]}
    return r


async def _backends_cpu(pg: Any) -> dict[int, float]:
    """CPU seconds of each Postgres backend serving this database (the services' pooled connections)."""
    pids = await pg.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    out = {}
    for r in pids:
        try:
            out[r["pid"]] = cpu_seconds(r["pid"])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return out


# ------------------------------------------------------------------------------------------ the run
async def measure(seconds: float, concurrency: int, client: str = "wrk") -> dict[str, Any]:
    import asyncpg
    import sqlalchemy as sa

    from shared.db.engine import create_engine
    from shared.migrate import upgrade
    from shared.models.core import Project
    from shared.models.subscriptions import MailingList
    from shared.settings import DatabaseSettings
    from tests.support import infra

    # Distinct bodies per stage, more than each can post (a stage that runs out reports 'bodies exhausted'): the
    # real service 2,000/s, the stand-in 4,000/s; the bare ceiling checks no captcha, so its bodies repeat.
    n, m = int(seconds * 2000) + 400, int(seconds * 4000) + 400
    t0 = time.perf_counter()
    payloads = await asyncio.to_thread(presolved, n + m)
    solve_s = time.perf_counter() - t0

    url = await infra.create_pg_database("sesame_bench")
    procs: list[subprocess.Popen] = []  # type: ignore[type-arg]
    results: dict[str, Any] = {"solve_s": solve_s, "payloads": n + m, "load_before": os.getloadavg()[0]}
    try:
        await asyncio.to_thread(upgrade, url)
        engine = create_engine(DatabaseSettings(url=url))
        async with engine.begin() as conn:
            pid = (await conn.execute(sa.insert(Project).values(name="bench", owner_email="o@example.com",
                                                               settings={}).returning(Project.id))).scalar()  # fmt: skip
            list_id = (await conn.execute(sa.insert(MailingList).values(
                project_id=pid, name="News", description="", double_optin=True,
                form_settings={"captcha": {"provider": "altcha"}, "honeypot": True}).returning(MailingList.id))).scalar()  # fmt: skip
        await engine.dispose()
        base_env = {**os.environ, "PYTHONPATH": str(REPO), "SESAME_ENV": "test", "SESAME_LOG_LEVEL": "WARNING",
                    "SESAME_DATABASE_URL": url, "SESAME_BUS_URL": "memory://", "SESAME_INTERNAL_TOKEN": INTERNAL,
                    "SESAME_GATEWAY_ALTCHA_HMAC_KEY": HMAC_KEY,
                    "SESAME_GATEWAY_SIGNUP_PER_IP_PER_MINUTE": "100000000",
                    "SESAME_GATEWAY_SIGNUP_PER_EMAIL_PER_HOUR": "1000"}  # fmt: skip

        # 1) the bare ceiling
        port = _free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.gateway_signup:ceiling_app", "--factory", "--port", str(port),
             "--log-level", "warning", "--no-access-log"], cwd=REPO, env=base_env,
        )  # fmt: skip
        procs.append(proc)
        await _wait_ready(f"http://127.0.0.1:{port}/docs", proc)
        results["ceiling"] = await _drive(f"http://127.0.0.1:{port}/f/{list_id}", bodies(payloads, "c") * 4,
                                          seconds, concurrency, client)  # fmt: skip
        _stop(proc)

        # 2) gateway + the real subscriptions service + Postgres
        sport, gport = _free_port(), _free_port()
        subs = subprocess.Popen([sys.executable, "-m", "sesame", "serve", "subscriptions", "--port", str(sport)],
                                cwd=REPO, env=base_env)  # fmt: skip
        procs.append(subs)
        gw_env = {**base_env, "SESAME_SUBSCRIPTIONS_URL": f"http://127.0.0.1:{sport}"}
        gw = subprocess.Popen([sys.executable, "-m", "sesame", "serve", "gateway", "--port", str(gport)],
                              cwd=REPO, env=gw_env)  # fmt: skip
        procs.append(gw)
        await _wait_ready(f"http://127.0.0.1:{sport}/readyz", subs)
        await _wait_ready(f"http://127.0.0.1:{gport}/readyz", gw)
        dsn = "postgresql://" + url.split("://", 1)[1]
        pg = await asyncpg.connect(dsn)
        try:
            pg0 = await _backends_cpu(pg)
            cpu0 = (cpu_seconds(gw.pid), cpu_seconds(subs.pid))
            results["gateway"] = await _drive(f"http://127.0.0.1:{gport}/f/{list_id}",
                                              bodies(payloads[:n], "g"), seconds, concurrency, client)  # fmt: skip
            cpu1 = (cpu_seconds(gw.pid), cpu_seconds(subs.pid))
            pg1 = await _backends_cpu(pg)
        finally:
            await pg.close()
        done = max(1, results["gateway"]["ok"])
        results["cpu_ms"] = {"gateway": (cpu1[0] - cpu0[0]) * 1000 / done,
                             "subscriptions": (cpu1[1] - cpu0[1]) * 1000 / done,
                             "postgres": sum(v - pg0.get(k, 0.0) for k, v in pg1.items()) * 1000 / done,
                             "client": results["gateway"]["client_cpu_s"] * 1000 / done}  # fmt: skip
        _stop(gw)
        _stop(subs)
        pg = await asyncpg.connect(dsn)
        try:
            results["pending_rows"] = await pg.fetchval(
                "SELECT count(*) FROM subscriptions WHERE status = 'pending'"
            )
            results["outbox_rows"] = await pg.fetchval("SELECT count(*) FROM outbox")
        finally:
            await pg.close()

        # 3) gateway + in-memory stand-in: the gateway's own cost
        sport, gport = _free_port(), _free_port()
        standin = subprocess.Popen([sys.executable, "-c", f"from bench.gateway_signup import standin_main; "
                                    f"standin_main({sport})"], cwd=REPO, env=base_env)  # fmt: skip
        procs.append(standin)
        gw = subprocess.Popen([sys.executable, "-m", "sesame", "serve", "gateway", "--port", str(gport)], cwd=REPO,
                              env={**base_env, "SESAME_SUBSCRIPTIONS_URL": f"http://127.0.0.1:{sport}"})  # fmt: skip
        procs.append(gw)
        await _wait_ready(f"http://127.0.0.1:{sport}/readyz", standin)
        await _wait_ready(f"http://127.0.0.1:{gport}/readyz", gw)
        cpu0 = (cpu_seconds(gw.pid), 0.0)
        results["gateway_standin"] = await _drive(f"http://127.0.0.1:{gport}/f/1", bodies(payloads[n:], "s"),
                                                  seconds, concurrency, client)  # fmt: skip
        done = max(1, results["gateway_standin"]["ok"])
        results["cpu_ms"]["gateway_standin"] = (cpu_seconds(gw.pid) - cpu0[0]) * 1000 / done
        return results
    finally:
        for p in procs:
            if p.poll() is None:
                _stop(p)
        await infra.drop_pg_database(url)


async def run(quick: bool) -> list[dict[str, Any]]:
    from bench.wrk_load import available

    r = await measure(2.0 if quick else 6.0, 64, "wrk" if available() else "aiohttp")
    g, s, c = r["gateway"], r["gateway_standin"], r["ceiling"]
    return [
        {"name": "signup form posts with ALTCHA via gateway → subscriptions → Postgres, c=64",
         "value": round(g["rate"]), "unit": "posts/s", "ceiling": round(c["rate"]),
         "ceiling_name": "bare FastAPI form POST", "target": TARGET},
        {"name": "signup form posts with ALTCHA via gateway → in-memory stand-in, c=64",
         "value": round(s["rate"]), "unit": "posts/s", "ceiling": round(c["rate"]),
         "ceiling_name": "bare FastAPI form POST", "target": TARGET},
        {"name": "gateway CPU per signup (form + ALTCHA + limits + forward)", "value": round(r["cpu_ms"]["gateway_standin"], 2),
         "unit": "ms CPU", "higher_is_better": False},
        {"name": "subscriptions CPU per signup (double opt-in, outbox)", "value": round(r["cpu_ms"]["subscriptions"], 2),
         "unit": "ms CPU", "higher_is_better": False},
        {"name": "Postgres backends' CPU per signup", "value": round(r["cpu_ms"]["postgres"], 2),
         "unit": "ms CPU", "higher_is_better": False},
        {"name": "signup latency p99 (gateway → subscriptions → Postgres), c=64", "value": round(g["p99"], 1),
         "unit": "ms p99", "ceiling": round(c["p99"], 1), "ceiling_name": "bare FastAPI form POST",
         "higher_is_better": False},
    ]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--client", choices=("wrk", "aiohttp"), default=None,
                    help="load client (default wrk when installed; aiohttp costs ≈ 0.2 ms CPU per post)")
    args = ap.parse_args()
    from bench.wrk_load import available

    client = args.client or ("wrk" if available() else "aiohttp")
    os.environ.setdefault("SESAME_ENV", "test")
    seconds = args.seconds or (2.0 if args.quick else 6.0)
    r = asyncio.run(measure(seconds, args.concurrency, client))
    c, g, s = r["ceiling"], r["gateway"], r["gateway_standin"]
    print(
        f"load client {client}, concurrency {args.concurrency}; "
        f"pre-solved {r['payloads']} ALTCHA payloads in {r['solve_s']:.1f} s (not timed); "
        f"load average before/after: {r['load_before']:.1f} / {os.getloadavg()[0]:.1f} (2 cores, shared machine)"
    )
    print(f"{'':58} {'303/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for name, x in (("bare FastAPI form POST (ceiling)", c),
                    ("gateway + ALTCHA → subscriptions → Postgres", g),
                    ("gateway + ALTCHA → in-memory stand-in", s)):  # fmt: skip
        print(f"{name:58} {x['rate']:8.0f} {x['p50']:8.1f} {x['p99']:8.1f}  {x['statuses']}"
              + ("  (bodies exhausted)" if x["exhausted"] else ""))  # fmt: skip
    print(f"database after run 2: {r['pending_rows']} pending subscriptions, {r['outbox_rows']} outbox rows")
    cpu = r["cpu_ms"]
    print(
        f"CPU per accepted signup: gateway {cpu['gateway']:.2f} ms + subscriptions "
        f"{cpu['subscriptions']:.2f} ms + Postgres backends {cpu['postgres']:.2f} ms + load client "
        f"{cpu['client']:.2f} ms (real service); gateway {cpu['gateway_standin']:.2f} ms (stand-in run)"
    )
    c_rate = max(c["rate"], 1e-9)
    print(
        f"target: >= {TARGET:.0f} posts/s through the gateway; gateway+subscriptions/ceiling = "
        f"{g['rate'] / c_rate:.0%}, gateway alone/ceiling = {s['rate'] / c_rate:.0%}"
    )


if __name__ == "__main__":
    main()
