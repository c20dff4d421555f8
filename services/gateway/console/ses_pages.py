"""The project's SES: sandbox or real, the account (keys checked by reading the quota), feedback wiring, the loop
test, and the readiness report (`sesame doctor`) as a checklist with each fix and the production-access draft.

Every change goes through the sender's /v1/ses-account API as the project; the secret key is sent once and never
shown again (not even back into the form after a refusal).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from services.gateway.bodies import field
from services.gateway.console import audit
from services.gateway.console.access import Access, project_access, project_post
from services.gateway.console.project_api import ApiResult, ProjectApi
from services.gateway.console.readiness_view import checklist
from services.gateway.console.views import done, page
from services.gateway.state import gateway

router = APIRouter(include_in_schema=False)

REPORT_TIMEOUT = 45.0  # the report reads SES and DNS (5 s timeouts each, concurrently)
MODES = [("configuration_set", "Configuration set (recommended)"), ("identity", "Identity notifications")]
CREDENTIAL_MODES = [
    ("keys", "IAM access keys"),
    ("chain", "The server's own AWS credentials (instance role or environment)"),
]
# PUT /v1/ses-account's field names → the form's inputs
ACCOUNT_FIELDS = {
    "credentials.access_key_id": "access_key_id",
    "credentials.secret_access_key": "secret_access_key",
    "credentials.mode": "credentials_mode",
    "region": "region",
    "from": "from",
    "configuration_set": "configuration_set",
    "warmup": "warmup",
}


def _path(pid: int) -> str:
    return f"/admin/p/{pid}/ses"


async def _optional(api: ProjectApi, path: str, **query: Any) -> tuple[Any, ApiResult]:
    r = await api.call("GET", path, query=query, timeout=REPORT_TIMEOUT)
    return (r.data if r.ok else None), r


async def _render(request: Request, access: Access, *, status: int = 200, **extra: Any) -> Response:
    api = ProjectApi(gateway(request), access.pid)
    domain = (request.query_params.get("domain") or "").strip()[:253]
    (sending, sending_r), (account, _), (outcome, _), (feedback, _), (draft, draft_r) = await asyncio.gather(
        _optional(api, "/v1/sending"),
        _optional(api, "/v1/ses-account"),
        _optional(api, "/v1/ses-account/connect"),
        _optional(api, "/v1/ses-account/feedback"),
        # The draft carries the readiness report it was built from: one run of the checks for both.
        _optional(api, "/v1/ses-account/production-request", domain=domain or None),
    )
    errors = dict(extra.pop("errors", {}) or {})
    if sending_r.status >= 500 or sending_r.status == 0:
        status = max(status, 503)  # the sender is down: the page says what it can, with the service's status
        extra.setdefault("message", sending_r.message)
    report = (draft or {}).get("report") if isinstance(draft, dict) else None
    report_error = ""
    if not draft_r.ok:
        report_error = draft_r.message or "The readiness report is not available right now."
        if "domain" in draft_r.errors:
            errors.setdefault("domain", draft_r.errors["domain"])
            status = max(status, draft_r.status)
    connect_status = (outcome or {}).get("status", "never_run")
    loop_test = (feedback or {}).get("last_loop") or {}
    ctx = {
        "sending": sending or {},
        "account": account,
        "outcome": outcome or {"status": "never_run"},
        "feedback": feedback or {},
        "loop_test": loop_test,
        "loop_items": [i for i in loop_test.get("items") or [] if isinstance(i, dict)],
        "report": report,
        "report_error": report_error,
        "groups": checklist(report or {}, account is not None),
        "draft": draft if isinstance(draft, dict) else None,
        "domain": domain,
        "modes": MODES,
        "credential_modes": CREDENTIAL_MODES,
        "running": connect_status == "running" or loop_test.get("status") == "running",
        "errors": errors,
        **extra,
    }
    ctx.setdefault("values", {})
    ctx["values"] = {"domain": domain, **ctx["values"]}
    return page(request, "console/ses.html", access, ctx, section="ses", status=status)


@router.get("/admin/p/{pid}/ses")
async def ses_page(request: Request, pid: int) -> Response:
    return await _render(request, await project_access(request, pid))


@router.get("/admin/p/{pid}/ses/status.json")
async def ses_status(request: Request, pid: int) -> Response:
    """What the page polls while a connect or loop test runs in the background."""
    await project_access(request, pid)
    api = ProjectApi(gateway(request), pid)
    outcome, feedback = await asyncio.gather(
        api.get("/v1/ses-account/connect"), api.get("/v1/ses-account/feedback")
    )
    connect = (outcome.data or {}).get("status") if outcome.ok else "unknown"
    loop = ((feedback.data or {}).get("last_loop") or {}).get("status") if feedback.ok else "unknown"
    running = "running" in (connect, loop)
    return JSONResponse(
        {"connect": connect or "never_run", "loop": loop or "never_run", "done": not running},
        headers={"cache-control": "no-store"},
    )


def _account_errors(r: ApiResult, values: dict[str, str]) -> dict[str, str]:
    errors = {ACCOUNT_FIELDS[k]: v for k, v in r.errors.items() if k in ACCOUNT_FIELDS}
    if "credentials" in r.errors and not ({"access_key_id", "secret_access_key"} & errors.keys()):
        # the model's own check (keys mode needs both): shown at the one that is missing
        missing = "access_key_id" if not values.get("access_key_id") else "secret_access_key"
        errors[missing] = r.errors["credentials"]
    detail = r.data.get("detail") if isinstance(r.data, dict) else None
    if isinstance(detail, dict) and detail.get("error") == "ses_rejected_credentials":
        code = f" ({detail['code']})" if detail.get("code") else ""
        errors["access_key_id"] = (
            f"SES refused these keys{code}: {detail.get('message') or 'no reason given'}"
        )
    return errors


@router.post("/admin/p/{pid}/ses/connect")
async def connect_account(request: Request, pid: int) -> Response:
    access, form = await project_post(request, pid, "owner")
    values = {
        "credentials_mode": field(form, "credentials_mode", 10) or "keys",
        "access_key_id": field(form, "access_key_id", 200).strip(),
        "region": field(form, "region", 60).strip(),
        "from": field(form, "from", 400).strip(),
        "configuration_set": field(form, "configuration_set", 100).strip(),
        "warmup": "on" if field(form, "warmup", 10) else "",
    }
    secret = field(form, "secret_access_key", 200).strip()
    keys = values["credentials_mode"] != "chain"
    body = {
        "region": values["region"],
        "credentials": {
            "mode": "keys" if keys else "chain",
            "access_key_id": values["access_key_id"] or None if keys else None,
            "secret_access_key": secret or None if keys else None,
        },
        "configuration_set": values["configuration_set"] or None,
        "from": values["from"] or None,
        "warmup": bool(values["warmup"]),
    }
    r = await ProjectApi(gateway(request), pid).call("PUT", "/v1/ses-account", json=body, timeout=30)
    if not r.ok:
        errors = _account_errors(r, values)
        message = (
            r.message if r.status >= 500 or not errors else "Nothing was saved: check the fields marked."
        )
        return await _render(
            request,
            access,
            status=r.page_status,
            errors=errors,
            message=message,
            values=values,
            form_open=True,
        )
    await audit.record(
        request,
        access.viewer,
        "ses.connected",
        project_id=pid,
        target=f"ses:{values['region']}",
        detail={
            "region": values["region"],
            "from": values["from"],
            "credentials": body["credentials"]["mode"],
        },
    )
    q = (r.data or {}).get("quota") or {}
    return done(
        request,
        _path(pid),
        f"SES account saved: the keys work (quota {q.get('max_24h_send') or 0:g} a day, "
        f"{q.get('max_send_rate') or 0:g}/s). Mail now goes through SES. Next: wire feedback.",
    )


@router.post("/admin/p/{pid}/ses/disconnect")
async def disconnect_account(request: Request, pid: int) -> Response:
    access, _ = await project_post(request, pid, "owner")
    r = await ProjectApi(gateway(request), pid).call("DELETE", "/v1/ses-account")
    if not r.ok:
        return await _render(request, access, status=r.page_status, message=r.message)
    await audit.record(request, access.viewer, "ses.disconnected", project_id=pid, target="ses")
    return done(
        request,
        _path(pid),
        "SES account removed: mail is captured in the Outbox again. The SNS topics in AWS were left as they are.",
    )


@router.post("/admin/p/{pid}/ses/wire")
async def wire_feedback(request: Request, pid: int) -> Response:
    access, form = await project_post(request, pid, "owner")
    values = {
        "identity": field(form, "identity", 320).strip(),
        "mode": field(form, "mode", 40),
        "prove_loop": "on" if field(form, "prove_loop", 10) else "",
    }
    body: dict[str, Any] = {"prove_loop": bool(values["prove_loop"])}
    if values["identity"]:
        body["identity"] = values["identity"]
    if values["mode"]:
        body["mode"] = values["mode"]
    r = await ProjectApi(gateway(request), pid).call("POST", "/v1/ses-account/connect", json=body)
    if not r.ok:
        errors = {k: v for k, v in r.errors.items() if k in ("identity", "mode")}
        error = (r.data or {}).get("error") if isinstance(r.data, dict) else None
        if error == "no_identity":
            errors["identity"] = r.message
        return await _render(
            request, access, status=r.page_status, errors=errors, message=r.message, values=values
        )
    await audit.record(
        request,
        access.viewer,
        "ses.feedback_wiring_started",
        project_id=pid,
        target="ses",
        detail={"identity": values["identity"], "mode": values["mode"] or "default"},
    )
    return done(
        request,
        _path(pid),
        "Feedback wiring started: it waits for SNS to confirm the subscriptions (up to a few minutes). "
        "This page shows the outcome.",
    )


@router.post("/admin/p/{pid}/ses/loop-test")
async def loop_test(request: Request, pid: int) -> Response:
    access, _ = await project_post(request, pid, "owner")
    r = await ProjectApi(gateway(request), pid).call("POST", "/v1/ses-account/loop-test", json={})
    if not r.ok:
        return await _render(request, access, status=r.page_status, message=r.message)
    run_id = str((r.data or {}).get("run_id") or "")
    await audit.record(
        request, access.viewer, "ses.loop_test_started", project_id=pid, target=f"loop:{run_id}"
    )
    return done(
        request,
        _path(pid),
        "Loop test started: three mails to the SES mailbox simulator; their feedback should arrive within a minute.",
    )


@router.post("/admin/p/{pid}/ses/suppressions/sync")
async def sync_suppressions(request: Request, pid: int) -> Response:
    access, _ = await project_post(request, pid, "owner")
    r = await ProjectApi(gateway(request), pid).call(
        "POST", "/v1/ses-account/suppressions/sync", timeout=REPORT_TIMEOUT
    )
    if not r.ok:
        return await _render(request, access, status=r.page_status, message=r.message)
    s = r.data or {}
    await audit.record(
        request,
        access.viewer,
        "ses.suppressions_synced",
        project_id=pid,
        target="ses",
        detail={k: s.get(k) for k in ("ses_count", "imported", "pushed")},
    )
    return done(
        request,
        _path(pid),
        f"Suppression list synced: {s.get('ses_count', 0)} on SES, {s.get('imported', 0)} imported, "
        f"{s.get('pushed', 0)} pushed to SES.",
    )
