"""Errors that carry their HTTP status, rendered as {"error": ..., "detail": ...} by one set of handlers.

The one error vocabulary of every service is `ERROR_CODES` below: each `error` value an API can answer, with its
status and meaning. `detail` says the particular reason in words (or, for `validation_error`, lists the fields).
A new code goes into this table first (tests/shared/test_error_vocabulary.py checks every code raised in services/
is listed, and the OpenAPI document describes the table from here).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("sesame.errors")


class SesameError(Exception):
    status_code = 400
    error = "bad_request"

    def __init__(
        self, detail: Any = None, *, error: str | None = None, headers: dict[str, str] | None = None
    ):
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


class ErrorBody(BaseModel):
    """The one error shape every service answers with."""

    error: str = Field(description="a code of the vocabulary in shared/errors.py (ERROR_CODES)")
    detail: Any = Field(
        None, description="the reason in words; for validation_error the list of refused fields"
    )

    model_config = {
        "json_schema_extra": {"examples": [{"error": "not_found", "detail": "campaign not found"}]}
    }


# code -> (status, meaning). Generic codes first; then the refinements a client may branch on.
ERROR_CODES: dict[str, tuple[int, str]] = {
    "bad_request": (400, "the request cannot be carried out as given (detail says why)"),
    "invalid_cursor": (400, "a `cursor` this API did not issue"),
    "invalid_token": (400, "a signed link or token is malformed or forged"),
    "empty_body": (400, "the request needs a body"),
    "invalid_csv": (400, "an import file is not CSV this API can read"),
    "list_id_required": (400, "the call needs a `list_id`"),
    "consent_source_required": (400, "an import needs the consent source of its addresses"),
    "invalid_thresholds": (400, "guard thresholds out of order or out of range"),
    "until_required": (400, "a pause needs an end time"),
    "until_out_of_range": (400, "a pause end time is in the past or too far ahead"),
    "paused_until_required": (400, "a paused subscription needs `paused_until`"),
    "paused_until_out_of_range": (400, "`paused_until` is in the past or too far ahead"),
    "topic_not_allowed": (400, "an SNS topic this project does not own"),
    "url_refused": (400, "a webhook URL that is not public http(s) (private, loopback, link-local or malformed)"),
    "unauthorized": (401, "no API key, or an invalid or revoked one"),
    "forbidden": (403, "authenticated, but not allowed to do this"),
    "not_found": (404, "no such resource in this project (detail names it)"),
    "method_not_allowed": (405, "the path exists, not with this method"),
    "conflict": (409, "the change conflicts with the resource's state or existing data"),
    "contact_exists": (409, "a contact with this address exists"),
    "contact_erased": (409, "the contact was erased; its address cannot come back this way"),
    "invalid_transition": (409, "the resource's state does not allow this change"),
    "not_subscribed": (409, "the contact is not subscribed to this list"),
    "not_pending": (409, "the subscription is not waiting for confirmation"),
    "not_paused": (409, "the subscription is not paused"),
    "unsubscribed": (409, "the contact unsubscribed; only they can subscribe again"),
    "already_running": (409, "the same job runs already"),
    "already_processed": (409, "this was handled already"),
    "no_ses_account": (409, "the project has no SES account configured"),
    "no_identity": (409, "no verified SES identity for the sender address"),
    "import_not_held": (409, "the import is not held (already accepted, rejected, or never held)"),
    "not_held": (409, "the campaign is not held by its canary send"),
    "campaign_not_editable": (409, "sending began: only a draft or scheduled campaign can be changed"),
    "webhook_limit": (409, "the project has as many webhook endpoints as it may"),
    "webhook_disabled": (409, "the webhook endpoint is disabled: enable it first"),
    "delivery_in_progress": (409, "the webhook delivery is still pending or in flight"),
    "gone": (410, "the resource existed and is gone"),
    "expired_token": (410, "a signed link or token has expired"),
    "payload_too_large": (413, "the body is over the size limit"),
    "validation_error": (422, "the body or parameters do not match the schema (detail lists the fields)"),
    "unprocessable": (422, "well-formed, but the content is refused (e.g. an unsafe template)"),
    "invalid_email": (422, "not an email address that can receive mail"),
    "template_invalid": (422, "a template that does not parse or render"),
    "invalid_value": (422, "a value is out of range or not valid text"),
    "too_many_requests": (429, "rate limited; Retry-After says when to try again"),
    "internal_error": (500, "a fault on our side (logged)"),
    "upstream_error": (502, "AWS, or the service standing in for it, failed"),
    "unavailable": (503, "a database, broker or service is unreachable; retry later"),
    "credentials_unreadable": (503, "the stored SES credentials cannot be decrypted with the configured key"),
    "encryption_key_invalid": (503, "SESAME_ENCRYPTION_KEY is not a Fernet key: no secret can be stored"),
    "certificate_unavailable": (503, "the SNS signing certificate could not be fetched"),
    "upstream_timeout": (504, "a service did not answer in time"),
    # Public pages (not the API), kept because the hosted pages branch on them:
    "confirm_failed": (400, "a confirmation link could not be applied"),
    "not_ses_feedback": (400, "an SNS message that is not SES feedback"),
}



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
        name = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            error_body(name, exc.detail), exc.status_code, headers=getattr(exc, "headers", None)
        )

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
