"""What the subscriptions service's /v1 routes answer, as pydantic models (the OpenAPI document and the Python
client are typed from these). Times are ISO 8601 strings in UTC."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from shared.pagination import Page

IsoTime = Annotated[str, Field(description="ISO 8601, UTC", examples=["2026-03-02T09:30:00+00:00"])]
EmailHash = Annotated[
    str,
    Field(
        description="SHA-256 (hex) of the normalised address: what stays of an erased contact",
        examples=["b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72"],  # ada@example.com
    ),
]
EMAIL_EXAMPLE = "ada@example.com"

# --- contacts -----------------------------------------------------------------------------------------------------


class ContactOut(BaseModel):
    """A contact as listings and updates answer it (without its subscriptions)."""

    id: int
    email: str | None = Field(
        description="normalised address; null once the contact was erased", examples=[EMAIL_EXAMPLE]
    )
    attributes: dict[str, Any] = Field(
        description="free-form JSON the templates can use (`{{ first_name }}`); emptied by erasure",
        examples=[{"first_name": "Ada", "plan": "pro"}],
    )
    created_at: IsoTime
    updated_at: IsoTime
    erased_at: IsoTime | None = Field(description="when the contact was erased (GDPR); null while it is not")


class ContactSubscriptionOut(BaseModel):
    """One of a contact's subscriptions, as its contact's detail shows it."""

    id: int
    list_id: int
    status: str = Field(description="pending | active | paused | unsubscribed", examples=["active"])
    paused_until: IsoTime | None = Field(description="a paused subscription resumes at this time")
    consent_source: str | None = Field(
        description="how the address consented, as the form, import or API call recorded it",
        examples=["signed up on example.com, 2026-03-01"],
    )
    created_at: IsoTime
    updated_at: IsoTime


class ContactDetailOut(ContactOut):
    """A contact with its subscriptions (GET one, and the answer of its creation)."""

    subscriptions: list[ContactSubscriptionOut]


class ChangeOut(BaseModel):
    """One status change of a subscription (the consent history)."""

    id: int
    subscription_id: int
    list_id: int
    contact_id: int
    previous_status: str | None = Field(description="null for the subscription's first status")
    status: str = Field(description="pending | active | paused | unsubscribed", examples=["active"])
    source: str = Field(
        description="api | form | confirmation | preferences | one_click | link | bounce | complaint | import | "
        "system | sunset",
        examples=["confirmation"],
    )
    detail: str | None
    campaign_id: int | None = Field(description="the campaign whose mail led to the change (unsubscribes)")
    message_id: int | None = Field(description="the message whose link or feedback led to the change")
    at: IsoTime


class ContactPage(Page[ContactOut]):
    """One page of contacts."""


class ChangePage(Page[ChangeOut]):
    """One page of subscription changes, oldest first."""


# --- suppressions -------------------------------------------------------------------------------------------------


class SuppressionOut(BaseModel):
    id: int
    email: str | None = Field(
        description="null once the contact was erased (the hash keeps it suppressed)",
        examples=[EMAIL_EXAMPLE],
    )
    email_hash: EmailHash
    reason: str = Field(
        description="hard_bounce | soft_bounce | complaint | manual | ses_suppression | unsubscribed_all",
        examples=["hard_bounce"],
    )
    source_event: str | None = Field(
        description="what suppressed it: api, csv_import, the SES feedback's id …", examples=["api"]
    )
    detail: str | None
    created_at: IsoTime


class SuppressionCreatedOut(SuppressionOut):
    created: bool = Field(
        description="false when the address was suppressed already (answered 200, unchanged)"
    )


class RemovalOut(BaseModel):
    """A removed suppression, as the removal log keeps it."""

    id: int
    email: str | None = Field(description="null once the contact was erased", examples=[EMAIL_EXAMPLE])
    email_hash: EmailHash
    reason: str = Field(description="the removed suppression's reason", examples=["manual"])
    suppressed_at: IsoTime = Field(description="when the address had been suppressed")
    removed_by: str = Field(
        description="`removed_by` of the request, else the caller the gateway named (console user), else `api`",
        examples=["api"],
    )
    why: str = Field(examples=["the owner fixed the mailbox and asked to be mailed again"])
    removed_at: IsoTime


class SuppressionImportRowError(BaseModel):
    line: int = Field(description="line of the CSV (the header is line 1)", examples=[3])
    reason: str = Field(examples=["unknown reason 'spam'"])


class SuppressionImportOut(BaseModel):
    rows: int = Field(description="data rows read")
    added: int = Field(description="addresses newly suppressed")
    existing: int = Field(description="good addresses (each counted once) that were suppressed already")
    failed: int = Field(description="rows refused (bad address or unknown reason)")
    errors: list[SuppressionImportRowError] = Field(description="the refused rows, at most 1000")


class SuppressionPage(Page[SuppressionOut]):
    """One page of suppressions."""


class RemovalPage(Page[RemovalOut]):
    """One page of the removal log, oldest first."""
