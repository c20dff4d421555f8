"""What the subscriptions service's /v1 routes answer, as pydantic models (the OpenAPI document and the Python
client are typed from these). Times are ISO 8601 strings in UTC.

Output models carry no validators of their own: they describe what was stored (checked on the way in by the
routes' input models), so an answer never fails on a rule that was tightened after the row was written."""

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


# --- projects and API keys ---------------------------------------------------------------------------------------


class ProjectOut(BaseModel):
    id: int
    name: str = Field(examples=["Acme newsletters"])
    owner_email: str | None = Field(
        description="who gets the project's notices (a paused project, …)", examples=["owner@acme.example"]
    )
    settings: dict[str, Any] = Field(
        description="the project's knobs: branding, allowed_redirect_hosts, from_email, from_name, tracking, "
        "canary_window_seconds, and keys other services own (see PATCH /v1/project)",
        examples=[
            {
                "branding": {"name": "Acme", "primary_color": "#0044cc"},
                "from_email": "news@acme.example",
                "tracking": {"opens": True, "clicks": True},
            }
        ],
    )
    created_at: IsoTime


class ApiKeyOut(BaseModel):
    id: int
    name: str = Field(examples=["default"])
    prefix: str = Field(
        description="the key's lookup prefix (`ses_<prefix>_…`), to recognise it", examples=["3f9a1c2b7d"]
    )
    created_at: IsoTime
    last_used_at: IsoTime | None = Field(description="when the gateway last authenticated it (null: never)")
    revoked_at: IsoTime | None = Field(description="null while the key works")


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(
        description="the whole key: shown only now (only its hash is stored)",
        examples=["ses_3f9a1c2b7d_q2VwX0ZrZ0c4c1JmT2hLd3pYbVE"],
    )


class ApiKeyPage(Page[ApiKeyOut]):
    """One page of API keys."""


# --- lists -------------------------------------------------------------------------------------------------------


class CaptchaOut(BaseModel):
    provider: str = Field(
        description="none | altcha | turnstile | hcaptcha | recaptcha", examples=["turnstile"]
    )
    site_key: str | None = Field(None, examples=["0x4AAAAAAAB"])
    secret_set: bool = Field(False, description="a secret is stored (it is write-only: never answered)")


class FormFieldOut(BaseModel):
    name: str = Field(examples=["first_name"])
    label: str | None = Field(None, examples=["First name"])


class FormBrandingOut(BaseModel):
    name: str | None = None
    logo_url: str | None = None
    primary_color: str | None = None
    accent_color: str | None = None
    background_color: str | None = None
    text_color: str | None = None


class FormSettingsOut(BaseModel):
    """The hosted form's settings as stored (see the list's create/update body for what each means): a setting
    left unset is absent (the routes answer with `response_model_exclude_unset`)."""

    captcha: CaptchaOut = Field(default_factory=lambda: CaptchaOut(provider="none"))
    honeypot: bool = True
    redirect_url: str | None = Field(None, examples=["https://acme.example/thanks"])
    fields: list[FormFieldOut | str] = Field(
        default_factory=list, description="extra form fields, stored as contact attributes"
    )
    title: str | None = Field(None, examples=["Get the weekly news"])
    intro: str | None = None
    button_label: str | None = Field(None, examples=["Subscribe"])
    branding: FormBrandingOut | None = None
    locale: str | None = Field(None, description="null: the subscriber's browser language", examples=["en"])
    confirmation_subject: str | None = Field(None, description="null: the built-in mail")
    confirmation_body: str | None = Field(None, description="null: the built-in mail")


class ListCounts(BaseModel):
    """Subscriptions of the list per status."""

    pending: int
    active: int
    paused: int
    unsubscribed: int


class ListOut(BaseModel):
    id: int
    name: str = Field(examples=["Weekly news"])
    description: str = Field(examples=["What happened this week at Acme"])
    double_optin: bool
    public: bool = Field(description="false: not offered on the preference page to non-members")
    form_settings: FormSettingsOut
    sunset_days: int | None = Field(description="null: no sunset by days")
    sunset_campaigns: int | None = Field(description="null: no sunset by campaigns")
    created_at: IsoTime
    updated_at: IsoTime
    counts: ListCounts


class ListPage(Page[ListOut]):
    """One page of lists."""


class ConfirmationPreview(BaseModel):
    subject: str = Field(examples=["Please confirm your subscription to Weekly news"])
    html: str
    text: str
    locale: str = Field(description="the language the mail was rendered in", examples=["en"])
    custom: bool = Field(description="true: the list's own subject and body; false: the built-in mail")


# --- imports -----------------------------------------------------------------------------------------------------


class ShareOfRows(BaseModel):
    count: int
    share: float = Field(description="of the rows read, 0..1", examples=[0.012])


class DomainCount(BaseModel):
    domain: str = Field(examples=["mailinator.com"])
    count: int


class DomainShare(ShareOfRows):
    top_domains: list[DomainCount] = Field(
        description="the ten most frequent", examples=[[{"domain": "mailinator.com", "count": 3}]]
    )


class DnsScreening(BaseModel):
    domains: int = Field(description="distinct domains in the import")
    checked: int = Field(description="domains looked up with an answer")
    rows_skipped: int = Field(description="rows whose domain could not be checked (not counted as risky)")
    note: str | None = Field(description="why domains were skipped, or that the checks are off")


class ImportQuality(BaseModel):
    """The list-quality report of an import's screening, with the keys it was stored with (the import routes
    answer with `response_model_exclude_unset`)."""

    rows: int
    syntax_invalid: ShareOfRows
    duplicate: ShareOfRows
    role: ShareOfRows = Field(description="role mailboxes: info@, sales@, noreply@ …")
    disposable: DomainShare
    no_mx: DomainShare = Field(description="domains that cannot receive mail (no MX, no A/AAAA)")
    dns: DnsScreening
    risky_rows: int | None = Field(
        None,
        description="rows with at least one reason (role, disposable, no MX), each counted once; absent from "
        "reports made before it was counted",
        examples=[3],
    )
    risk_score: float = Field(description="risky rows' share of the rows checked", examples=[0.04])
    hold_threshold: float = Field(description="over this risk the import is held", examples=[0.1])


class ImportOut(BaseModel):
    id: int
    list_id: int
    status: str = Field(description="running | completed | failed | held | rejected", examples=["running"])
    consent_source: str = Field(examples=["signup form export 2024-03"])
    filename: str | None = Field(examples=["contacts.csv"])
    progress: float = Field(description="0..1 of the file read", examples=[0.5])
    total_bytes: int
    processed_bytes: int
    rows_processed: int
    rows_imported: int
    contacts_created: int
    subscriptions_created: int
    rows_duplicate: int
    rows_failed: int
    error: str | None = Field(description="why a failed import stopped", examples=[None])
    quality: ImportQuality | None = Field(description="the screening's report (null: not screened (yet))")
    hold_reason: str | None = Field(description="why a held import waits for accept / reject")
    decided_by: str | None
    decided_at: IsoTime | None
    created_at: IsoTime
    updated_at: IsoTime
    finished_at: IsoTime | None


class ImportPage(Page[ImportOut]):
    """One page of imports, oldest first."""


class ImportRowErrorOut(BaseModel):
    line: int = Field(description="line number in the CSV (the header is line 1)", examples=[7])
    value: str | None = Field(examples=["not-an-address"])
    reason: str = Field(examples=["invalid email"])


class ImportRowErrorPage(Page[ImportRowErrorOut]):
    """One page of an import's refused rows, in line order."""


# --- subscriptions -----------------------------------------------------------------------------------------------


class SubscriptionOut(BaseModel):
    id: int
    list_id: int
    contact_id: int
    email: str | None = Field(description="null once the contact was erased", examples=[EMAIL_EXAMPLE])
    status: str = Field(description="pending | active | paused | unsubscribed", examples=["pending"])
    paused_until: IsoTime | None
    consent_source: str | None = Field(description="how consent was obtained when not by double opt-in")
    confirmation_sent_at: IsoTime | None = Field(description="last confirmation mail requested")
    confirmed_at: IsoTime | None
    created_at: IsoTime
    updated_at: IsoTime


class SubscriptionPage(Page[SubscriptionOut]):
    """One page of subscriptions."""


class SubscriptionCreated(SubscriptionOut):
    confirmation_sent: bool = Field(description="a confirmation mail was queued by this request")


class ConfirmationSent(BaseModel):
    confirmation_sent: bool = Field(
        description="false: none sent (the resend cooldown runs, or the address is suppressed)"
    )
