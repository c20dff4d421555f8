"""Every benchmark of the project in one command, one table: each figure beside the raw ceiling measured in the
same run and the ratio, plus peak memory per service.

    .venv/bin/python -m bench [--quick] [--only NAME ...] [--skip NAME ...] [--json out.json]

Discovers the modules in bench/ (see bench/README.md for the interface). A module with `async def run(quick)`
is called in a child process of its own (so one benchmark's leftovers cannot skew the next, and a crash or hang
is contained); one without `run` is executed as `python -m bench.<module>` and its printed output shown as is.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
NOT_BENCHMARKS = {"__init__", "__main__", "run_all", "ceilings"}
RESULT_MARK = "@@BENCH_ROWS@@"


def discover() -> list[str]:
    """Module names of bench/*.py that are benchmarks."""
    return sorted(
        p.stem for p in BENCH_DIR.glob("*.py") if p.stem not in NOT_BENCHMARKS and not p.stem.startswith("_")
    )


def _child_run(module: str, quick: bool) -> None:
    """In the child: import the module, call run(quick), print the rows as one marked JSON line."""
    os.environ.setdefault("SESAME_ENV", "test")
    mod = importlib.import_module(f"bench.{module}")
    rows = asyncio.run(mod.run(quick))
    print(RESULT_MARK + json.dumps(rows, default=str), flush=True)


def has_run(module: str) -> bool:
    """Whether bench/<module>.py defines a module-level `run` (read from the source: no import side effects)."""
    import ast

    tree = ast.parse((BENCH_DIR / f"{module}.py").read_text())
    return any(
        isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and node.name == "run" for node in tree.body
    )


def run_module(module: str, quick: bool, timeout: float) -> dict[str, Any]:
    """Run one benchmark in a child process; {module, rows, output, error, seconds}."""
    started = time.monotonic()
    env = {**os.environ, "SESAME_ENV": os.environ.get("SESAME_ENV", "test"), "PYTHONPATH": str(REPO)}
    structured = has_run(module)
    if structured:
        argv = [sys.executable, "-m", "bench.run_all", "--child", module] + (["--quick"] if quick else [])
    else:
        argv = [sys.executable, "-m", f"bench.{module}"] + (["--quick"] if quick else [])
    try:
        proc = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode(errors="replace")
        return {"module": module, "rows": [], "output": out, "error": f"timed out after {timeout:.0f}s",
                "seconds": time.monotonic() - started}  # fmt: skip
    rows: list[dict[str, Any]] = []
    other: list[str] = []
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            rows = json.loads(line[len(RESULT_MARK) :])
        else:
            other.append(line)
    error = None
    if proc.returncode != 0:
        error = f"exit {proc.returncode}: " + "\n".join(proc.stderr.strip().splitlines()[-8:])
    elif structured and not rows:
        error = "run() returned no rows"
    return {
        "module": module,
        "rows": rows,
        "output": "\n".join(other) if not structured else "",
        "error": error,
        "seconds": time.monotonic() - started,
    }


NEWSLETTER = (
    "<html><body><h1>Hello {{ contact.email }}</h1>"
    + "".join(
        f"<p>Paragraph {i}: Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
        "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam.</p>"
        for i in range(130)
    )
    + "<p>Bye {{ contact.email }}</p></body></html>"
)  # ≈ 20 KB, personalised


async def system_benchmark(quick: bool) -> list[dict[str, Any]]:
    """The whole distributed system (tests/system/harness.py): four services as processes, two sender replicas,
    Postgres + RabbitMQ; a personalised ~20 KB campaign end to end to the SES stand-in, and each process's peak
    memory while doing it."""
    from tests.system.conftest import SYSTEM_ENV
    from tests.system.flows import bootstrap, import_active
    from tests.system.harness import DistributedSystem, Infra
    from tests.system.ses_faults import FaultySes

    n = 3000 if quick else 20000
    ses = FaultySes().start()
    infra = await Infra.shared()
    system = DistributedSystem(infra, ses_url=ses.url, sender_replicas=2, env=SYSTEM_ENV)
    try:
        await system.start()
        b = await bootstrap(system, ses, name="bench")
        list_id = await b.create_list("bench list")
        emails = [f"success+b{i}@simulator.amazonses.com" for i in range(n)]
        t0 = time.perf_counter()
        await import_active(b, list_id, emails, within=600)
        import_rate = n / (time.perf_counter() - t0)
        wanted = set(emails)
        t0 = time.perf_counter()
        await b.campaign([list_id], subject="Bench {{ contact.email }}", html=NEWSLETTER)
        while sum(1 for a in list(ses.accepted) if a.to[0] in wanted) < n:
            if time.perf_counter() - t0 > 600:
                raise RuntimeError("campaign did not finish in 600 s")
            await asyncio.sleep(0.1)
        rate = n / (time.perf_counter() - t0)
        rss = system.peak_rss_mb()
    finally:
        await system.stop()
        await infra.close()
        ses.stop()
    return [
        {"name": f"campaign {n:,} × ~20 KB personalised, API → SES stand-in, 2 senders", "value": rate,
         "unit": "emails/s", "target": 1000, "ceiling_name": "http stand-in", "peak_rss_mb": rss},
        {"name": f"CSV import {n:,} contacts through the gateway", "value": import_rate, "unit": "rows/s",
         "ceiling_name": "postgres batch insert"},
    ]  # fmt: skip


def _fmt(v: Any) -> str:
    if not isinstance(v, int | float):
        return str(v)
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:,.1f}"
    return f"{v:,.3g}"


def attach_ceilings(rows: list[dict[str, Any]], ceilings: dict[str, float]) -> None:
    """Give rows without their own ceiling the generic one they name (bench/README.md)."""
    from bench.ceilings import CEILING_KEYS, DESCRIPTIONS

    for r in rows:
        if r.get("ceiling") is None and r.get("ceiling_name") in CEILING_KEYS:
            key = CEILING_KEYS[r["ceiling_name"]]
            if key in ceilings:
                r["ceiling"] = ceilings[key]
                r["ceiling_name"] = DESCRIPTIONS[key][0]


def ratio(r: dict[str, Any]) -> str:
    value, ceiling = r.get("value"), r.get("ceiling")
    if not isinstance(value, int | float) or not isinstance(ceiling, int | float) or not value or not ceiling:
        return ""
    q = value / ceiling if r.get("higher_is_better", True) else ceiling / value
    return f"{q * 100:.0f} %"


def render(results: list[dict[str, Any]], ceilings: dict[str, float]) -> str:
    """The report: one table of figures, the ceilings, peak memory per service, then errors and raw outputs."""
    from bench.ceilings import DESCRIPTIONS

    header = ("benchmark", "what", "value", "unit", "target", "raw ceiling (same run)", "ceiling", "ratio")
    table: list[tuple[str, ...]] = []
    memory: list[tuple[str, str, str]] = []
    for res in results:
        for r in res["rows"]:
            table.append(
                (
                    res["module"],
                    str(r.get("name", "")),
                    _fmt(r.get("value")),
                    str(r.get("unit", "")),
                    _fmt(r["target"]) if r.get("target") is not None else "",
                    str(r.get("ceiling_name") or ""),
                    _fmt(r["ceiling"]) if r.get("ceiling") is not None else "",
                    ratio(r),
                )
            )
            for svc, mb in (r.get("peak_rss_mb") or {}).items():
                memory.append((res["module"], svc, _fmt(mb)))
    for key, v in ceilings.items():
        table.append(("ceilings", DESCRIPTIONS[key][0], _fmt(v), DESCRIPTIONS[key][1], "", "", "", ""))
    lines = [_table(header, table)]
    if memory:
        lines += ["", "Peak memory per service (VmHWM)", _table(("benchmark", "process", "MB"), memory)]
    for res in results:
        if res["error"]:
            lines += ["", f"!! {res['module']}: {res['error']}"]
        if res["output"].strip():
            lines += [
                "",
                f"--- {res['module']} (printed output, no run() interface) ---",
                res["output"].rstrip(),
            ]
    lines += ["", "Seconds per module: " + ", ".join(f"{r['module']} {r['seconds']:.0f}" for r in results)]
    return "\n".join(lines)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    numeric = {i for i, h in enumerate(header) if h in ("value", "target", "ceiling", "ratio", "MB")}

    def line(cells: tuple[str, ...]) -> str:
        return (
            "| "
            + " | ".join(
                c.rjust(w) if i in numeric else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Run every benchmark; print one table."
    )
    parser.add_argument("--quick", action="store_true", help="short runs (a few seconds each)")
    parser.add_argument("--only", nargs="*", default=None, help="run only these modules")
    parser.add_argument("--skip", nargs="*", default=[], help="skip these modules")
    parser.add_argument(
        "--timeout", type=float, default=None, help="per-module timeout (default 240 s, quick 120 s)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--no-system", action="store_true", help="skip the end-to-end system run")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child_run(args.child, args.quick)
        return 0
    modules = [m for m in discover() if (args.only is None or m in args.only) and m not in args.skip]
    sys.path.insert(0, str(REPO))
    if args.list:
        print("\n".join(f"{m}{'' if has_run(m) else '  (subprocess, printed output)'}" for m in modules))
        return 0
    timeout = args.timeout or (120.0 if args.quick else 240.0)
    print(f"measuring raw ceilings{' (quick)' if args.quick else ''} …", file=sys.stderr, flush=True)
    from bench.ceilings import measure

    os.environ.setdefault("SESAME_ENV", "test")
    ceilings = asyncio.run(measure(args.quick))
    results = []
    if not args.no_system and (args.only is None or "system" in args.only) and "system" not in args.skip:
        print("running the distributed system end to end …", file=sys.stderr, flush=True)
        started = time.monotonic()
        try:
            rows, error = asyncio.run(system_benchmark(args.quick)), None
        except Exception as exc:  # noqa: BLE001 - reported in the table, the other benchmarks still run
            rows, error = [], f"{type(exc).__name__}: {exc}"
        attach_ceilings(rows, ceilings)
        results.append({"module": "system", "rows": rows, "output": "", "error": error,
                        "seconds": time.monotonic() - started})  # fmt: skip
    for m in modules:
        print(f"running bench.{m} …", file=sys.stderr, flush=True)
        res = run_module(m, args.quick, timeout)
        attach_ceilings(res["rows"], ceilings)
        results.append(res)
    print(render(results, ceilings))
    if args.json:
        args.json.write_text(json.dumps({"ceilings": ceilings, "results": results}, indent=2, default=str))
    return 1 if any(r["error"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
