"""`/admin/clients/{client_id}/…` of the margin ledger (SPEC §12): buy costs, margin, target
ROAS and closed months. Admin only (`AdminPrincipal`), served by the admin function; client
users never reach cost or margin (no route under /clients carries them).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import Router
from pydantic import Field

from shared.admin import buy_cost as buy_cost_service
from shared.admin import closed_months as closed_months_service
from shared.admin import margin as margin_service
from shared.api import deps, inputs
from shared.api.models import DEFAULT_PAGE_SIZE, ApiModel, Page, RequestBody
from shared.api.openapi import api_doc
from shared.api.routes.admin import Limit, Offset, RateIn
from shared.api.security import AdminPrincipal
from shared.dashboard.params import DateRange
from shared.errors import InvalidInput
from shared.numbers import money, ratio, unit_cost
from shared.validation import DateBounds

router = Router()

# ---------------------------------------------------------------- buy costs


class BuyCostOut(ApiModel):
    id: UUID
    client_id: UUID
    cpm: str = Field(description="Buy CPM the partner charges the agency (4 decimals)")
    effective_date: date
    effective_until: date | None = Field(default=None, description="Last day it applies; null = open-ended")
    created_at: datetime
    updated_at: datetime


class BuyCostProposalOut(ApiModel):
    cpm: str = Field(description="Buy CPM (4 decimals)")
    effective_date: date


class CostMonthOut(ApiModel):
    month: str = Field(description='Calendar month "YYYY-MM"', examples=["2026-01"])
    rows: int = Field(description="Metric rows of the month whose buy CPM changes (or would)")
    cost_before: str | None = Field(description="Their cost before, rounded to cents; null if they had no buy cost")
    cost_after: str | None = Field(description="Their cost after, rounded to cents")


class BuyCostChangeOut(ApiModel):
    applied: bool = Field(description="true: stored; false: a preview, nothing was stored")
    buy_cost: BuyCostOut | BuyCostProposalOut
    created: bool = Field(description="A new effective date (false: an existing buy cost is changed)")
    preview: bool
    rows_changed: int
    cost_before: str | None
    cost_after: str | None
    date_from: date | None
    date_to: date | None
    months: list[CostMonthOut] = Field(description="The same impact per calendar month, oldest first")


@router.get(
    "/admin/clients/<client_id>/buy-cost",
    summary="A client's buy cost timeline (the partner CPM the agency pays)",
    tags=["admin", "margin"],
    **api_doc(role="admin"),
)
def list_buy_costs(
    principal: AdminPrincipal, client_id: UUID, limit: Limit = DEFAULT_PAGE_SIZE, offset: Offset = 0
) -> Page[BuyCostOut]:
    rows, total = buy_cost_service.list_buy_costs(deps.database(), client_id, limit=limit, offset=offset)
    return Page[BuyCostOut](items=[BuyCostOut(**{**row, "cpm": unit_cost(row["cpm"])}) for row in rows], total=total)


@router.post(
    "/admin/clients/<client_id>/buy-cost",
    summary="Add or change a buy CPM from a date (or preview the cost impact)",
    tags=["admin", "margin"],
    **api_doc(role="admin", errors=(409,)),
)
def set_buy_cost(principal: AdminPrincipal, client_id: UUID, body: RateIn) -> BuyCostChangeOut:
    result = buy_cost_service.set_buy_cost(
        deps.database(), client_id, cpm=body.cpm, effective_date=body.effective_date, preview=body.preview
    )
    stored = result.buy_cost
    return BuyCostChangeOut(
        applied=not result.preview,
        buy_cost=BuyCostProposalOut(cpm=unit_cost(stored["cpm"]) or "", effective_date=stored["effective_date"])
        if result.preview
        else BuyCostOut(**{**stored, "cpm": unit_cost(stored["cpm"])}),
        created=result.created,
        preview=result.preview,
        rows_changed=result.rows_changed,
        cost_before=money(result.cost_before),
        cost_after=money(result.cost_after),
        date_from=result.date_from,
        date_to=result.date_to,
        months=[
            CostMonthOut(
                month=m.month, rows=m.rows_changed, cost_before=money(m.cost_before), cost_after=money(m.cost_after)
            )
            for m in result.months
        ],
    )


# ---------------------------------------------------------------- margin


class MarginTotalsOut(ApiModel):
    impressions: int
    revenue: str | None = Field(description="Money, rounded to cents")
    spend: str | None = Field(description="What the client is billed (sell CPM); null when nothing is priced")
    cost: str | None = Field(description="What the agency pays the partner (buy CPM); null without a buy cost")
    margin: str | None = Field(description="spend - cost over the days that have both; rounded to cents")
    margin_ratio: str | None = Field(description="margin / the spend of those days (a fraction, 6 decimals)")
    roas: str | None = Field(description="revenue / spend")


class MarginDayOut(MarginTotalsOut):
    date: date
    buy_cpm: str | None = Field(description="The buy CPM in force that day (4 decimals)")


class MarginCampaignOut(MarginTotalsOut):
    id: UUID
    name: str


class MarginReportOut(ApiModel):
    date_from: date
    date_to: date
    target_roas: str | None = Field(description="The client's target ROAS (6 decimals), if set")
    current_buy_cpm: str | None = Field(description="The buy CPM in force today")
    break_even_cpm: str | None = Field(
        description="1000 x revenue / (target ROAS x impressions) over the period: the sell CPM at which ROAS equals"
        " the target; null without a target ROAS or impressions"
    )
    uncosted_days: int = Field(description="Days of the period with data but no buy cost (no margin)")
    totals: MarginTotalsOut
    series: list[MarginDayOut] = Field(description="One entry per day with data, oldest first")
    campaigns: list[MarginCampaignOut] = Field(description="Per campaign, biggest spend first")


@router.get(
    "/admin/clients/<client_id>/margin",
    summary="A client's cost and margin for a period: totals, daily series, per campaign",
    tags=["admin", "margin"],
    **api_doc(role="admin"),
)
def client_margin(
    principal: AdminPrincipal,
    client_id: UUID,
    date_from: Annotated[
        date | None, inputs.strict_date("from"), Query(alias="from", description="Default: 30 days before to")
    ] = None,
    date_to: Annotated[
        date | None, inputs.strict_date("to"), Query(alias="to", description="Default: yesterday")
    ] = None,
) -> MarginReportOut:
    current = deps.settings()
    today = datetime.now(current.timezone).date()
    end = date_to or today - timedelta(days=1)
    start = date_from or end - timedelta(days=29)
    if start > end:
        raise InvalidInput("from must be on or before to")
    if (end - start).days + 1 > current.max_date_span_days:
        raise InvalidInput(f"from and to may span at most {current.max_date_span_days} days")
    report = margin_service.margin_report(deps.database(), client_id, DateRange(start, end), today=today)
    return MarginReportOut.model_validate(report)


class TargetRoasIn(RequestBody):
    target_roas: (
        Annotated[Decimal, inputs.strict_decimal("target_roas"), Field(gt=0, max_digits=12, decimal_places=6)] | None
    ) = Field(description='A decimal string ("4.0") or number; null clears it')


class TargetRoasOut(ApiModel):
    client_id: UUID
    target_roas: str | None


@router.put(
    "/admin/clients/<client_id>/target-roas",
    summary="Set or clear a client's target ROAS (for the break-even CPM)",
    tags=["admin", "margin"],
    **api_doc(role="admin"),
)
def set_target_roas(principal: AdminPrincipal, client_id: UUID, body: TargetRoasIn) -> TargetRoasOut:
    target = margin_service.set_target_roas(deps.database(), client_id, body.target_roas)
    return TargetRoasOut(client_id=client_id, target_roas=ratio(target))


# ---------------------------------------------------------------- closed months


class ClosedMonthOut(ApiModel):
    month: str = Field(description='"YYYY-MM"')
    closed_at: datetime
    closed_by: UUID | None
    closed_by_email: str | None


class MonthEventOut(ApiModel):
    id: int
    month: str
    action: Literal["close", "reopen"]
    actor_id: UUID | None
    actor_email: str
    created_at: datetime


class MonthsOut(ApiModel):
    closed: list[ClosedMonthOut] = Field(description="Closed months, newest first")
    events: list[MonthEventOut] = Field(description="Every close and reopen, newest first (the last 100)")


class MonthStateOut(ApiModel):
    month: str
    closed: bool
    changed: bool = Field(description="false: the month already was in that state (nothing logged)")
    event: MonthEventOut | None


@router.get(
    "/admin/clients/<client_id>/months",
    summary="A client's closed months and the close/reopen log",
    tags=["admin", "margin"],
    **api_doc(role="admin"),
)
def list_months(principal: AdminPrincipal, client_id: UUID) -> MonthsOut:
    return MonthsOut.model_validate(closed_months_service.list_months(deps.database(), client_id))


@router.post(
    "/admin/clients/<client_id>/months/<month>/close",
    summary="Close a client's month (no rate, buy-cost or restated file may change it)",
    tags=["admin", "margin"],
    **api_doc(role="admin"),
)
def close_month(principal: AdminPrincipal, client_id: UUID, month: str) -> MonthStateOut:
    settings = deps.settings()
    state = closed_months_service.set_month(
        deps.database(),
        client_id,
        closed_months_service.parse_month(month),
        action="close",
        actor_id=principal.user_id,
        bounds=DateBounds(settings.min_data_date, datetime.now(settings.timezone).date()),
    )
    return MonthStateOut.model_validate(state)


@router.post(
    "/admin/clients/<client_id>/months/<month>/reopen",
    summary="Reopen a client's closed month",
    tags=["admin", "margin"],
    **api_doc(role="admin"),
)
def reopen_month(principal: AdminPrincipal, client_id: UUID, month: str) -> MonthStateOut:
    state = closed_months_service.set_month(
        deps.database(),
        client_id,
        closed_months_service.parse_month(month),
        action="reopen",
        actor_id=principal.user_id,
        bounds=inputs.date_bounds(),
    )
    return MonthStateOut.model_validate(state)
