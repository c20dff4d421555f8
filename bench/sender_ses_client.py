"""Per-call cost of SESv2 SendEmail clients against the SES stand-in (own process, unlimited rate).

    .venv/bin/python -m bench.sender_ses_client [--quick]

Figures: calls/s at concurrency 32 and client CPU per call, for
- aiobotocore `sesv2.send_email` (Raw content, retries off),
- Sesame's `SesHttpClient` (aiohttp + botocore SigV4 signer),
beside the ceiling: a raw, unsigned aiohttp POST of the same JSON body to the same stand-in.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import subprocess
import sys
import time
from typing import Any

RAW = (
    b"From: a@example.com\r\nTo: b@example.org\r\nSubject: hi\r\nMIME-Version: 1.0\r\n\r\n"
    + b"x" * 20000
    + b"\r\n"
)


def start_standin() -> tuple[subprocess.Popen[bytes], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.ses_standin", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    url = proc.stdout.readline().decode().strip()  # type: ignore[union-attr]
    return proc, url


async def _drive(n: int, conc: int, call: Any) -> tuple[float, float]:
    sem = asyncio.Semaphore(conc)

    async def one(i: int) -> None:
        async with sem:
            await call(i)

    await call(-1)  # warm up (connection, credentials)
    w0, c0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(i) for i in range(n)))
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return n / wall, cpu / n * 1e6


async def measure(n: int) -> list[dict[str, Any]]:
    import aiohttp

    from services.sender.ses import SesBotoClient, SesHttpClient

    proc, url = start_standin()
    try:
        kw = {
            "region": "us-east-1",
            "access_key_id": "AKIAIOSFODNN7EXAMPLE",
            "secret_access_key": "s" * 40,
            "endpoint_url": url,
        }
        rows = []
        body = json.dumps(
            {
                "FromEmailAddress": "a@example.com",
                "Destination": {"ToAddresses": ["b@example.org"]},
                "Content": {"Raw": {"Data": base64.b64encode(RAW).decode()}},
            }
        ).encode()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32)) as http:

            async def raw_call(i: int) -> None:
                async with http.post(
                    url + "/v2/email/outbound-emails",
                    data=body,
                    headers={
                        "Content-Type": "application/json",
                        "Authorization": "AWS4-HMAC-SHA256 Credential=x",
                    },
                ) as r:
                    await r.read()

            ceiling, ceiling_cpu = await _drive(n, 32, raw_call)
        for name, cls in (
            ("aiobotocore sesv2.send_email", SesBotoClient),
            ("SesHttpClient (aiohttp + SigV4)", SesHttpClient),
        ):
            client = cls(**kw)

            async def call(i: int, client: Any = client) -> None:
                await client.send_raw(
                    RAW,
                    from_address="a@example.com",
                    to="b@example.org",
                    tags=[("sesame-message", str(i))],
                    configuration_set=None,
                )

            rate, cpu = await _drive(n, 32, call)
            await client.close()
            rows.append(
                {
                    "name": f"SES SendEmail (20 KB raw), {name}",
                    "value": round(rate),
                    "unit": "calls/s",
                    "ceiling": round(ceiling),
                    "ceiling_name": "raw unsigned aiohttp POST, same body",
                }
            )
            rows.append(
                {
                    "name": f"SES SendEmail client CPU per call, {name}",
                    "value": round(cpu),
                    "unit": "µs CPU/call",
                    "ceiling": round(ceiling_cpu),
                    "ceiling_name": "raw unsigned aiohttp POST",
                    "higher_is_better": False,
                }
            )
        return rows
    finally:
        proc.terminate()
        proc.wait(10)


async def run(quick: bool) -> list[dict[str, Any]]:
    return await measure(500 if quick else 3000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    for r in asyncio.run(run(args.quick)):
        print(
            f"{r['name']:<75} {r['value']:>8} {r['unit']:<12} (ceiling {r['ceiling']}: {r['ceiling_name']})"
        )


if __name__ == "__main__":
    main()
