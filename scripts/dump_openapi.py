"""Write the merged OpenAPI document of the embedded system (a throwaway SQLite database) to a file."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

import httpx

from sesame.embedded import create_embedded_app
from shared.migrate import upgrade
from shared.settings import BusSettings, DatabaseSettings, RuntimeSettings, Settings


async def document() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/openapi.db"
        await asyncio.to_thread(upgrade, url)
        settings = Settings()
        settings.database = DatabaseSettings(url=url)
        settings.bus = BusSettings(url="memory://")
        settings.runtime = RuntimeSettings(env="test", log_json=False)
        app = create_embedded_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://sesame") as client:
                resp = await client.get("/openapi.json")
                resp.raise_for_status()
    return resp.json()  # type: ignore[no-any-return]


if __name__ == "__main__":
    doc = asyncio.run(document())
    Path(sys.argv[1]).write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
