"""The committed Python client is what the live API's OpenAPI document generates: a route changed without
`scripts/generate-client` fails here, with the diff (the script regenerates into a temporary copy and compares)."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

from scripts.dump_openapi import document

REPO = Path(__file__).resolve().parents[2]


async def test_committed_openapi_json_is_the_live_document() -> None:
    committed = json.loads((REPO / "clients/python/openapi.json").read_text())
    assert committed == await document(), "clients/python/openapi.json is stale: run scripts/generate-client"


async def test_committed_client_is_what_the_generator_makes() -> None:
    proc = await asyncio.to_thread(
        subprocess.run,
        ["bash", str(REPO / "scripts/generate-client"), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, (proc.stdout[-8000:], proc.stderr[-4000:])
    assert "matches the live OpenAPI document" in proc.stdout
