"""Logs with a correlation id carried through requests and bus messages: JSON for machines, one readable line
per record on a terminal."""

from __future__ import annotations

import contextvars
import logging
import sys
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="-")

# Loggers whose last word says nothing on its own ("error" is uvicorn's general logger, not only errors).
_SHORT_NAMES = {"uvicorn.error": "uvicorn", "uvicorn.access": "http"}


class _CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        return True


class TextFormatter(logging.Formatter):
    """`12:03:07 INFO  sender.worker: message`, and the correlation id at the end when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-5s %(short_name)s: %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        record.short_name = short_name(record.name)
        line = super().format(record)
        cid = getattr(record, "correlation_id", "-")
        if cid != "-":
            head, sep, rest = line.partition("\n")  # a traceback stays below the line it belongs to
            line = f"{head} [{cid}]{sep}{rest}"
        return line


def short_name(logger: str) -> str:
    """A logger's name without the `sesame.` every one of ours starts with."""
    if logger in _SHORT_NAMES:
        return _SHORT_NAMES[logger]
    return logger.removeprefix("sesame.") or logger


def wants_json(explicit: bool | None, stream: TextIO | None = None) -> bool:
    """JSON logs when asked (SESAME_LOG_JSON, --log-format); unasked, text on a terminal and JSON elsewhere."""
    if explicit is not None:
        return explicit
    stream = stream if stream is not None else sys.stderr
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return True


def setup_logging(level: str = "INFO", *, json_logs: bool | None = None, service: str = "sesame") -> None:
    """Configure the root logger once per process; `json_logs=None` decides by whether stderr is a terminal."""
    handler = logging.StreamHandler(sys.stderr)
    if wants_json(json_logs, sys.stderr):
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                static_fields={"service": service},
            )
        )
    else:
        handler.setFormatter(TextFormatter())
    handler.addFilter(_CorrelationFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiormq", "aio_pika", "botocore", "aiobotocore", "sqlalchemy.engine.Engine"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
