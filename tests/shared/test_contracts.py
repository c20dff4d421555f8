"""Contract versioning: a newer payload is read by an older model, an older payload by the newer one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.bus.protocol import MalformedMessage
from shared.contracts import Contract
from shared.contracts.subscription import ContactErased
from shared.email_address import email_hash

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_contact_erased_v2_carries_the_address_hash() -> None:
    h = email_hash("ann@example.com")
    payload = ContactErased(project_id=1, contact_id=7, email_hash=h, at=AT).payload()
    assert payload["v"] == 2 and payload["email_hash"] == h and "email" not in payload


def test_contact_erased_v1_payload_still_validates() -> None:
    ev = ContactErased.parse({"v": 1, "project_id": 1, "contact_id": 7, "at": AT.isoformat()})
    assert ev.email_hash is None and ev.v == 1


def test_contact_erased_v2_payload_is_read_by_a_v1_model() -> None:
    class ContactErasedV1(Contract):  # the model as published before v2
        ROUTING_KEY = "contact.erased"
        project_id: int
        contact_id: int
        at: datetime

    payload = ContactErased(project_id=1, contact_id=7, email_hash=email_hash("a@b.org"), at=AT).payload()
    assert ContactErasedV1.parse(payload).contact_id == 7


@pytest.mark.parametrize("bad", ["ann@example.com", "ABC", "0" * 63, "G" * 64])
def test_contact_erased_refuses_anything_but_a_hash(bad: str) -> None:
    with pytest.raises(MalformedMessage):
        ContactErased.parse({"project_id": 1, "contact_id": 7, "email_hash": bad, "at": AT.isoformat()})
