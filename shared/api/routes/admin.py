"""`/admin/*`: the admin portal (agency overview, clients, branding, advertisers, rate card,
users, ingestion runs and uploads, summaries, alert log).

Every route requires the admin role (`AdminPrincipal`: 401 without a valid token, 403 for a
client user) and runs in all-clients transactions, except re-pricing, which runs in the
client's own tenant.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import Router
from pydantic import AfterValidator, Field

from shared.admin import alerts as alerts_service
from shared.admin import branding as branding_service
from shared.admin import clients as clients_service
from shared.admin import ingestions as ingestions_service
from shared.admin import margin as margin_service
from shared.admin import overview as overview_service
from shared.admin import rate_card
from shared.admin import uploads as uploads_service
from shared.admin import users as users_service
from shared.admin.clients import UNCHANGED
from shared.api import deps, inputs
from shared.api.models import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ApiModel, BrandingOut, Page, RequestBody, branding_out
from shared.api.openapi import api_doc
from shared.api.security import AdminPrincipal
from shared.numbers import money, ratio, unit_cost
from shared.numbers.currency import DEFAULT_CURRENCY, is_currency
from shared.validation import MAX_OFFSET

router = Router()

# Typed parameters parsed by the strict input layer (shared.api.inputs / shared.validation),
# the same rules as the clients router's: ASCII digits, bounds, dates from MIN_DATA_DATE to a
# year ahead, text without control characters.
Limit = Annotated[
    int,
    inputs.strict_int("limit", minimum=1, maximum=MAX_PAGE_SIZE),
    Query(ge=1, le=MAX_PAGE_SIZE, description="Page size (default 50, max 500)"),
]
Offset = Annotated[
    int,
    inputs.strict_int("offset", minimum=0, maximum=MAX_OFFSET),
    Query(ge=0, le=MAX_OFFSET, description="Rows to skip"),
]
Slug = Annotated[str, Field(min_length=1, max_length=63, pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
Name = Annotated[str, Field(min_length=1, max_length=255, pattern=r"\S"), inputs.plain_text("name")]
AdvertiserName = Annotated[str, Field(max_length=255), inputs.plain_text("advertisers")]
ClientStatus = Literal["active", "disabled"]


def _currency_code(value: str) -> str:
    code = value.upper()
    if not is_currency(code):
        raise ValueError("currency must be an ISO 4217 code such as USD, EUR or JPY")
    return code


CurrencyCode = Annotated[
    str,
    Field(min_length=3, max_length=3, description="ISO 4217 code; every amount of the client is in it"),
    AfterValidator(_currency_code),
]
Role = Literal["admin", "client"]
RunStatus = Literal["running", "success", "partial", "failed", "duplicate", "stale"]


def _money(value: Decimal | None) -> str | None:
    return money(value)


def _cpm(value: Decimal | None) -> str | None:
    return unit_cost(value)


# ---------------------------------------------------------------- clients


class ClientOut(ApiModel):
    id: UUID
    name: str
    slug: str
    status: ClientStatus
    currency: str = Field(description="ISO 4217 code of the client's amounts")
    advertisers: list[str]
    current_cpm: str | None = Field(description="CPM in force today (4 decimals), null without a rate")
    target_roas: str | None = Field(
        default=None, description="Target ROAS (6 decimals) for the break-even CPM; PUT …/target-roas sets it"
    )
    monthly_budget: str | None = Field(
        default=None, description="Monthly media budget in the client's currency (cents), null when not set"
    )
    created_at: datetime
    updated_at: datetime


class ClientCreate(RequestBody):
    name: Name
    slug: Slug | None = Field(default=None, description="Derived from the name when omitted (ASCII, unique)")
    advertisers: Annotated[list[AdvertiserName], Field(max_length=clients_service.MAX_ADVERTISERS)] | None = Field(
        default=None, description="Advertiser names the partner's files use for this client"
    )
    currency: CurrencyCode = DEFAULT_CURRENCY


MonthlyBudget = Annotated[
    Decimal,
    inputs.strict_decimal("monthly_budget"),
    Field(
        ge=0,
        max_digits=16,
        decimal_places=2,
        description='Monthly media budget in the client\'s currency, to the cent ("25000.00"); null clears it',
    ),
]


class ClientPatch(RequestBody):
    name: Name | None = None
    slug: Slug | None = None
    status: ClientStatus | None = None
    currency: CurrencyCode | None = None
    monthly_budget: MonthlyBudget | None = None


def _client(row: dict[str, Any]) -> ClientOut:
    return ClientOut(
        **{
            **row,
            "advertisers": list(row["advertisers"] or []),
            "current_cpm": _cpm(row["current_cpm"]),
            "target_roas": ratio(row.get("target_roas")),
            "monthly_budget": _money(row.get("monthly_budget")),
        }
    )


@router.get("/admin/clients", summary="List clients", tags=["admin"], **api_doc(role="admin"))
def list_clients(
    principal: AdminPrincipal,
    status: Annotated[ClientStatus | None, Query()] = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
    offset: Offset = 0,
) -> Page[ClientOut]:
    rows, total = clients_service.list_clients(deps.database(), status=status, limit=limit, offset=offset)
    return Page[ClientOut](items=[_client(row) for row in rows], total=total)


@router.post(
    "/admin/clients",
    summary="Create a client",
    tags=["admin"],
    **api_doc(role="admin", status=201, description="Created", errors=(409,)),
)
def create_client(principal: AdminPrincipal, body: ClientCreate) -> ClientOut:
    row = clients_service.create_client(
        deps.database(),
        name=body.name.strip(),
        slug=body.slug,
        advertisers=body.advertisers,
        currency=body.currency,
    )
    return _client(row)


@router.get("/admin/clients/<client_id>", summary="One client", tags=["admin"], **api_doc(role="admin"))
def get_client(principal: AdminPrincipal, client_id: UUID) -> ClientOut:
    return _client(clients_service.get_client(deps.database(), client_id))


@router.patch(
    "/admin/clients/<client_id>",
    summary="Change a client's name, slug, status, currency or monthly budget",
    tags=["admin"],
    **api_doc(role="admin", errors=(409,)),
)
def update_client(principal: AdminPrincipal, client_id: UUID, body: ClientPatch) -> ClientOut:
    row = clients_service.update_client(
        deps.database(),
        client_id,
        name=body.name.strip() if body.name else None,
        slug=body.slug,
        status=body.status,
        currency=body.currency,
        monthly_budget=body.monthly_budget if "monthly_budget" in body.model_fields_set else UNCHANGED,
    )
    return _client(row)


# ---------------------------------------------------------------- advertisers


class Advertisers(RequestBody):
    advertisers: Annotated[list[AdvertiserName], Field(max_length=clients_service.MAX_ADVERTISERS)]


@router.get(
    "/admin/clients/<client_id>/advertisers",
    summary="A client's advertiser names",
    tags=["admin"],
    **api_doc(role="admin"),
)
def list_advertisers(principal: AdminPrincipal, client_id: UUID) -> Advertisers:
    return Advertisers(advertisers=clients_service.list_advertisers(deps.database(), client_id))


@router.put(
    "/admin/clients/<client_id>/advertisers",
    summary="Replace a client's advertiser names",
    tags=["admin"],
    **api_doc(role="admin", errors=(409,)),
)
def replace_advertisers(principal: AdminPrincipal, client_id: UUID, body: Advertisers) -> Advertisers:
    return Advertisers(advertisers=clients_service.replace_advertisers(deps.database(), client_id, body.advertisers))


# ---------------------------------------------------------------- rate card


class RateOut(ApiModel):
    id: UUID
    client_id: UUID
    cpm: str = Field(description="CPM (4 decimals)")
    effective_date: date
    effective_until: date | None = Field(default=None, description="Last day it applies; null = open-ended")
    created_at: datetime
    updated_at: datetime


class RateIn(RequestBody):
    cpm: Annotated[
        Decimal,
        inputs.strict_decimal("cpm"),
        Field(ge=0, max_digits=10, decimal_places=4, description='A decimal string ("4.25") or number'),
    ]
    effective_date: Annotated[date, inputs.strict_date("effective_date")]
    preview: bool = False


class PreviewRateOut(ApiModel):
    cpm: str = Field(description="CPM (4 decimals)")
    effective_date: date


class MonthImpactOut(ApiModel):
    month: str = Field(description='Calendar month "YYYY-MM"', examples=["2026-01"])
    rows: int = Field(description="Metric rows of the month re-priced (or that would be)")
    spend_before: str | None = Field(description="Their spend before, rounded to cents; null if all were unpriced")
    spend_after: str | None = Field(description="Their spend after, rounded to cents")


class WhatIfMonthOut(ApiModel):
    month: str = Field(description='Calendar month "YYYY-MM"', examples=["2026-01"])
    spend: str | None = Field(description="The month's spend at this CPM, rounded to cents")
    cost: str | None = Field(description="The month's buy cost (the agency's), rounded to cents")
    margin: str | None = Field(description="spend - cost over the month's days with a buy cost")
    margin_ratio: str | None = Field(description="margin / the spend of those days (6 decimals)")
    roas: str | None = Field(description="The client's ROAS at this CPM: revenue / spend (6 decimals)")
    break_even_cpm: str | None = Field(
        description="1000 x revenue / (target ROAS x impressions); null without a target"
    )


class RepricingOut(ApiModel):
    applied: bool = Field(description="true: stored and re-priced; false: a preview, nothing was stored")
    rate: RateOut | PreviewRateOut = Field(description="The stored rate (with its id), or for a preview the proposal")
    created: bool = Field(
        description="A new effective date (false: an existing rate is changed); for a preview, whether it would be"
    )
    preview: bool
    rows_changed: int
    spend_before: str | None = Field(description="Spend of the changed rows before, rounded to cents")
    spend_after: str | None = Field(description="Spend of the changed rows after, rounded to cents")
    date_from: date | None
    date_to: date | None
    summaries_refreshed: int
    months: list[MonthImpactOut] = Field(
        description="The same impact per calendar month touched, oldest first (each rounded from its exact sum, so"
        " the months can differ from the totals by a cent of rounding); empty when nothing changes"
    )
    what_if: list[WhatIfMonthOut] = Field(
        description="Per calendar month from the rate's month to the next rate's: what this CPM gives (the months'"
        " whole data at this rate, the other days as stored): the client's ROAS, the agency's margin, the"
        " break-even CPM"
    )


def _rate(row: dict[str, Any]) -> RateOut:
    return RateOut(**{**row, "cpm": _cpm(row["cpm"])})


@router.get(
    "/admin/clients/<client_id>/cpm", summary="A client's CPM rate card", tags=["admin"], **api_doc(role="admin")
)
def list_rates(
    principal: AdminPrincipal, client_id: UUID, limit: Limit = DEFAULT_PAGE_SIZE, offset: Offset = 0
) -> Page[RateOut]:
    rows, total = rate_card.list_rates(deps.database(), client_id, limit=limit, offset=offset)
    return Page[RateOut](items=[_rate(row) for row in rows], total=total)


@router.post(
    "/admin/clients/<client_id>/cpm",
    summary="Add or change a CPM from a date and re-price (or preview the impact and what it gives)",
    tags=["admin"],
    **api_doc(role="admin", errors=(409,)),
)
def set_rate(principal: AdminPrincipal, client_id: UUID, body: RateIn) -> RepricingOut:
    result, outlook = margin_service.set_rate_with_outlook(
        deps.database(),
        client_id,
        cpm=body.cpm,
        effective_date=body.effective_date,
        preview=body.preview,
        settings=deps.settings(),
    )
    proposal: RateOut | PreviewRateOut = (
        PreviewRateOut(cpm=_cpm(result.rate["cpm"]) or "", effective_date=result.rate["effective_date"])
        if result.preview
        else _rate({**result.rate, "effective_until": None})
    )
    return RepricingOut(
        applied=not result.preview,
        rate=proposal,
        created=result.created,
        preview=result.preview,
        rows_changed=result.rows_changed,
        spend_before=_money(result.spend_before),
        spend_after=_money(result.spend_after),
        date_from=result.date_from,
        date_to=result.date_to,
        summaries_refreshed=result.summaries_refreshed,
        months=[
            MonthImpactOut(
                month=m.month,
                rows=m.rows_changed,
                spend_before=_money(m.spend_before),
                spend_after=_money(m.spend_after),
            )
            for m in result.months
        ],
        what_if=[WhatIfMonthOut(**month) for month in outlook],
    )


# ---------------------------------------------------------------- users


class AdminUserOut(ApiModel):
    id: UUID
    email: str
    role: Role
    client_id: UUID | None
    disabled: bool
    created_at: datetime
    updated_at: datetime


class CreatedUserOut(AdminUserOut):
    temporary_password: str | None = Field(default=None, description="Only when no password was given")


class UserCreate(RequestBody):
    email: Annotated[str, Field(min_length=3, max_length=255, pattern=r"^[^@\s]+@[^@\s]+$"), inputs.plain_text("email")]
    role: Role
    client_id: UUID | None = None
    password: Annotated[str, Field(min_length=1, max_length=1024)] | None = None


class UserPatch(RequestBody):
    role: Role | None = None
    client_id: UUID | None = None
    disabled: bool | None = None


class PasswordReset(ApiModel):
    temporary_password: str


@router.get("/admin/users", summary="List users", tags=["admin"], **api_doc(role="admin"))
def list_users(
    principal: AdminPrincipal,
    role: Annotated[Role | None, Query()] = None,
    client_id: Annotated[UUID | None, Query()] = None,
    disabled: Annotated[bool | None, Query(description="Only disabled (true) or enabled (false) users")] = None,
    email: Annotated[str | None, Query(max_length=255, description="A part of the email (any case)")] = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
    offset: Offset = 0,
) -> Page[AdminUserOut]:
    rows, total = users_service.list_users(
        deps.database(),
        role=role,
        client_id=client_id,
        disabled=disabled,
        email=email,
        limit=limit,
        offset=offset,
    )
    return Page[AdminUserOut](items=[AdminUserOut(**row) for row in rows], total=total)


@router.post(
    "/admin/users",
    summary="Create a user (a temporary password is generated when none is given)",
    tags=["admin"],
    **api_doc(role="admin", status=201, description="Created", errors=(409,)),
)
def create_user(principal: AdminPrincipal, body: UserCreate) -> CreatedUserOut:
    row = users_service.create_user_record(
        deps.database(),
        email=body.email,
        role=body.role,
        client_id=body.client_id,
        password=body.password,
        settings=deps.settings(),
    )
    return CreatedUserOut(**row)


@router.get("/admin/users/<user_id>", summary="One user", tags=["admin"], **api_doc(role="admin"))
def get_user(principal: AdminPrincipal, user_id: UUID) -> AdminUserOut:
    return AdminUserOut(**users_service.get_user(deps.database(), user_id))


@router.patch(
    "/admin/users/<user_id>",
    summary="Change a user's role, client or disabled flag (revokes its sessions)",
    tags=["admin"],
    **api_doc(role="admin"),
)
def update_user(principal: AdminPrincipal, user_id: UUID, body: UserPatch) -> AdminUserOut:
    changes: dict[str, Any] = {"role": body.role, "disabled": body.disabled}
    if "client_id" in body.model_fields_set:
        changes["client_id"] = body.client_id
    row = users_service.update_user(deps.database(), user_id, actor_id=principal.user_id, **changes)
    return AdminUserOut(**row)


@router.post(
    "/admin/users/<user_id>/reset-password",
    summary="Set a new temporary password (revokes the user's sessions)",
    tags=["admin"],
    **api_doc(role="admin"),
)
def reset_password(principal: AdminPrincipal, user_id: UUID) -> PasswordReset:
    return PasswordReset(
        temporary_password=users_service.reset_password(deps.database(), user_id, settings=deps.settings())
    )


# ---------------------------------------------------------------- login throttling


class ThrottleOut(ApiModel):
    scope: Literal["pair", "source", "email"] = Field(
        description="pair: one email from one address; source: one address, all emails; email: all addresses"
    )
    email: str | None
    source: str | None
    failures: int = Field(description="Failures in the current window")
    window_start: datetime
    blocked_until: datetime | None
    retry_after: int = Field(description="Seconds until it lets attempts through again (0: not blocked)")


class ThrottleCleared(ApiModel):
    cleared: int


@router.get(
    "/admin/login-throttle",
    summary="Login throttles with recent failures (locked ones first)",
    tags=["admin"],
    **api_doc(role="admin"),
)
def list_login_throttles(
    principal: AdminPrincipal, limit: Limit = DEFAULT_PAGE_SIZE, offset: Offset = 0
) -> Page[ThrottleOut]:
    from shared.auth import throttle

    rows = throttle.list_throttles(deps.database(), settings=deps.settings(), limit=limit, offset=offset)
    return Page[ThrottleOut](items=[ThrottleOut(**row) for row in rows], total=int(rows[0]["total"]) if rows else 0)


@router.delete(
    "/admin/login-throttle",
    summary="Clear the login throttles of an email and/or a source address",
    tags=["admin"],
    **api_doc(role="admin"),
)
def clear_login_throttles(
    principal: AdminPrincipal,
    email: Annotated[
        str | None, Query(max_length=255, description="Every throttle of this email"), inputs.plain_text("email")
    ] = None,
    source: Annotated[
        str | None,
        Query(max_length=64, description="Every throttle of this source address"),
        inputs.plain_text("source"),
    ] = None,
) -> ThrottleCleared:
    from shared.auth import throttle

    return ThrottleCleared(cleared=throttle.clear_throttles(deps.database(), email=email, source=source))


# ---------------------------------------------------------------- ingestion runs


class RunOut(ApiModel):
    id: UUID
    file_name: str
    bucket: str
    object_key: str
    checksum: str | None
    file_size: int | None
    run_date: date
    status: RunStatus
    records_loaded: int
    records_failed: int
    stale_days: int = Field(description="days of the file a newer upload already holds (left unchanged)")
    message: str | None
    client_ids: list[UUID]
    date_from: date | None
    date_to: date | None
    retry_of: UUID | None
    version_id: str | None = Field(description="the S3 object version the run read (versioned bucket)")
    sequencer: str | None = Field(description="the S3 event's sequencer (orders one key's uploads)")
    uploaded_at: datetime | None = Field(description="the upload time (event time, else LastModified)")
    started_at: datetime
    finished_at: datetime | None


class RejectedRowOut(ApiModel):
    line_number: int
    column_name: str | None
    value: str | None
    reason: str


class RunDetailOut(RunOut):
    rejected_rows: list[RejectedRowOut]
    what_to_do: list[str] = Field(
        description="the steps the run's alert email gave, in order (empty when the run needed nothing)"
    )
    retried_by: UUID | None = Field(description="the newest run that retried this one, if any")
    retried_by_status: RunStatus | None = Field(description="that run's status")


class RetryOut(ApiModel):
    retry_of: UUID
    file_name: str
    run: RunOut | None = Field(description="The new run when it ran synchronously (local); null when queued (AWS)")


@router.get("/admin/ingestions", summary="Ingestion runs, newest first", tags=["admin"], **api_doc(role="admin"))
def list_runs(
    principal: AdminPrincipal,
    status: Annotated[RunStatus | None, Query()] = None,
    date_from: Annotated[
        date | None, inputs.strict_date("from"), Query(alias="from", description="Started on or after (inclusive)")
    ] = None,
    date_to: Annotated[
        date | None, inputs.strict_date("to"), Query(alias="to", description="Started on or before (inclusive)")
    ] = None,
    client_id: Annotated[UUID | None, Query()] = None,
    file_name: Annotated[str | None, Query(max_length=255, description="A part of bucket/key (any case)")] = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
    offset: Offset = 0,
) -> Page[RunOut]:
    rows, total = ingestions_service.list_runs(
        deps.database(),
        status=status,
        date_from=date_from,
        date_to=date_to,
        client_id=client_id,
        file_name=file_name,
        limit=limit,
        offset=offset,
    )
    return Page[RunOut](items=[RunOut(**row) for row in rows], total=total)


@router.get(
    "/admin/ingestions/<run_id>",
    summary="One ingestion run with its rejected rows",
    tags=["admin"],
    **api_doc(role="admin"),
)
def get_run(principal: AdminPrincipal, run_id: UUID) -> RunDetailOut:
    return RunDetailOut(**ingestions_service.get_run(deps.database(), run_id))


@router.get(
    "/admin/ingestions/<run_id>/rejected-rows",
    summary="A page of an ingestion run's rejected rows, by line",
    tags=["admin"],
    **api_doc(role="admin"),
)
def list_rejected_rows(
    principal: AdminPrincipal, run_id: UUID, limit: Limit = DEFAULT_PAGE_SIZE, offset: Offset = 0
) -> Page[RejectedRowOut]:
    rows, total = ingestions_service.rejected_rows(deps.database(), run_id, limit=limit, offset=offset)
    return Page[RejectedRowOut](items=[RejectedRowOut(**row) for row in rows], total=total)


@router.post(
    "/admin/ingestions/<run_id>/retry",
    summary="Ingest a failed run's file again (a new run)",
    tags=["admin"],
    **api_doc(role="admin", status=202, description="Dispatched", errors=(409, 502)),
)
def retry_run(principal: AdminPrincipal, run_id: UUID) -> RetryOut:
    result = ingestions_service.retry_run(deps.database(), run_id, dispatcher=deps.ingestion_dispatcher())
    run = result["run"]
    return RetryOut(retry_of=result["retry_of"], file_name=result["file_name"], run=RunOut(**run) if run else None)


# ---------------------------------------------------------------- summaries


class BackfillIn(RequestBody):
    kind: Literal["weekly", "monthly"]
    period_start: Annotated[date, inputs.strict_date("period_start")] = Field(
        description="A Monday (weekly) or the 1st of a month (monthly)"
    )
    client_id: UUID | None = Field(default=None, description="Omit for every active client")


class BackfillOut(ApiModel):
    items: list[dict[str, Any]]
    total: int


@router.post("/admin/summaries", summary="(Re)generate summaries of a period", tags=["admin"], **api_doc(role="admin"))
def backfill(principal: AdminPrincipal, body: BackfillIn) -> BackfillOut:
    # Imported here: the summaries engine is needed by this route only (cold start).
    from shared.summaries.service import backfill as backfill_summaries

    built = backfill_summaries(
        deps.database(),
        settings=deps.settings(),
        kind=body.kind,
        period_start=body.period_start,
        client_id=body.client_id,
    )
    return BackfillOut(items=[summary.to_dict() for summary in built], total=len(built))


# ---------------------------------------------------------------- agency overview


class KpisOut(ApiModel):
    impressions: int
    clicks: int
    conversions: int
    revenue: str | None = Field(description="Money, rounded to cents")
    spend: str | None = Field(description="Money, rounded to cents; null when no row is priced")
    ctr: str | None
    cvr: str | None
    cpc: str | None
    cpa: str | None
    roas: str | None


class LastLoadOut(ApiModel):
    run_id: UUID
    file_name: str
    status: RunStatus
    finished_at: datetime | None


class HealthOut(ApiModel):
    data_through: date | None = Field(description="The client's latest day with data (any period)")
    last_load: LastLoadOut | None = Field(description="The newest run that loaded the client's data")
    missing_days: int = Field(description="Active clients: days of the period (up to yesterday) without data")
    missing_dates: list[date] = Field(description="The most recent missing days (at most 31), newest first")
    unpriced_rows: int = Field(description="Rows of the period without spend (no CPM in force)")
    unpriced_from: date | None
    unpriced_to: date | None
    failed_runs: int = Field(description="Unresolved failed runs of the last 7 days attributed to the client")
    last_failed_run_id: UUID | None


class ProblemOut(ApiModel):
    code: Literal["failed_runs", "missing_days", "unpriced_rows"]
    message: str
    fix: Literal["ingestion", "uploads", "rate_card"] = Field(description="Where the portal fixes it")
    run_id: UUID | None = Field(default=None, description="failed_runs: the newest failed run")
    day: date | None = Field(default=None, description="missing_days: the latest; unpriced_rows: the first")


class OverviewMarginOut(ApiModel):
    cost: str | None = Field(description="The agency's buy cost of the period, rounded to cents")
    margin: str | None = Field(description="spend - cost over the days with both")
    margin_ratio: str | None = Field(description="margin / the spend of those days (6 decimals)")


class OverviewClientOut(ApiModel):
    id: UUID
    name: str
    slug: str
    status: ClientStatus
    currency: str = Field(description="ISO 4217 code of the client's amounts")
    kpis: KpisOut
    margin: OverviewMarginOut = Field(description="The margin ledger's figures for the period (admin only)")
    health: HealthOut
    problems: list[ProblemOut] = Field(description="Most urgent first; empty when healthy")


class FailedRunOut(ApiModel):
    id: UUID
    file_name: str
    message: str | None
    started_at: datetime
    client_ids: list[UUID]


class OverviewTotalsOut(ApiModel):
    clients: int
    clients_with_problems: int
    failed_runs: int


class AgencyOverviewOut(ApiModel):
    date_from: date
    date_to: date
    expected_to: date = Field(description="Data is expected up to this day (yesterday at most)")
    failed_since: datetime
    clients: list[OverviewClientOut] = Field(description="Every client, problems first")
    failed_runs: list[FailedRunOut] = Field(
        description="Unresolved failed runs of the last 7 days (newest 20), with or without a client"
    )
    totals: OverviewTotalsOut


def _decimal_strings(values: dict[str, Any]) -> dict[str, Any]:
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in values.items()}


@router.get(
    "/admin/overview",
    summary="Every client's KPIs for a period and its health, problems first",
    tags=["admin"],
    **api_doc(role="admin"),
)
def agency_overview(
    principal: AdminPrincipal,
    date_from: Annotated[
        date | None, inputs.strict_date("from"), Query(alias="from", description="Default: 30 days before to")
    ] = None,
    date_to: Annotated[
        date | None, inputs.strict_date("to"), Query(alias="to", description="Default: yesterday")
    ] = None,
) -> AgencyOverviewOut:
    from shared.dashboard.params import DateRange
    from shared.errors import InvalidInput

    current = deps.settings()
    now = datetime.now(current.timezone)
    end = date_to or now.date() - timedelta(days=1)
    start = date_from or end - timedelta(days=29)
    if start > end:
        raise InvalidInput("from must be on or before to")
    result = overview_service.agency_overview(
        deps.database(),
        period=overview_service.period_for(DateRange(start, end), today=now.date()),
        now=now,
        max_days=current.max_date_span_days,
    )
    for client in result["clients"]:
        client["kpis"] = _decimal_strings(client["kpis"].to_api())
    return AgencyOverviewOut.model_validate(result)


# ---------------------------------------------------------------- branding


AccentColor = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$", description="#RRGGBB")]


class BrandingPatch(RequestBody):
    accent_color: AccentColor | None = Field(default=None, description="null clears it")
    logo_base64: Annotated[str, Field(max_length=400_000)] | None = Field(
        default=None,
        description="PNG or JPEG bytes, base64 (at most 256 KiB decoded, 4096 px a side); null removes the logo",
    )


@router.get(
    "/admin/clients/<client_id>/branding", summary="A client's branding", tags=["admin"], **api_doc(role="admin")
)
def get_branding(principal: AdminPrincipal, client_id: UUID) -> BrandingOut:
    return branding_out(branding_service.get_branding(deps.database(), client_id))


@router.patch(
    "/admin/clients/<client_id>/branding",
    summary="Change a client's accent colour and/or logo (fields left out stay as they are)",
    tags=["admin"],
    **api_doc(role="admin"),
)
def update_branding(principal: AdminPrincipal, client_id: UUID, body: BrandingPatch) -> BrandingOut:
    changes: dict[str, Any] = {}
    if "accent_color" in body.model_fields_set:
        changes["accent_color"] = body.accent_color
    if "logo_base64" in body.model_fields_set:
        changes["logo"] = None if body.logo_base64 is None else branding_service.decode_logo(body.logo_base64)
    return branding_out(branding_service.update_branding(deps.database(), client_id, **changes))


# ---------------------------------------------------------------- uploads


class UploadIn(RequestBody):
    file_name: Annotated[str, Field(min_length=1, max_length=255, description="Must end in .csv or .csv.gz")]
    client_slug: Slug | None = Field(
        default=None, description="Upload under clients/<slug>/ (files without an advertiser column)"
    )


class UploadOut(ApiModel):
    url: str = Field(description="POST a multipart form here: every field below, then `file` last")
    fields: dict[str, str]
    key: str = Field(description="The object key the file will have (its run's file name ends with it)")
    bucket: str
    max_bytes: int
    expires_in: int = Field(description="Seconds the form stays valid")


@router.post(
    "/admin/uploads",
    summary="A presigned S3 POST to upload one CSV file into the landing bucket",
    tags=["admin"],
    **api_doc(role="admin", status=201, description="Created", errors=(502,)),
)
def create_upload(principal: AdminPrincipal, body: UploadIn) -> UploadOut:
    current = deps.settings()
    upload = uploads_service.create_upload(
        deps.database(),
        file_name=body.file_name,
        client_slug=body.client_slug,
        settings=current,
        signer=deps.upload_signer(),
        today=datetime.now(current.timezone).date(),
    )
    return UploadOut(
        url=upload.url,
        fields=upload.fields,
        key=upload.key,
        bucket=upload.bucket,
        max_bytes=upload.max_bytes,
        expires_in=upload.expires_in,
    )


# ---------------------------------------------------------------- alert log


class AlertOut(ApiModel):
    id: UUID
    kind: str
    subject: str
    status: Literal["sent", "failed"]
    recipients_count: int
    error: str | None
    run_id: UUID | None = Field(description="The ingestion run the alert concerns, if any")
    client_id: UUID | None
    created_at: datetime


@router.get("/admin/alerts", summary="The alert log, newest first", tags=["admin"], **api_doc(role="admin"))
def list_alerts(
    principal: AdminPrincipal,
    kind: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    status: Annotated[Literal["sent", "failed"] | None, Query()] = None,
    run_id: Annotated[UUID | None, Query()] = None,
    client_id: Annotated[UUID | None, Query()] = None,
    date_from: Annotated[
        date | None, inputs.strict_date("from"), Query(alias="from", description="Recorded on or after (inclusive)")
    ] = None,
    date_to: Annotated[
        date | None, inputs.strict_date("to"), Query(alias="to", description="Recorded on or before (inclusive)")
    ] = None,
    limit: Limit = DEFAULT_PAGE_SIZE,
    offset: Offset = 0,
) -> Page[AlertOut]:
    rows, total = alerts_service.list_alerts(
        deps.database(),
        kind=kind,
        status=status,
        run_id=run_id,
        client_id=client_id,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
        offset=offset,
    )
    return Page[AlertOut](items=[AlertOut(**row) for row in rows], total=total)
