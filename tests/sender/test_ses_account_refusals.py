"""PUT /v1/ses-account refusals name their field (a form shows them next to the input) and store nothing:
a bad region, bad key shapes, a From that is not an address, keys SES does not know."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.sender.conftest import make_project
from tests.support.ses_standin import SesStandin

KEYS = {"mode": "keys", "access_key_id": "AKIAEXAMPLEKEY0001", "secret_access_key": "s3cret/example+key0001"}


@pytest.fixture
async def standin() -> AsyncIterator[SesStandin]:
    s = SesStandin()
    await s.start()
    yield s
    await s.stop()


def _locs(body: dict) -> set[str]:
    return {".".join(str(p) for p in d["loc"]) for d in body["detail"]}


async def test_refusals_name_the_field_and_store_nothing(sender_factory, standin: SesStandin) -> None:  # type: ignore[no-untyped-def]
    async with sender_factory(ses_endpoint_url=standin.url) as s:
        pid = await make_project(s.rt)
        good = {"region": "eu-west-1", "credentials": KEYS, "from": "News <news@example.com>"}
        cases = [
            ({**good, "region": "Europe"}, "body.region"),
            ({**good, "credentials": {**KEYS, "access_key_id": "short"}}, "body.credentials.access_key_id"),
            ({**good, "from": "not an address"}, "body.from"),
        ]
        for body, loc in cases:
            r = await s.client.put("/v1/ses-account", json=body, headers=s.h(pid))
            assert r.status_code == 422, r.text
            assert loc in _locs(r.json()), r.text
        standin.state.credentials_valid = False
        r = await s.client.put("/v1/ses-account", json=good, headers=s.h(pid))
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        assert detail["error"] == "ses_rejected_credentials" and "security token" in detail["message"]
        assert (await s.client.get("/v1/ses-account", headers=s.h(pid))).status_code == 404

        standin.state.credentials_valid = True
        r = await s.client.put("/v1/ses-account", json=good, headers=s.h(pid))
        assert r.status_code == 200, r.text
        assert r.json()["from"] == "News <news@example.com>"
