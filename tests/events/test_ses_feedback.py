"""Parsing both SES formats into per-recipient items: every sample, bounce types, auto-replies, tags, junk."""

from __future__ import annotations

import copy
import json

import pytest

from services.events.ses_feedback import NotSesFeedback, is_auto_reply, our_ids, parse_feedback
from tests.events.conftest import sample
from tests.events.test_pipeline import EXPECT


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_every_sample_parses(name: str) -> None:
    items = parse_feedback(json.dumps(sample(name)))
    assert sorted(i.event_type for i in items) == sorted(EXPECT[name][1])
    for i in items:
        assert i.ses_message_id and i.occurred_at.tzinfo is not None and len(i.dedupe_key) == 64


def test_same_bounce_in_both_formats_has_the_same_dedupe_key() -> None:
    event = sample("event-bounce.json")
    notification = copy.deepcopy(event)
    notification["notificationType"] = notification.pop("eventType")
    notification["mail"].pop("tags")
    a, b = parse_feedback(event), parse_feedback(notification)
    assert a[0].dedupe_key == b[0].dedupe_key


def test_auto_reply_rule() -> None:
    # Transient/General with no DSN fields for the recipient = an out-of-office / auto-reply
    assert is_auto_reply("Transient", "General", {"emailAddress": "a@x.org"})
    assert not is_auto_reply("Transient", "General", {"emailAddress": "a@x.org", "status": "4.4.7"})
    assert not is_auto_reply("Transient", "MailboxFull", {"emailAddress": "a@x.org"})
    assert not is_auto_reply("Undetermined", "Undetermined", {"emailAddress": "a@x.org"})
    assert not is_auto_reply("Permanent", "General", {"emailAddress": "a@x.org"})


@pytest.mark.parametrize(
    ("btype", "subtype"),
    [("Undetermined", "Undetermined"), ("Permanent", "General"), ("Permanent", "NoEmail"),
     ("Permanent", "Suppressed"), ("Permanent", "OnAccountSuppressionList"), ("Transient", "General"),
     ("Transient", "MailboxFull"), ("Transient", "MessageTooLarge"), ("Transient", "ContentRejected"),
     ("Transient", "AttachmentRejected")],
)  # fmt: skip
def test_every_bounce_type_and_subtype(btype: str, subtype: str) -> None:
    doc = sample("notification-bounce-permanent-general.json")
    doc["bounce"]["bounceType"], doc["bounce"]["bounceSubType"] = btype, subtype
    [item] = parse_feedback(doc)
    assert (item.bounce_type, item.bounce_subtype) == (btype, subtype)
    assert item.auto_reply is False  # this recipient carries a DSN status


def test_multiple_recipients_and_odd_addresses() -> None:
    doc = sample("notification-bounce-permanent-general-no-dsn.json")
    doc["bounce"]["bouncedRecipients"].append({"emailAddress": '"Display" <Mixed@Example.COM>'})
    doc["bounce"]["bouncedRecipients"].append({"emailAddress": "not-an-address"})
    items = parse_feedback(doc)
    assert [i.email for i in items] == ["jane@example.com", "richard@example.com", "Mixed@example.com",
                                        "not-an-address"]  # fmt: skip
    assert len({i.dedupe_key for i in items}) == 4


def test_our_ids_from_tags_and_headers() -> None:
    assert our_ids({"tags": {"sesame-project": ["3"], "sesame-message": ["99"]}}) == (3, 99)
    assert our_ids({"headers": [{"name": "X-Sesame-Message-Id", "value": "12"}]}) == (None, 12)
    assert our_ids(
        {"headers": [{"name": "X-SES-MESSAGE-TAGS", "value": "sesame-project=4, sesame-message=5"}]}
    ) == (4, 5)
    assert our_ids({"tags": {"sesame-message": ["x"]}, "headers": "junk"}) == (None, None)


@pytest.mark.parametrize(
    "junk",
    ["Hello world", "[]", "null", json.dumps({"foo": 1}), json.dumps({"notificationType": "Bounce"}),
     json.dumps({"eventType": "Teleport", "mail": {"messageId": "m"}}),
     json.dumps({"notificationType": "Bounce", "mail": {"messageId": "m"}, "bounce": {"bounceType": "Permanent"}}),
     json.dumps({"notificationType": "Bounce", "mail": {"messageId": "m"}, "bounce": "x"}),
     json.dumps({"notificationType": 5, "mail": {"messageId": "m"}})],
)  # fmt: skip
def test_not_ses_feedback(junk: str) -> None:
    with pytest.raises(NotSesFeedback):
        parse_feedback(junk)


def test_subscription_succeeded_notice_is_ignored() -> None:
    assert parse_feedback({"notificationType": "AmazonSnsSubscriptionSucceeded", "message": "ok"}) == []
