"""The list page's sunset policy against the real embedded services: off by default and explained, set and
cleared through the lists API's sunset_days / sunset_campaigns, a bad number refused next to its input with
nothing saved, the change in the audit trail; a policy set through the API shown, and kept by a save."""

from __future__ import annotations

import sqlalchemy as sa

from shared.models.console import AuditEntry
from tests.gateway.console.test_lists import FULL_FORM, _api, _create, _error_of, _get_list


async def test_sunset_policy_off_by_default_set_refused_and_cleared(console_system) -> None:  # type: ignore[no-untyped-def]
    admin, pid = console_system.admin, console_system.project_id
    lid = await _create(admin, pid, name="Weekly news")
    page = (await admin.get(f"/admin/p/{pid}/lists/{lid}")).text
    assert 'Sunset policy <span class="badge">off</span>' in page and "Off by default" in page
    for name in ("sunset_days", "sunset_campaigns"):
        assert (
            f'<label for="f-{name}">' in page
            and f'id="f-{name}" name="{name}" type="number" value=""' in page
        )
    stored = (await _get_list(console_system, lid)).json()
    assert stored["sunset_days"] is None and stored["sunset_campaigns"] is None

    # days only
    r = await admin.post(
        f"/admin/p/{pid}/lists/{lid}", {**FULL_FORM, "sunset_days": "180", "sunset_campaigns": ""}
    )
    assert r.status_code == 303, r.text[:1000]
    stored = (await _get_list(console_system, lid)).json()
    assert (stored["sunset_days"], stored["sunset_campaigns"]) == (180, None)
    page = (await admin.get(f"/admin/p/{pid}/lists/{lid}")).text
    assert (
        'Sunset policy <span class="badge ok">on</span>' in page
        and 'name="sunset_days" type="number" value="180"' in page
    )

    # refused next to the input, what was typed kept, nothing saved
    for bad in ("0", "abc", "3651", "-5", "1.5"):
        r = await admin.post(
            f"/admin/p/{pid}/lists/{lid}", {**FULL_FORM, "sunset_days": "30", "sunset_campaigns": bad}
        )
        assert r.status_code == 422, (bad, r.status_code)
        assert "from 1 to 1000" in _error_of(r.text, "sunset_campaigns") and f'value="{bad}"' in r.text
    stored = (await _get_list(console_system, lid)).json()
    assert (stored["sunset_days"], stored["sunset_campaigns"]) == (180, None)

    # campaigns too, then both cleared: off again
    r = await admin.post(
        f"/admin/p/{pid}/lists/{lid}", {**FULL_FORM, "sunset_days": "90", "sunset_campaigns": "8"}
    )
    assert r.status_code == 303
    assert [(s := (await _get_list(console_system, lid)).json())["sunset_days"], s["sunset_campaigns"]] == [
        90,
        8,
    ]
    r = await admin.post(
        f"/admin/p/{pid}/lists/{lid}", {**FULL_FORM, "sunset_days": "", "sunset_campaigns": ""}
    )
    assert r.status_code == 303
    stored = (await _get_list(console_system, lid)).json()
    assert stored["sunset_days"] is None and stored["sunset_campaigns"] is None

    async with console_system.app.state.runtime.sessionmaker() as db:
        details = (
            await db.scalars(
                sa.select(AuditEntry.detail)
                .where(AuditEntry.action == "list.updated")
                .order_by(AuditEntry.id)
            )
        ).all()
    assert [(d["sunset_days"], d["sunset_campaigns"]) for d in details] == [
        (180, None),
        (90, 8),
        (None, None),
    ]


async def test_a_policy_set_through_the_api_is_shown_and_kept_by_a_save(console_system) -> None:  # type: ignore[no-untyped-def]
    admin, pid = console_system.admin, console_system.project_id
    api, auth = _api(console_system)
    async with api:
        r = await api.post("/v1/lists", json={"name": "Offers", "sunset_campaigns": 12}, headers=auth)
        assert r.status_code == 201, r.text
        lid = int(r.json()["id"])
    page = (await admin.get(f"/admin/p/{pid}/lists/{lid}")).text
    assert 'Sunset policy <span class="badge ok">on</span>' in page
    assert 'name="sunset_campaigns" type="number" value="12"' in page
    # the page's own inputs are posted back as shown
    r = await admin.post(
        f"/admin/p/{pid}/lists/{lid}", {**FULL_FORM, "name": "Offers", "sunset_campaigns": "12"}
    )
    assert r.status_code == 303
    assert (await _get_list(console_system, lid)).json()["sunset_campaigns"] == 12
