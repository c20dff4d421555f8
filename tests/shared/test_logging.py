"""Log format: an explicit choice wins, else text on a terminal and JSON elsewhere; the text line is readable."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import Iterator

import pytest

from shared.logging import TextFormatter, correlation_id, setup_logging, short_name, wants_json


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.mark.parametrize(
    ("explicit", "tty", "json_logs"),
    [
        (None, True, False),  # a person at a terminal: text
        (None, False, True),  # a pipe, a file, a container's log driver: JSON
        (True, True, True),  # SESAME_LOG_JSON=true / --log-format json wins over the terminal
        (False, False, False),  # SESAME_LOG_JSON=false / --log-format text wins over the pipe
    ],
)
def test_explicit_choice_wins_over_terminal_detection(
    explicit: bool | None, tty: bool, json_logs: bool
) -> None:
    assert wants_json(explicit, _Stream(tty)) is json_logs


def test_a_closed_or_odd_stream_gets_json() -> None:
    closed = io.StringIO()
    closed.close()  # isatty() raises ValueError
    assert wants_json(None, closed) is True
    assert wants_json(None, object()) is True  # type: ignore[arg-type]


def test_short_names() -> None:
    assert short_name("sesame.sender.worker") == "sender.worker"
    assert short_name("sesame.domain") == "domain"
    assert short_name("sesame") == "sesame"
    assert short_name("uvicorn.error") == "uvicorn"
    assert short_name("uvicorn.access") == "http"
    assert short_name("alembic.runtime.migration") == "alembic.runtime.migration"


def _record(name: str, level: int, msg: str, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            exc_info = sys.exc_info()
    return logging.LogRecord(name, level, __file__, 1, msg, None, exc_info)


def test_text_line_is_time_level_short_name_message() -> None:
    rec = _record("sesame.sender.worker", logging.WARNING, "slow send")
    rec.correlation_id = "-"
    line = TextFormatter().format(rec)
    assert re.fullmatch(r"\d\d:\d\d:\d\d WARNING sender\.worker: slow send", line), line
    rec = _record("sesame.domain", logging.INFO, "project 3 resumed by operator")
    rec.correlation_id = "c0ffee"
    line = TextFormatter().format(rec)
    assert re.fullmatch(r"\d\d:\d\d:\d\d INFO  domain: project 3 resumed by operator \[c0ffee\]", line), line


def test_traceback_stays_below_its_line() -> None:
    rec = _record("sesame.app", logging.ERROR, "failed", exc=True)
    rec.correlation_id = "abc"
    first, *rest = TextFormatter().format(rec).splitlines()
    assert first.endswith("ERROR app: failed [abc]")
    assert rest[0].startswith("Traceback") and rest[-1] == "RuntimeError: boom"


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize("tty", [True, False])
def test_setup_logging_follows_the_terminal(
    tty: bool, monkeypatch: pytest.MonkeyPatch, root_logging: None
) -> None:
    stream = _Stream(tty)
    monkeypatch.setattr("sys.stderr", stream)
    setup_logging("INFO", json_logs=None, service="embedded")
    token = correlation_id.set("req-1")
    try:
        logging.getLogger("sesame.domain").info("campaign 4 started")
    finally:
        correlation_id.reset(token)
    out = stream.getvalue().strip()
    if tty:
        assert re.fullmatch(r"\d\d:\d\d:\d\d INFO  domain: campaign 4 started \[req-1\]", out), out
    else:
        body = json.loads(out)
        assert (body["level"], body["logger"], body["message"]) == (
            "INFO",
            "sesame.domain",
            "campaign 4 started",
        )
        assert (body["service"], body["correlation_id"]) == ("embedded", "req-1")
