"""The project's SES account (validated by reading its quota when saved) and the sending status."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel, Field, field_validator, model_validator

from services.sender.accounts import apply_quota, make_client, pause_project, resume_project
from services.sender.api.common import CoreDep, checked_address, iso
from services.sender.api.schemas import SendingOut, SendingResumed, SesAccountOut
from services.sender.ses import SesError
from shared.crypto import SES_CREDENTIALS, decrypt, encrypt
from shared.db.types import utcnow
from shared.errors import NotFound, Unavailable, Unprocessable
from shared.internal_auth import ProjectId
from shared.models.sender import Message, SendingState, SesAccount
from shared.service_app import DbSession, RuntimeDep

router = APIRouter(tags=["ses-account"])

_REGION = r"^[a-z]{2}(-[a-z]+)+-\d$"


class Credentials(BaseModel):
    mode: Literal["keys", "chain"] = "keys"
    access_key_id: str | None = Field(None, min_length=16, max_length=128, pattern=r"^[A-Z0-9]+$")
    secret_access_key: str | None = Field(None, min_length=16, max_length=128)

    @model_validator(mode="after")
    def _keys(self) -> Credentials:
        if self.mode == "keys" and not (self.access_key_id and self.secret_access_key):
            raise ValueError("access_key_id and secret_access_key are required (or mode 'chain')")
        return self


class AccountIn(BaseModel):
    region: str = Field(pattern=_REGION, max_length=40)
    credentials: Credentials
    configuration_set: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    from_address: str | None = Field(None, alias="from", max_length=400)
    warmup: bool = True

    model_config = {"populate_by_name": True}

    @field_validator("from_address")
    @classmethod
    def _address(cls, v: str | None) -> str | None:
        return checked_address(v)


def account_json(a: SesAccount, key: str) -> dict[str, Any]:
    masked = None
    if a.credential_mode == "keys" and a.access_key_id_enc:
        try:
            ak = decrypt(key, a.access_key_id_enc, what=SES_CREDENTIALS)
            masked = ak[:4] + "…" + ak[-4:]
        except ValueError:
            masked = "(unreadable with the current encryption key)"
    return {
        "region": a.region,
        "credentials": {"mode": a.credential_mode, "access_key_id": masked},
        "configuration_set": a.configuration_set,
        "from": a.from_address,
        "quota": {
            "max_send_rate": a.max_send_rate,
            "max_24h_send": a.max_24h_send,
            "sent_last_24h": a.sent_last_24h,
            "sent_since_read": a.sent_since_read,
            "read_at": iso(a.quota_read_at),
            "source": a.quota_source,
        },
        "sending_enabled": a.sending_enabled,
        "production_access": a.production_access,
        "enforcement_status": a.enforcement_status,
        "warmup": {
            "enabled": a.warmup_enabled,
            "step": a.warmup_step,
            "step_at": iso(a.warmup_step_at),
            "sent_today": a.warmup_sent,
            # A due step refused because the project's rates were at or over a warn threshold (None: not held).
            "blocked_at": iso(a.warmup_blocked_at),
            "blocked_reason": a.warmup_blocked_reason,
        },
        "last_error": a.last_error,
        "updated_at": iso(a.updated_at),
    }


@router.put("/v1/ses-account", response_model=SesAccountOut)
async def put_account(
    body: AccountIn, session: DbSession, project_id: ProjectId, rt: RuntimeDep, core: CoreDep
) -> dict[str, Any]:
    key = rt.settings.security.encryption_key
    row = (
        await session.execute(sa.select(SesAccount).where(SesAccount.project_id == project_id))
    ).scalar_one_or_none()
    if row is None:
        row = SesAccount(project_id=project_id, warmup_enabled=body.warmup, warmup_step=0, sent_since_read=0)
        session.add(row)
    row.region = body.region
    row.credential_mode = body.credentials.mode
    if body.credentials.mode == "keys":
        row.access_key_id_enc = encrypt(key, body.credentials.access_key_id or "")
        row.secret_access_key_enc = encrypt(key, body.credentials.secret_access_key or "")
    else:
        row.access_key_id_enc = row.secret_access_key_enc = None
    row.configuration_set = body.configuration_set
    row.from_address = body.from_address
    row.warmup_enabled = body.warmup
    # Validate: the credentials must be able to read the account's quota.
    client = make_client(row, core.settings, key)
    try:
        quota = await client.get_quota()
    except SesError as exc:
        if exc.kind == "transient":
            raise Unavailable(f"SES did not answer: {exc}") from None
        raise Unprocessable(
            {"error": "ses_rejected_credentials", "code": exc.code, "message": exc.message}
        ) from None
    finally:
        await client.close()
    apply_quota(row, quota)
    row.last_error = None
    await session.flush()
    if not quota.sending_enabled:
        await pause_project(
            session,
            project_id,
            reason="ses_account",
            detail="SES reports sending disabled for this account",
            transactional=True,
            announce=True,
        )
    core.accounts.invalidate(project_id)
    return account_json(row, key)


@router.get("/v1/ses-account", response_model=SesAccountOut)
async def get_account(session: DbSession, project_id: ProjectId, rt: RuntimeDep) -> dict[str, Any]:
    row = (
        await session.execute(sa.select(SesAccount).where(SesAccount.project_id == project_id))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("no SES account: mail goes to the sandbox SES")
    return account_json(row, rt.settings.security.encryption_key)


@router.delete("/v1/ses-account", status_code=204)
async def delete_account(session: DbSession, project_id: ProjectId, core: CoreDep) -> None:
    await session.execute(sa.delete(SesAccount).where(SesAccount.project_id == project_id))
    core.accounts.invalidate(project_id)


async def sending_status(session: Any, project_id: int) -> dict[str, Any]:
    st = (
        await session.execute(sa.select(SendingState).where(SendingState.project_id == project_id))
    ).scalar_one_or_none()
    counts = dict(
        (
            await session.execute(
                sa.select(Message.state, sa.func.count())
                .where(Message.project_id == project_id, Message.state.in_(("queued", "sending", "delayed")))
                .group_by(Message.state)
            )
        ).all()
    )
    acc = (
        await session.execute(sa.select(SesAccount).where(SesAccount.project_id == project_id))
    ).scalar_one_or_none()
    return {
        "mode": "ses" if acc else "sandbox",
        "marketing_paused": bool(st and st.marketing_paused),
        "transactional_paused": bool(st and st.transactional_paused),
        "pause_reason": st.reason if st else None,
        "pause_detail": st.detail if st else None,
        "waiting": {k: int(counts.get(k, 0)) for k in ("queued", "sending", "delayed")},
        "quota": None
        if acc is None
        else {
            "max_send_rate": acc.max_send_rate,
            "max_24h_send": acc.max_24h_send,
            "sent_last_24h": (acc.sent_last_24h or 0) + acc.sent_since_read,
            "read_at": iso(acc.quota_read_at),
        },
    }


@router.get("/v1/sending", response_model=SendingOut)
async def get_sending(session: DbSession, project_id: ProjectId) -> dict[str, Any]:
    return await sending_status(session, project_id)


@router.post("/v1/sending/resume", response_model=SendingResumed)
async def resume_sending(session: DbSession, project_id: ProjectId, core: CoreDep) -> dict[str, Any]:
    """Resume after an SES-account pause (guard pauses are resumed through the events service)."""
    await resume_project(session, project_id)
    await session.flush()
    core.accounts.invalidate(project_id)
    core.dispatcher.notify()
    out = await sending_status(session, project_id)
    out["resumed_at"] = iso(utcnow())
    return out
