"""`/clients*`: the client dashboard (SPEC section 8) for a client user's own client, or any
client for the admin.

Every `/clients/{client_id}/...` route first calls `client_scope` (404 for another client's
id, exactly like a missing one) and then one service of `shared.dashboard`, which runs in
that client's tenant so row-level security applies as well. Query parameters arrive as
strings and are validated by `shared.dashboard.params` on the rules of `shared.validation`
(400 with a message naming the parameter), like the admin router's typed parameters.

JSON bodies follow the one number convention of `shared.numbers`: counts integers; money
rounded to cents ("1234.50"), unit costs to 4 places ("0.8045") and ratios and changes to 6
("0.004200") as decimal strings; `_pp` keys are percentage points; `null` where a ratio has
a zero denominator. Every client-scoped body carries the client's ISO 4217 `currency`.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import Router
from pydantic import ConfigDict, Field

from shared.api import deps, inputs
from shared.api.models import ApiModel, BrandingOut, branding_out
from shared.api.openapi import api_doc
from shared.api.prejson import PreSerialised
from shared.api.security import CurrentPrincipal, client_scope
from shared.dashboard import params, service
from shared.db import Tenant
from shared.numbers import as_json
from shared.observability import metrics

router = Router()
TAGS = ["clients"]

ClientId = Annotated[str, Path(description="The client's id (UUID)")]
DateFrom = Annotated[
    str | None, Query(alias="from", description="First day, YYYY-MM-DD (default: 30 days before `to`)")
]
DateTo = Annotated[str | None, Query(alias="to", description="Last day, YYYY-MM-DD, inclusive (default: yesterday)")]
Limit = Annotated[str | None, Query(description="Page size, 1-500 (default 50)")]
Offset = Annotated[str | None, Query(description="Rows to skip (default 0)")]
SortKey = Annotated[str | None, Query(description=f"One of: {', '.join(params.SORT_KEYS)} (default spend)")]
Order = Annotated[str | None, Query(description="asc or desc (default desc; asc for name)")]
CampaignFilter = Annotated[str | None, Query(description="Only this campaign (UUID)")]
StrategyFilter = Annotated[str | None, Query(description="Only this strategy (UUID)")]
PlacementFilter = Annotated[str | None, Query(description="Only this placement (UUID)")]
CreativeFilter = Annotated[str | None, Query(description="Only this creative (UUID)")]


# ---------------------------------------------------------------- response models
# They document the shapes in /openapi.json; values arrive already shaped by `as_json`.

Money = Annotated[str | None, Field(description='Decimal string rounded to cents, e.g. "1234.50"')]
UnitCost = Annotated[str | None, Field(description='Decimal string with 4 decimals, e.g. "0.8045"')]
Ratio = Annotated[str | None, Field(description="Decimal string fraction (6 places); null on a zero denominator")]
Currency = Annotated[str, Field(description="The client's ISO 4217 currency code; every amount is in it")]


class AggregateOut(ApiModel):
    impressions: int
    clicks: int
    conversions: int
    revenue: Money
    spend: Money = Field(description="Cents; null when no row of the period could be priced (no CPM)")
    ctr: Ratio
    cvr: Ratio
    cpc: UnitCost
    cpa: UnitCost
    roas: Ratio


LogChange = Annotated[str | None, Field(description="A natural-log change, decimal string (6 places)")]


class RoasDriverOut(ApiModel):
    metric: Literal["ctr", "cvr", "aov", "cpm"] = Field(
        description="ctr = clicks / impressions, cvr = conversions / clicks, aov = revenue / conversions, "
        "cpm = 1000 x spend / impressions (all from the period's sums)"
    )
    previous: str = Field(description="The comparison period's value (ctr, cvr: 6 places; aov, cpm: 4 places)")
    value: str = Field(description="This period's value, same places")
    change: str = Field(description="The driver's own relative change, value / previous - 1 (6 places)")
    log_change: str = Field(description="ln(value / previous) (6 places)")
    contribution: str = Field(description="Its term of ln ROAS change: log_change, negated for cpm (6 places)")
    contribution_change: str = Field(description="The same as a relative effect on ROAS: exp(contribution) - 1")


class RoasExplainedOut(ApiModel):
    available: bool = Field(description="false when a period has no impressions, clicks, conversions, revenue or spend")
    reason: str | None = Field(description='Why there is no decomposition ("no conversions in this period"), else null')
    log_change: LogChange = Field(description="ln(ROAS / previous ROAS); the contributions sum to it within 2.5e-6")
    change: Ratio = Field(description="ROAS / previous ROAS - 1")
    drivers: list[RoasDriverOut] = Field(description="ctr, cvr, aov, cpm in that order; empty when not available")
    largest: list[Literal["ctr", "cvr", "aov", "cpm"]] = Field(
        description="The drivers the sentence names: the largest contributions (80% of the movement), then cpm"
    )
    message: str | None = Field(description='The insight sentence, e.g. "ROAS \u221231%: CVR \u221224%, CPM unchanged"')


class ChangeOut(ApiModel):
    impressions: Ratio
    clicks: Ratio
    conversions: Ratio
    revenue: Ratio
    spend: Ratio
    ctr: Ratio
    cvr: Ratio
    cpc: Ratio
    cpa: Ratio
    roas: Ratio
    ctr_pp: Ratio = Field(description="Change of CTR in percentage points")
    cvr_pp: Ratio = Field(description="Change of CVR in percentage points")
    roas_explained: RoasExplainedOut = Field(
        description="The ROAS change split exactly: ln ROAS change = ln CTR + ln CVR + ln AOV - ln CPM changes"
    )


class DayOut(AggregateOut):
    date: str


class Period(ApiModel):
    model_config = ConfigDict(populate_by_name=True)

    date_from: str = Field(alias="from")
    date_to: str = Field(alias="to")


Day = Annotated[str | None, Field(description="YYYY-MM-DD; null when there is none")]


class OverviewOut(Period):
    client_id: str
    currency: Currency
    compare_from: Day = Field(description="First day of the comparison period (null with compare=none)")
    compare_to: Day = Field(description="Last day of the comparison period (null with compare=none)")
    previous_from: Day = Field(description="Same as compare_from (earlier name)")
    previous_to: Day = Field(description="Same as compare_to (earlier name)")
    data_through: Day = Field(description="The client's last day with data (any date); null when it has none")
    totals: AggregateOut
    previous: AggregateOut | None = Field(
        description="The same totals for the comparison period (default: the period of equal length just "
        "before); null with compare=none"
    )
    change: ChangeOut | None = Field(
        description="(current - previous) / previous, null when previous is 0; null with compare=none"
    )
    series: list[DayOut] = Field(description="Every day of the range, zeros when there was no data")
    previous_series: list[DayOut] | None = Field(
        description="Every day of the comparison period, same shape as series; null with compare=none"
    )


class ClientOut(ApiModel):
    id: str
    name: str
    slug: str
    status: str
    currency: Currency
    data_through: Day = Field(description="The client's last day with data; null when it has none")


class ClientList(ApiModel):
    items: list[ClientOut]
    total: int
    limit: int
    offset: int


class CampaignRow(AggregateOut):
    id: str
    name: str


class StrategyRow(CampaignRow):
    campaign_id: str


class PlacementRow(StrategyRow):
    strategy_id: str


class CreativeRow(PlacementRow):
    placement_id: str


Row = TypeVar("Row", bound=CampaignRow)


class BreakdownOut(Period, Generic[Row]):
    currency: Currency
    items: list[Row]
    total: int = Field(description="Entities with activity in the range (all pages)")
    limit: int
    offset: int
    sort: str
    order: str


class PeriodPoint(AggregateOut):
    date: str = Field(description="Calendar start of the day / ISO week / month")
    period_start: str = Field(description="The period clipped to the range")
    period_end: str


class TimeseriesOut(Period):
    currency: Currency
    granularity: str
    filters: dict[str, str]
    series: list[PeriodPoint]
    totals: AggregateOut


class PacingDayOut(ApiModel):
    date: str
    kind: Literal["actual", "forecast", "unknown"] = Field(
        description="actual: up to the data-through date; forecast: after it; unknown: no data to forecast from"
    )
    spend: Money = Field(description="The day's spend, actual or forecast (cents)")
    cumulative_spend: Money = Field(description="Spend from the 1st to this day, actual then forecast (cents)")


class PacingOut(Period):
    client_id: str
    currency: Currency
    month: str = Field(description="YYYY-MM")
    data_through: Day = Field(description="The client's last day with data; null when it has none")
    days_in_month: int
    days_elapsed: int = Field(description="Days of the month up to the data-through date")
    days_remaining: int = Field(description="Days of the month after it (forecast)")
    complete: bool = Field(description="true when the data reach the month's last day (no forecast left)")
    forecast_available: bool = Field(description="false when the client has no data at all")
    month_to_date: AggregateOut = Field(description="Sums from the 1st to the data-through date (or month end)")
    forecast_remaining: AggregateOut | None = Field(
        description="Forecast sums of the remaining days (counts rounded); null when none remain"
    )
    forecast_month: AggregateOut | None = Field(
        description="month_to_date + forecast_remaining, ratios from those sums; null without data"
    )
    budget: Money = Field(description="The client's monthly budget (admin setting); null when not set")
    over_under: Money = Field(description="forecast_month.spend - budget: over (+) or under (-); null without budget")
    pace: Ratio = Field(description="forecast_month.spend / budget; null without budget")
    status: Literal["over", "under", "on_budget"] | None = Field(
        description="on_budget within 5% of the budget either way; null without a budget"
    )
    method: str = Field(description="How the forecast is made, in words")
    days: list[PacingDayOut] = Field(description="Every day of the month")


def _range(date_from: str | None, date_to: str | None) -> params.DateRange:
    return params.parse_date_range(
        date_from, date_to, max_days=deps.settings().max_date_span_days, bounds=inputs.date_bounds()
    )


def _page(limit: str | None, offset: str | None) -> params.Page:
    return params.parse_page(limit, offset, max_limit=deps.settings().max_page_size)


@router.get("/clients", summary="The clients the caller may see", tags=TAGS, **api_doc())
def list_clients(principal: CurrentPrincipal, limit: Limit = None, offset: Offset = None) -> ClientList:
    tenant = Tenant.every_client() if principal.is_admin else Tenant.client(principal.client_id or "")
    return ClientList.model_validate(
        as_json(service.list_clients(deps.database(), tenant=tenant, page=_page(limit, offset)))
    )


@router.get(
    "/clients/<client_id>/overview",
    summary="Totals, a comparison period (default: the previous one of equal length), changes, daily series",
    tags=TAGS,
    **api_doc(),
)
def overview(
    client_id: ClientId,
    principal: CurrentPrincipal,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    compare: Annotated[
        str | None, Query(description="previous (default: the period of equal length just before) or none")
    ] = None,
    compare_from: Annotated[
        str | None, Query(description="First day of a custom comparison period, YYYY-MM-DD (with compare_to)")
    ] = None,
    compare_to: Annotated[
        str | None, Query(description="Last day of a custom comparison period, YYYY-MM-DD (with compare_from)")
    ] = None,
) -> OverviewOut:
    tenant = client_scope(principal, client_id)
    date_range = _range(date_from, date_to)
    comparison = params.parse_comparison(
        compare,
        compare_from,
        compare_to,
        date_range=date_range,
        max_days=deps.settings().max_date_span_days,
        bounds=inputs.date_bounds(),
    )
    result = service.overview(
        deps.database(),
        client_id=tenant.client_id,  # type: ignore[arg-type]
        date_range=date_range,
        comparison=comparison,
        json_series=True,  # JSON text, equal to the general shaping (its tests)
    )
    # The two daily series (730 days for a year) skip model validation: they are written in
    # the API's shape directly; everything else is validated and serialised as usual.
    series, previous_series = result.pop("series"), result.pop("previous_series")
    head = OverviewOut.model_validate(
        {**as_json(result), "series": [], "previous_series": None if previous_series is None else []}
    )
    return cast(OverviewOut, PreSerialised(head, series=series, previous_series=previous_series))


@router.get(
    "/clients/<client_id>/pacing",
    summary="Month-end pacing: month to date, the forecast to the month's end, the budget and over/under",
    tags=TAGS,
    **api_doc(),
)
def pacing(
    client_id: ClientId,
    principal: CurrentPrincipal,
    month: Annotated[
        str | None, Query(description="YYYY-MM (default: the current month in the reporting timezone)")
    ] = None,
) -> PacingOut:
    from shared.dashboard.pacing import pacing as build_pacing  # only this route needs it

    tenant = client_scope(principal, client_id)
    settings = deps.settings()
    month_start = params.parse_month(month, today=datetime.now(settings.timezone).date(), bounds=inputs.date_bounds())
    result = build_pacing(deps.database(), client_id=tenant.client_id, month_start=month_start)  # type: ignore[arg-type]
    return PacingOut.model_validate(as_json(result))


def _breakdown(
    model: type[Row],
    level: params.Level,
    client_id: str,
    principal: Any,
    *,
    date_from: str | None,
    date_to: str | None,
    sort: str | None,
    order: str | None,
    limit: str | None,
    offset: str | None,
    filters: dict[str, str | None],
) -> BreakdownOut[Row]:
    tenant = client_scope(principal, client_id)
    result = service.breakdown(
        deps.database(),
        client_id=tenant.client_id,  # type: ignore[arg-type]
        level=level,
        date_range=_range(date_from, date_to),
        filters=params.parse_filters(filters, allowed=params.PARENTS[level]),
        sort=params.parse_sort(sort, order),
        page=_page(limit, offset),
    )
    # BreakdownOut[model]: the row model of this level (a runtime parametrisation).
    shaped: BreakdownOut[Row] = cast(Any, BreakdownOut)[model].model_validate(as_json(result))
    return shaped


@router.get("/clients/<client_id>/campaigns", summary="Campaigns with their metrics", tags=TAGS, **api_doc())
def campaigns(
    client_id: ClientId,
    principal: CurrentPrincipal,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    sort: SortKey = None,
    order: Order = None,
    limit: Limit = None,
    offset: Offset = None,
) -> BreakdownOut[CampaignRow]:
    return _breakdown(
        CampaignRow,
        params.Level.CAMPAIGN,
        client_id,
        principal,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        order=order,
        limit=limit,
        offset=offset,
        filters={},
    )


@router.get(
    "/clients/<client_id>/strategies", summary="Strategies (optionally of one campaign)", tags=TAGS, **api_doc()
)
def strategies(
    client_id: ClientId,
    principal: CurrentPrincipal,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    sort: SortKey = None,
    order: Order = None,
    limit: Limit = None,
    offset: Offset = None,
    campaign_id: CampaignFilter = None,
) -> BreakdownOut[StrategyRow]:
    return _breakdown(
        StrategyRow,
        params.Level.STRATEGY,
        client_id,
        principal,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        order=order,
        limit=limit,
        offset=offset,
        filters={"campaign_id": campaign_id},
    )


@router.get(
    "/clients/<client_id>/placements",
    summary="Placements (optionally of one campaign or strategy)",
    tags=TAGS,
    **api_doc(),
)
def placements(
    client_id: ClientId,
    principal: CurrentPrincipal,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    sort: SortKey = None,
    order: Order = None,
    limit: Limit = None,
    offset: Offset = None,
    campaign_id: CampaignFilter = None,
    strategy_id: StrategyFilter = None,
) -> BreakdownOut[PlacementRow]:
    return _breakdown(
        PlacementRow,
        params.Level.PLACEMENT,
        client_id,
        principal,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        order=order,
        limit=limit,
        offset=offset,
        filters={"campaign_id": campaign_id, "strategy_id": strategy_id},
    )


@router.get(
    "/clients/<client_id>/creatives",
    summary="Creatives (optionally of one campaign, strategy or placement)",
    tags=TAGS,
    **api_doc(),
)
def creatives(
    client_id: ClientId,
    principal: CurrentPrincipal,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    sort: SortKey = None,
    order: Order = None,
    limit: Limit = None,
    offset: Offset = None,
    campaign_id: CampaignFilter = None,
    strategy_id: StrategyFilter = None,
    placement_id: PlacementFilter = None,
) -> BreakdownOut[CreativeRow]:
    return _breakdown(
        CreativeRow,
        params.Level.CREATIVE,
        client_id,
        principal,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        order=order,
        limit=limit,
        offset=offset,
        filters={"campaign_id": campaign_id, "strategy_id": strategy_id, "placement_id": placement_id},
    )


@router.get(
    "/clients/<client_id>/timeseries",
    summary="Metrics per day, ISO week or month (optionally of one entity)",
    tags=TAGS,
    **api_doc(),
)
def timeseries(
    client_id: ClientId,
    principal: CurrentPrincipal,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    granularity: Annotated[str | None, Query(description="day (default), week or month")] = None,
    campaign_id: CampaignFilter = None,
    strategy_id: StrategyFilter = None,
    placement_id: PlacementFilter = None,
    creative_id: CreativeFilter = None,
) -> TimeseriesOut:
    tenant = client_scope(principal, client_id)
    filters = {
        "campaign_id": campaign_id,
        "strategy_id": strategy_id,
        "placement_id": placement_id,
        "creative_id": creative_id,
    }
    result = service.timeseries(
        deps.database(),
        client_id=tenant.client_id,  # type: ignore[arg-type]
        date_range=_range(date_from, date_to),
        granularity=params.parse_granularity(granularity),
        filters=params.parse_filters(filters, allowed=params.ENTITY_FILTERS),
    )
    return TimeseriesOut.model_validate(as_json(result))


def _summaries(
    kind: str, client_id: str, principal: Any, limit: str | None, offset: str | None, date_from: Any, date_to: Any
) -> dict[str, Any]:
    tenant = client_scope(principal, client_id)
    start, end = params.parse_optional_range(date_from, date_to, bounds=inputs.date_bounds())
    result = service.list_summaries(
        deps.database(),
        client_id=tenant.client_id,  # type: ignore[arg-type]
        kind=kind,
        page=_page(limit, offset),
        date_from=start,
        date_to=end,
    )
    return as_json(result)


def _summary(kind: str, client_id: str, principal: Any, period_start: str) -> dict[str, Any]:
    tenant = client_scope(principal, client_id)
    field = "week_start" if kind == "weekly" else "month_start"
    result = service.get_summary(
        deps.database(),
        client_id=tenant.client_id,  # type: ignore[arg-type]
        kind=kind,
        period_start=params.parse_date(period_start, field=field, bounds=inputs.date_bounds()),
    )
    return as_json(result)


@router.get(
    "/clients/<client_id>/summaries/weekly",
    summary="Stored weekly summaries, newest first (optionally overlapping from/to)",
    tags=TAGS,
    **api_doc(),
)
def weekly_summaries(
    client_id: ClientId,
    principal: CurrentPrincipal,
    limit: Limit = None,
    offset: Offset = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> dict[str, Any]:
    return _summaries("weekly", client_id, principal, limit, offset, date_from, date_to)


@router.get(
    "/clients/<client_id>/summaries/weekly/<week_start>",
    summary="One weekly summary (week_start is a Monday)",
    tags=TAGS,
    **api_doc(),
)
def weekly_summary(
    client_id: ClientId,
    week_start: Annotated[str, Path(description="YYYY-MM-DD, a Monday")],
    principal: CurrentPrincipal,
) -> dict[str, Any]:
    return _summary("weekly", client_id, principal, week_start)


@router.get(
    "/clients/<client_id>/summaries/monthly",
    summary="Stored monthly summaries, newest first (optionally overlapping from/to)",
    tags=TAGS,
    **api_doc(),
)
def monthly_summaries(
    client_id: ClientId,
    principal: CurrentPrincipal,
    limit: Limit = None,
    offset: Offset = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> dict[str, Any]:
    return _summaries("monthly", client_id, principal, limit, offset, date_from, date_to)


@router.get(
    "/clients/<client_id>/summaries/monthly/<month_start>",
    summary="One monthly summary (month_start is the 1st)",
    tags=TAGS,
    **api_doc(),
)
def monthly_summary(
    client_id: ClientId,
    month_start: Annotated[str, Path(description="YYYY-MM-DD, the first day of a month")],
    principal: CurrentPrincipal,
) -> dict[str, Any]:
    return _summary("monthly", client_id, principal, month_start)


@router.get(
    "/clients/<client_id>/insights",
    summary="Anomalies, trends, changes and top/bottom performers, in plain English",
    tags=TAGS,
    **api_doc(),
)
def insights(
    client_id: ClientId, principal: CurrentPrincipal, date_from: DateFrom = None, date_to: DateTo = None
) -> dict[str, Any]:
    tenant = client_scope(principal, client_id)
    result = service.insights(
        deps.database(),
        client_id=tenant.client_id,  # type: ignore[arg-type]
        date_range=_range(date_from, date_to),
        settings=deps.settings(),
    )
    return as_json(result)


@router.get(
    "/clients/<client_id>/export.csv",
    summary="CSV export per day or per campaign / strategy / placement / creative",
    tags=TAGS,
    **api_doc(content={"text/csv": {"schema": {"type": "string"}}}),
)
def export_csv(
    client_id: ClientId,
    principal: CurrentPrincipal,
    level: Annotated[str | None, Query(description="campaign, strategy, placement, creative or daily")] = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Response[str]:
    from shared.dashboard.export import export_csv as build_csv

    tenant = client_scope(principal, client_id)
    filename, body = build_csv(
        deps.database(),
        client_id=tenant.client_id,  # type: ignore[arg-type]
        level=params.parse_level(level, allow_daily=True),
        date_range=_range(date_from, date_to),
    )
    metrics.add_metric(name="DashboardExports", unit="Count", value=1)
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=body,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/clients/<client_id>/report.pdf",
    summary="A one-document PDF performance report (KPIs, trend chart, campaigns, insights)",
    tags=TAGS,
    **api_doc(content={"application/pdf": {"schema": {"type": "string", "format": "binary"}}}),
)
def report_pdf(
    client_id: ClientId, principal: CurrentPrincipal, date_from: DateFrom = None, date_to: DateTo = None
) -> Response[str]:
    from shared.dashboard.report import build_report

    tenant = client_scope(principal, client_id)
    filename, pdf = build_report(
        deps.database(),
        client_id=tenant.client_id,  # type: ignore[arg-type]
        date_range=_range(date_from, date_to),
        settings=deps.settings(),
    )
    metrics.add_metric(name="DashboardReports", unit="Count", value=1)
    # Encoded here rather than by Powertools (which does it for a bytes body) because the
    # response validation of a typed route would try to read the bytes as UTF-8 text.
    response = Response(
        status_code=200,
        content_type="application/pdf",
        body=base64.b64encode(pdf).decode("ascii"),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    response.base64_encoded = True
    return response


# ---------------------------------------------------------------- branding


@router.get("/clients/<client_id>/branding", summary="The client's logo and accent colour", tags=TAGS, **api_doc())
def branding(client_id: ClientId, principal: CurrentPrincipal) -> BrandingOut:
    from shared.admin.branding import client_branding

    tenant = client_scope(principal, client_id)
    return branding_out(client_branding(deps.database(), tenant=tenant, client_id=tenant.client_id))  # type: ignore[arg-type]


@router.get(
    "/clients/<client_id>/branding/logo",
    summary="The client's logo image (PNG or JPEG, as sniffed on upload)",
    tags=TAGS,
    **api_doc(
        content={
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
        }
    ),
)
def branding_logo(
    client_id: ClientId,
    principal: CurrentPrincipal,
    v: Annotated[str | None, Query(max_length=64, description="Cache-busting version (from logo_url)")] = None,
) -> Response[str]:
    from shared.admin.branding import client_logo

    tenant = client_scope(principal, client_id)
    logo = client_logo(deps.database(), tenant=tenant, client_id=tenant.client_id)  # type: ignore[arg-type]
    response = Response(
        status_code=200,
        content_type=logo["content_type"],
        body=base64.b64encode(logo["content"]).decode("ascii"),
        headers={
            # The sniffed type only; never rendered as a document; private to the caller.
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Content-Disposition": "inline",
            "Cache-Control": "private, max-age=86400",
            "ETag": f'"{logo["sha256"]}"',
        },
    )
    response.base64_encoded = True
    return response
