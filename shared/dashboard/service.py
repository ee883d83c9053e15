"""The client dashboard's reads: clients, overview, drill-down, time series, summaries.

Every read of a client's data runs in one transaction scoped to that client's tenant, so
row-level security applies on top of the API's `client_scope` check, and starts by looking
up the client row: an id the tenant cannot see (missing, or another client's) is NotFound.

Values come back shaped for JSON: ids and dates as strings, counts as ints, money, unit costs
and ratios as Decimals from `Aggregate.to_api()` (rounded by kind only there, see
`shared.numbers`); every client-scoped result carries the client's `currency`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

import psycopg

from shared.dashboard import daily_json
from shared.dashboard.params import ENTITY_FILTERS, PARENTS, DateRange, Granularity, Level, Page, Sort
from shared.db import QUERIES, Database, Tenant
from shared.errors import InvalidInput, NotFound
from shared.insights.roas import explain_roas
from shared.metrics import Aggregate, compare
from shared.numbers import normalise
from shared.settings import Settings

# A day or period with no rows spent nothing (0), unlike rows that could not be priced (None).
NOTHING = Aggregate(spend=Decimal(0))
_ZERO = Decimal(0)

BREAKDOWN_QUERIES = {
    Level.CAMPAIGN: "dashboard_campaigns",
    Level.STRATEGY: "dashboard_strategies",
    Level.PLACEMENT: "dashboard_placements",
    Level.CREATIVE: "dashboard_creatives",
}

Connection = psycopg.Connection[dict[str, Any]]
# Where `dashboard_daily_totals_call` puts them after daily_json.DAILY_COLUMNS.
_CURRENCY_AT = len(daily_json.DAILY_COLUMNS)
_DATA_THROUGH_AT = _CURRENCY_AT + 1


def total_of(rows: list[dict[str, Any]]) -> Aggregate:
    """The exact sum of SQL rows of sums (`NOTHING` when there are none).

    The fold of `Aggregate.from_row(row)` with `Aggregate.__add__`, written out: the same
    additions in the same order (spend stays None until a priced row), without building
    two Aggregates per row (a 365-day overview sums 730 rows)."""
    if not rows:
        return NOTHING
    impressions = clicks = conversions = 0
    revenue = _ZERO
    spend: Decimal | None = None
    for row in rows:
        impressions += int(row.get("impressions") or 0)
        clicks += int(row.get("clicks") or 0)
        conversions += int(row.get("conversions") or 0)
        revenue = revenue + Decimal(row.get("revenue") or 0)
        row_spend = row.get("spend")
        if row_spend is not None:
            spend = (spend or _ZERO) + (Decimal(row_spend) or _ZERO)
        elif spend is not None:
            spend = (spend or _ZERO) + _ZERO
    return Aggregate(impressions=impressions, clicks=clicks, conversions=conversions, revenue=revenue, spend=spend)


def require_client(conn: Connection, client_id: UUID) -> dict[str, Any]:
    """The client row visible in this transaction, or NotFound."""
    row = conn.execute(QUERIES["dashboard_client"], {"client_id": client_id}).fetchone()
    if row is None:
        raise NotFound("client not found")
    return _client(row)


def _client(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "slug": row["slug"],
        "status": row["status"],
        "currency": row["currency"],
    }


def require_client_if(conn: Connection, client_id: UUID, *, found_rows: list[dict[str, Any]]) -> str:
    """The client's currency; NotFound unless the client is visible. The lookup is skipped
    when the query already found its rows (they carry the currency; rows of a client exist
    only if the client does, and RLS shows them only to its tenant), which saves the hot
    routes a round trip."""
    return _found_currency(found_rows) or str(require_client(conn, client_id)["currency"])


def _found_currency(found_rows: list[dict[str, Any]]) -> str | None:
    """The currency the rows found carry, if they carry one."""
    return str(found_rows[0]["currency"]) if found_rows and found_rows[0].get("currency") else None


def client_info(db: Database, *, client_id: UUID) -> dict[str, Any]:
    """The client's id, name, slug and status, or NotFound."""
    with db.transaction(tenant=Tenant.client(client_id)) as conn:
        return require_client(conn, client_id)


def list_clients(db: Database, *, tenant: Tenant, page: Page) -> dict[str, Any]:
    """The clients `tenant` may see (one for a client user, all for the admin), by name, each
    with `data_through` (its last day with data, None when it has none)."""
    with db.transaction(tenant=tenant) as conn:
        rows = conn.execute(QUERIES["dashboard_list_clients"], {"limit": page.limit, "offset": page.offset}).fetchall()
    items = [
        {
            "id": str(r["id"]),
            "name": r["name"],
            "slug": r["slug"],
            "status": r["status"],
            "currency": r["currency"],
            "data_through": r["data_through"].isoformat() if r["data_through"] is not None else None,
        }
        for r in rows
        if r["id"] is not None
    ]
    return {"items": items, "total": int(rows[0]["total"]) if rows else 0, "limit": page.limit, "offset": page.offset}


def _daily_rows(
    db: Database, client_id: UUID, span: DateRange, *, as_tuples: bool
) -> tuple[dict[date, Any], dict[str, Any] | None]:
    """The days of `span` with data, by date (`dashboard_daily_totals_call`, one statement):
    dict rows, or (`as_tuples`) tuples in `daily_json.DAILY_COLUMNS` order, cheaper to fetch
    (a year and its comparison: 730 rows); and the client's `data_through` and `currency`
    from them (None when the span has no day)."""
    params = {"client_id": client_id, "date_from": span.start, "date_to": span.end}
    check = _check_call_columns if as_tuples else None  # tuples are read by position
    rows = db.call(QUERIES["dashboard_daily_totals_call"], params, tuples=as_tuples, check=check)
    if not rows:
        return {}, None
    if as_tuples:
        first = rows[0]
        last = {"currency": first[_CURRENCY_AT], "data_through": first[_DATA_THROUGH_AT]}
        return {row[0]: row for row in rows}, last
    return {row["date"]: row for row in rows}, {
        "currency": rows[0]["currency"],
        "data_through": rows[0]["data_through"],
    }


def _check_call_columns(description: Any) -> None:
    daily_json.check_columns(description)
    names = tuple(column.name for column in description[_CURRENCY_AT : _DATA_THROUGH_AT + 1])
    if names != ("currency", "data_through"):
        raise RuntimeError(f"dashboard_daily_totals_call returns {names} after the daily columns")


def _currency(db: Database, client_id: UUID, *, found_rows: list[dict[str, Any]]) -> str:
    """`require_client_if` outside a transaction: the client is looked up (in its tenant)
    only when the rows found carry no currency."""
    found = _found_currency(found_rows)
    if found is not None:
        return found
    with db.transaction(tenant=Tenant.client(client_id)) as conn:
        return str(require_client(conn, client_id)["currency"])


def _daily_series(by_day: dict[date, dict[str, Any]], span: DateRange) -> list[dict[str, Any]]:
    """Every day of `span` (days without data are zeros, ratios null)."""
    return [
        {"date": day.isoformat(), **(Aggregate.from_row(by_day[day]) if day in by_day else NOTHING).to_api()}
        for day in span.each_day()
    ]


def _series_and_total(by_day: dict[date, Any], span: DateRange, *, json_series: bool) -> tuple[Any, Aggregate]:
    """`span`'s daily series (dicts, or `daily_json.JsonText` from tuple rows) and its total."""
    if json_series:
        return daily_json.daily_series(by_day, span)
    total = total_of([row for day, row in by_day.items() if span.start <= day <= span.end])
    return _daily_series(by_day, span), total


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def overview(
    db: Database,
    *,
    client_id: UUID,
    date_range: DateRange,
    comparison: DateRange | Literal["previous"] | None = "previous",
    json_series: bool = False,
) -> dict[str, Any]:
    """Totals of the range, of the comparison period, their changes, both daily series (every
    day present: days without data are zeros, ratios null) and the client's last day with data.

    `comparison` is the comparison period: by default the period of equal length just before the
    range, any other range, or None for no comparison (`previous`, `change`, `previous_series`
    are then None). `change.roas_explained` splits the ROAS change exactly into its CTR, CVR,
    AOV and CPM contributions (`shared.insights.roas`). An adjacent comparison is read in the same indexed scan as the range;
    totals are exact sums of the daily sums.

    `json_series` (the route's choice): both series as `daily_json.JsonText`, the same days
    written straight in the API's JSON (rows fetched as tuples, totals summed in the same loop); equal
    to the general shaping digit for digit (tests/dashboard/test_daily_json.py).
    """
    other = date_range.previous() if comparison == "previous" else comparison
    # Each read is one statement whose SQL function sets the client's tenant (migration 1301):
    # no transaction around them, one round trip each. Under READ COMMITTED the statements of
    # a transaction saw their own snapshots anyway.
    if other is not None and other.end + timedelta(days=1) == date_range.start:
        by_day, last = _daily_rows(db, client_id, DateRange(other.start, date_range.end), as_tuples=json_series)
        other_by_day = by_day
    else:
        by_day, last = _daily_rows(db, client_id, date_range, as_tuples=json_series)
        other_by_day, _ = _daily_rows(db, client_id, other, as_tuples=json_series) if other is not None else ({}, None)
    if last is None:  # no day in the range: the freshness line in the client's tenant
        with db.transaction(tenant=Tenant.client(client_id)) as conn:
            last = conn.execute(QUERIES["dashboard_data_through"], {"client_id": client_id}).fetchone()
            # A client with data somewhere exists and is visible (rows are RLS-scoped like clients).
            found = [last] if last is not None and last["data_through"] is not None else []
            currency = require_client_if(conn, client_id, found_rows=found)
    else:
        currency = _currency(db, client_id, found_rows=[last])
    series, totals = _series_and_total(by_day, date_range, json_series=json_series)
    result: dict[str, Any] = {
        "client_id": str(client_id),
        "currency": currency,
        "from": date_range.start.isoformat(),
        "to": date_range.end.isoformat(),
        "compare_from": _iso(other.start if other else None),
        "compare_to": _iso(other.end if other else None),
        # The earlier names of the comparison bounds, kept for existing callers.
        "previous_from": _iso(other.start if other else None),
        "previous_to": _iso(other.end if other else None),
        "data_through": _iso(last["data_through"] if last else None),
        "totals": totals.to_api(),
        "previous": None,
        "change": None,
        "series": series,
        "previous_series": None,
    }
    if other is not None:
        previous_series, before = _series_and_total(other_by_day, other, json_series=json_series)
        change = {**compare(totals, before), "roas_explained": explain_roas(totals, before)}
        result.update(previous=before.to_api(), change=change, previous_series=previous_series)
    return result


def breakdown(
    db: Database,
    *,
    client_id: UUID,
    level: Level,
    date_range: DateRange,
    filters: dict[str, UUID | None],
    sort: Sort,
    page: Page,
) -> dict[str, Any]:
    """One drill-down level (campaigns, strategies, placements or creatives) with activity in
    the range, optionally under a parent, sorted by any metric, one page plus the total count.

    Rows are `{id, name, <parent ids>, <aggregate keys>}`; the rows of every page together
    sum exactly to the overview totals of the same range and filters.
    """
    params: dict[str, Any] = {
        "client_id": client_id,
        "date_from": date_range.start,
        "date_to": date_range.end,
        "limit": page.limit,
        "offset": page.offset,
        **{name: filters.get(name) for name in PARENTS[level]},
    }
    if level is Level.CAMPAIGN:
        # One statement (app.campaign_breakdown sets the tenant, migration 1301): the level
        # every dashboard opens on, read from the rollup.
        rows = db.call(QUERIES["dashboard_campaigns_call"], {**params, "sort": sort.key, "descending": sort.descending})
        currency = _currency(db, client_id, found_rows=rows if rows and rows[0]["total"] else [])
    else:
        query = QUERIES[BREAKDOWN_QUERIES[level]].format(**sort.order_by())
        with db.transaction(tenant=Tenant.client(client_id)) as conn:
            rows = conn.execute(query, params).fetchall()
            currency = require_client_if(conn, client_id, found_rows=rows if rows and rows[0]["total"] else [])
    items = []
    for row in rows:
        if row["id"] is None:  # the empty page of a list (offset past the end)
            continue
        item: dict[str, Any] = {"id": str(row["id"]), "name": row["name"]}
        item.update({parent: str(row[parent]) for parent in PARENTS[level]})
        item.update(Aggregate.from_row(row).to_api())
        items.append(item)
    return {
        "currency": currency,
        "items": items,
        "total": int(rows[0]["total"]) if rows else 0,
        "limit": page.limit,
        "offset": page.offset,
        "sort": sort.key,
        "order": "desc" if sort.descending else "asc",
        "from": date_range.start.isoformat(),
        "to": date_range.end.isoformat(),
    }


def period_start(day: date, granularity: Granularity) -> date:
    """The first day of the day / ISO week / month containing `day`."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def next_period(start: date, granularity: Granularity) -> date:
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def timeseries(
    db: Database,
    *,
    client_id: UUID,
    date_range: DateRange,
    granularity: Granularity,
    filters: dict[str, UUID | None],
) -> dict[str, Any]:
    """Aggregates per day, ISO week or calendar month, every period of the range present.

    `date` is the calendar start of the period; `period_start`/`period_end` clip it to the
    range, so a partial first or last week/month is visible as such.
    """
    params = {
        "client_id": client_id,
        "date_from": date_range.start,
        "date_to": date_range.end,
        "granularity": granularity,
        **{name: filters.get(name) for name in ENTITY_FILTERS},
    }
    with db.transaction(tenant=Tenant.client(client_id)) as conn:
        rows = conn.execute(QUERIES["dashboard_timeseries"], params).fetchall()
        currency = require_client_if(conn, client_id, found_rows=rows)
    by_period = {row["period_start"]: row for row in rows}
    series = []
    start = period_start(date_range.start, granularity)
    while start <= date_range.end:
        following = next_period(start, granularity)
        agg = Aggregate.from_row(by_period[start]) if start in by_period else NOTHING
        series.append(
            {
                "date": start.isoformat(),
                "period_start": max(start, date_range.start).isoformat(),
                "period_end": min(following - timedelta(days=1), date_range.end).isoformat(),
                **agg.to_api(),
            }
        )
        start = following
    return {
        "currency": currency,
        "granularity": granularity,
        "from": date_range.start.isoformat(),
        "to": date_range.end.isoformat(),
        "filters": {name: str(value) for name, value in filters.items() if value is not None},
        "series": series,
        "totals": total_of(rows).to_api(),
    }


# ---------------------------------------------------------------- summaries

SUMMARY_KINDS = {
    "weekly": ("dashboard_weekly_summaries", "dashboard_weekly_summary", "week_start", "week_end"),
    "monthly": ("dashboard_monthly_summaries", "dashboard_monthly_summary", "month_start", "month_end"),
}
_SUMMARY_SCALARS = {"impressions", "clicks", "conversions", "revenue", "spend", "total"}


def _summary_item(row: dict[str, Any], start_key: str, end_key: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        start_key: row[start_key].isoformat(),
        end_key: row[end_key].isoformat(),
        "days_with_data": row["days_with_data"],
        # Ratios recomputed from the stored sums, exactly like every other aggregate.
        "totals": Aggregate.from_row(row).to_api(),
        "updated_at": row["updated_at"].isoformat(),
    }
    for key, value in row.items():
        if key not in item and key not in _SUMMARY_SCALARS:
            # The stored JSON documents (deltas, rankings, insights, ...), re-rendered in the
            # one convention, so documents stored before it read like new ones.
            item[key] = normalise(value)
    return item


def list_summaries(
    db: Database, *, client_id: UUID, kind: str, page: Page, date_from: date | None, date_to: date | None
) -> dict[str, Any]:
    """Stored weekly or monthly summaries of a client, newest first, optionally overlapping
    [date_from, date_to]."""
    list_query, _, start_key, end_key = SUMMARY_KINDS[kind]
    params = {
        "client_id": client_id,
        "date_from": date_from,
        "date_to": date_to,
        "limit": page.limit,
        "offset": page.offset,
    }
    with db.transaction(tenant=Tenant.client(client_id)) as conn:
        client = require_client(conn, client_id)
        rows = conn.execute(QUERIES[list_query], params).fetchall()
    items = [_summary_item(row, start_key, end_key) for row in rows if row[start_key] is not None]
    return {
        "currency": client["currency"],
        "items": items,
        "total": int(rows[0]["total"]) if rows else 0,
        "limit": page.limit,
        "offset": page.offset,
    }


def get_summary(db: Database, *, client_id: UUID, kind: str, period_start: date) -> dict[str, Any]:
    """One stored summary with its full content; NotFound when it has not been generated.

    A weekly period starts on a Monday and a monthly one on the 1st: other dates are invalid.
    """
    _, one_query, start_key, end_key = SUMMARY_KINDS[kind]
    if kind == "weekly" and period_start.weekday() != 0:
        raise InvalidInput("week_start must be a Monday")
    if kind == "monthly" and period_start.day != 1:
        raise InvalidInput("month_start must be the first day of a month")
    with db.transaction(tenant=Tenant.client(client_id)) as conn:
        client = require_client(conn, client_id)
        row = conn.execute(QUERIES[one_query], {"client_id": client_id, "period_start": period_start}).fetchone()
    if row is None:
        raise NotFound(f"no {kind} summary for {period_start.isoformat()}")
    return {"currency": client["currency"], **_summary_item(row, start_key, end_key)}


# ---------------------------------------------------------------- insights


def insights(db: Database, *, client_id: UUID, date_range: DateRange, settings: Settings) -> dict[str, Any]:
    """Insights (anomalies, trends, changes, top/bottom performers) over the range, most
    important first, computed live by `shared.insights` in the client's tenant."""
    from shared.insights import RULES, insights_for  # only this route and the report need it

    with db.transaction(tenant=Tenant.client(client_id)) as conn:
        currency = require_client(conn, client_id)["currency"]
        items = insights_for(
            conn,
            client_id=client_id,
            date_from=date_range.start,
            date_to=date_range.end,
            settings=settings,
            currency=currency,
        )
    return {
        "currency": currency,
        "from": date_range.start.isoformat(),
        "to": date_range.end.isoformat(),
        "items": items,
        "total": len(items),
        "rules": RULES,
    }
