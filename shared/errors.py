"""Errors that carry their HTTP status, rendered as {"error": ..., "detail": ...} by one set of handlers."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("sesame.errors")


class SesameError(Exception):
    status_code = 400
    error = "bad_request"

    def __init__(self, detail: Any = None, *, error: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        if error:
            self.error = error
        self.headers = headers


class BadRequest(SesameError):
    status_code, error = 400, "bad_request"


class Unauthorized(SesameError):
    status_code, error = 401, "unauthorized"


class Forbidden(SesameError):
    status_code, error = 403, "forbidden"


class NotFound(SesameError):
    status_code, error = 404, "not_found"


class Conflict(SesameError):
    status_code, error = 409, "conflict"


class Gone(SesameError):
    status_code, error = 410, "gone"


class PayloadTooLarge(SesameError):
    status_code, error = 413, "payload_too_large"


class Unprocessable(SesameError):
    status_code, error = 422, "unprocessable"


class TooManyRequests(SesameError):
    status_code, error = 429, "too_many_requests"


class Unavailable(SesameError):
    status_code, error = 503, "unavailable"


def error_body(error: str, detail: Any = None) -> dict[str, Any]:
    return {"error": error, "detail": detail}


def _refused_value(exc: DBAPIError) -> bool:
    """asyncpg refused a parameter (an id past 64 bits, a NUL byte, a lone surrogate): the client's input."""
    cause = getattr(exc.orig, "__cause__", None) or exc.orig
    if isinstance(cause, UnicodeError | OverflowError):
        return True
    try:
        from asyncpg.exceptions import DataError as PgDataError
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(cause, PgDataError)


def install_error_handlers(app: FastAPI) -> None:
    """Map domain errors, validation errors and lost backends to clear JSON answers (never a bare 500)."""

    @app.exception_handler(SesameError)
    async def _sesame(_: Request, exc: SesameError) -> JSONResponse:
        return JSONResponse(error_body(exc.error, exc.detail), exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors()
        ]
        return JSONResponse(error_body("validation_error", detail), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        name = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(name, exc.detail), exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error: %s", exc.orig)
        return JSONResponse(error_body("conflict", "the change conflicts with existing data"), 409)

    @app.exception_handler(OperationalError)
    async def _db_down(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc.orig)
        return JSONResponse(error_body("unavailable", "database unavailable"), 503)

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        log.info("value refused by the database: %s", exc.orig)
        return JSONResponse(error_body("invalid_value", "a value is out of range or malformed"), 422)

    @app.exception_handler(UnicodeError)
    async def _unicode(_: Request, exc: UnicodeError) -> JSONResponse:
        # e.g. a lone surrogate ("\udade") in JSON text: valid JSON, not encodable text
        return JSONResponse(error_body("invalid_value", "text is not valid Unicode"), 422)

    @app.exception_handler(OverflowError)
    async def _overflow(_: Request, exc: OverflowError) -> JSONResponse:
        # e.g. an id past 64 bits reaching SQLite ("Python int too large to convert to SQLite INTEGER")
        return JSONResponse(error_body("invalid_value", "a number is out of range"), 422)

    @app.exception_handler(DBAPIError)
    async def _dbapi(_: Request, exc: DBAPIError) -> JSONResponse:
        if _refused_value(exc):
            # asyncpg refuses a parameter client-side (e.g. an id past 64 bits) before any SQL runs
            return JSONResponse(error_body("invalid_value", "a value is out of range or malformed"), 422)
        if exc.connection_invalidated:
            return JSONResponse(error_body("unavailable", "database unavailable"), 503)
        log.exception("database error")
        return JSONResponse(error_body("internal_error", "database error"), 500)

    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - botocore comes with aioboto3
        pass
    else:

        @app.exception_handler(ClientError)
        @app.exception_handler(BotoCoreError)
        async def _aws(_: Request, exc: Exception) -> JSONResponse:
            # AWS (or the endpoint standing in for it) failed us: a gateway error with its reason, not a bare 500
            log.warning("AWS call failed: %r", exc)
            return JSONResponse(error_body("upstream_error", f"AWS call failed: {exc}"[:500]), 502)

    @app.exception_handler(ConnectionError)
    async def _conn(_: Request, exc: ConnectionError) -> JSONResponse:
        log.error("backend unavailable: %r", exc)
        return JSONResponse(error_body("unavailable", "a backend is unavailable"), 503)
