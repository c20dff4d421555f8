"""Closed-loop load with wrk (Debian's `wrk`, C): each request POSTs the next of a list of distinct bodies.

On this 2-core machine the load client shares the cores with the system it measures: the Python (aiohttp) client
costs ≈ 0.2 ms CPU per request, a tenth of a whole signup's budget; wrk costs a few µs. `../shared/reference/
machine-limits.md` measured its ceilings with wrk too. Every body is sent at most once (signups need distinct
addresses and single-use captcha payloads): the bodies are split between wrk's threads, and a thread that runs
out sends an empty body, counted as a failure (and `exhausted` is set) rather than a silent replay.

Not a bench module itself (no `run`); used by bench/gateway_signup.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

_SCRIPT = r"""
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  thread:set("nthreads", NTHREADS)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  bodies, idx, n = {}, 0, 0
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == tid then
      n = n + 1
      bodies[n] = line
    end
    i = i + 1
  end
  sent, ran_out = 0, 0
end

function request()
  idx = idx + 1
  local body = bodies[idx]
  if body == nil then
    ran_out = ran_out + 1
    body = ""
  end
  sent = sent + 1
  return wrk.format("POST", nil, {["Content-Type"] = CONTENT_TYPE}, body)
end

function done(summary, latency, requests)
  local out = io.open(OUT, "w")
  local ran_out = 0
  for _, t in ipairs(threads) do ran_out = ran_out + t:get("ran_out") end
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx_3xx": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"timeout": %d, "p50_us": %d, "p99_us": %d, "ran_out": %d}',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(50), latency:percentile(99), ran_out))
  out:close()
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    url: str,
    bodies: list[bytes],
    seconds: float,
    concurrency: int,
    *,
    content_type: str = "application/x-www-form-urlencoded",
    threads: int = 2,
) -> dict[str, Any]:
    """POST each body once for `seconds` at `concurrency` connections. Returns ok requests per second (2xx/3xx),
    p50/p99 in ms, the error counts, `exhausted` and wrk's own CPU seconds (`client_cpu_s`)."""
    if any(b"\n" in b for b in bodies):
        raise ValueError("bodies are passed one per line: no newlines")
    with tempfile.TemporaryDirectory(prefix="sesame-wrk-") as tmp:
        body_file, script, out = Path(tmp, "bodies"), Path(tmp, "post.lua"), Path(tmp, "out.json")
        body_file.write_bytes(b"\n".join(bodies) + b"\n")
        script.write_text(
            f"NTHREADS = {threads}\nCONTENT_TYPE = {json.dumps(content_type)}\nOUT = {json.dumps(str(out))}\n"
            + _SCRIPT
        )
        proc = subprocess.Popen(
            ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
             "-s", str(script), url, "--", str(body_file)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed ({proc.returncode}): {err.strip()}")
        r = json.loads(out.read_text())
    wall = r["duration_us"] / 1e6
    failed = r["non_2xx_3xx"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
    ok = r["requests"] - r["non_2xx_3xx"]
    return {
        "rate": ok / wall,
        "ok": ok,
        "p50": r["p50_us"] / 1000,
        "p99": r["p99_us"] / 1000,
        "failed": failed,
        "errors": {k: r[k] for k in ("non_2xx_3xx", "connect", "read", "write", "timeout") if r[k]},
        "exhausted": r["ran_out"] > 0,
        "client_cpu_s": usage.ru_utime + usage.ru_stime,
        "wall_s": wall,
    }
