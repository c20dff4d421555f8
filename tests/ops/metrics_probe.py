"""Boot one app the way its process does and print what its /metrics exposes (run in a fresh interpreter).

    python -m tests.ops.metrics_probe <service|embedded> <sqlite url>

Prints JSON {metric name: {"type": ..., "labels": [...]}} for every `sesame_` metric on /metrics, named as it
is queried (counters with their `_total`). A fresh process matters: the Prometheus registry is process-wide, so
only what the app itself imports may show up.
"""

from __future__ import annotations

import asyncio
import json
import sys

import httpx
from prometheus_client import REGISTRY

from tests.support.settings import make_settings


def exposed_names(text: str) -> dict[str, str]:
    """`# TYPE` lines of an exposition → {name: type}, without the `_created` companions of counters."""
    types = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
    return {
        n: t
        for n, t in types.items()
        if not (
            n.endswith("_created")
            and {n.removesuffix("_created"), n.removesuffix("_created") + "_total"} & set(types)
        )
    }


def label_names() -> dict[str, list[str]]:
    """Label names of every registered collector, keyed like `exposed_names`."""
    out: dict[str, list[str]] = {}
    for collector, names in list(REGISTRY._collector_to_names.items()):  # noqa: SLF001 - no public accessor
        labels = list(getattr(collector, "_labelnames", ()))
        for name in names:
            out[name] = labels
    return out


async def probe(which: str, db_url: str) -> dict[str, dict[str, object]]:
    settings = make_settings(db_url)
    if which == "embedded":
        from sesame.embedded import create_embedded_app

        app = create_embedded_app(settings)
    else:
        from sesame.services import create_service_app

        app = create_service_app(which, settings=settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://probe") as client:
            resp = await client.get("/metrics")
            resp.raise_for_status()
            text = resp.text
    labels = label_names()
    return {
        name: {"type": kind, "labels": labels.get(name, [])}
        for name, kind in sorted(exposed_names(text).items())
        if name.startswith("sesame_")
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(probe(sys.argv[1], sys.argv[2]))))
