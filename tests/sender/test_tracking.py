"""Which configuration set a message goes out with (services/sender/tracking.py): pure logic."""

from __future__ import annotations

import pytest

from services.sender.tracking import (
    UNTRACKED,
    Tracking,
    campaign_tracking,
    choose,
    no_track,
    project_tracking,
    requested_tracking,
)

SETS = ("feedback", "feedback-tracking", "feedback-clicks")


def test_the_project_tracks_both_unless_turned_off() -> None:
    assert project_tracking(None) == Tracking(True, True)
    assert project_tracking({"tracking": {"opens": False}}) == Tracking(False, True)
    assert project_tracking({"tracking": {"opens": False, "clicks": False}}) == UNTRACKED
    assert project_tracking({"tracking": "garbage"}) == Tracking(True, True)


def test_a_campaign_overrides_only_what_it_chose() -> None:
    default = Tracking(True, True)
    assert campaign_tracking(None, None, default) == default
    assert campaign_tracking(False, None, default) == Tracking(False, True)
    assert campaign_tracking(True, True, UNTRACKED) == Tracking(True, True)


def test_transactional_mail_is_tracked_only_when_asked() -> None:
    assert requested_tracking(None) == UNTRACKED
    assert requested_tracking({"track_opens": "yes", "track_clicks": 1}) == UNTRACKED
    assert requested_tracking({"track_clicks": True}) == Tracking(False, True)


@pytest.mark.parametrize(
    ("wanted", "sets", "expected"),
    [
        (Tracking(True, True), SETS, ("feedback-tracking", False, Tracking(True, True))),
        (Tracking(True, False), SETS, ("feedback-tracking", True, Tracking(True, False))),
        (Tracking(False, True), SETS, ("feedback-clicks", False, Tracking(False, True))),
        (UNTRACKED, SETS, ("feedback", False, UNTRACKED)),
        # the account has no tracking sets (tracking off at connect, not connected): never tracked
        (Tracking(True, True), ("feedback", None, None), ("feedback", False, UNTRACKED)),
        (Tracking(False, True), ("feedback", "feedback-tracking", None), ("feedback", False, UNTRACKED)),
    ],
)
def test_the_set_follows_what_is_wanted_and_what_exists(
    wanted: Tracking, sets: tuple[str, str | None, str | None], expected: tuple[str, bool, Tracking]
) -> None:
    got = choose(wanted, *sets)
    assert (got.configuration_set, got.no_track_links, got.tracking) == expected


def test_no_track_marks_every_anchor_once() -> None:
    html = '<p><a href="https://a.example/">a</a> <A\nhref="x">b</A> <a ses:no-track href="y">c</a> <abbr>d</abbr></p>'
    out = no_track(html)
    assert out.count("ses:no-track") == 3
    assert "<abbr>" in out and '<a ses:no-track href="https://a.example/">' in out
