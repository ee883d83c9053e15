"""Build and store one client's weekly or monthly summary, inside the caller's transaction.

The same builder serves the schedules, the admin backfill and `regenerate_queued`, so a
summary never depends on how it was produced. Re-building a period replaces its row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any
from uuid import UUID

from shared.db import QUERIES
from shared.insights import RULES as INSIGHT_RULES
from shared.insights.data import Performance
from shared.insights.engine import creative_totals, history_start, insights_from
from shared.metrics import Aggregate, compare, relative_change
from shared.numbers import as_json, metric_kind, normalise, shape
from shared.numbers import ratio as ratio_str
from shared.numbers.currency import DEFAULT_CURRENCY
from shared.settings import Settings
from shared.summaries import rankings
from shared.summaries.periods import MONTHLY, WEEKLY, add_months, period_end, previous_period_start

TREND_METRICS = ("spend", "conversions", "roas")
MIN_TREND_CHANGE = Decimal("0.05")
TREND_RULE = (
    "over the last three months (this month and the two before): up when each month is higher than the one "
    "before and the whole move is at least +5%, down when each is lower and the move is at most -5%, flat "
    "otherwise; null when a month has no value"
)


@dataclass(frozen=True)
class PeriodSummary:
    """What a run built for one client and period (the stored row holds the full detail)."""

    id: UUID
    client_id: UUID
    kind: str
    period_start: date
    period_end: date
    totals: Aggregate
    previous: Aggregate
    change: dict[str, Any]
    days_with_data: int
    insights: list[dict[str, Any]] = field(default_factory=list)
    client_name: str | None = None
    currency: str = DEFAULT_CURRENCY

    @property
    def days_in_period(self) -> int:
        return (self.period_end - self.period_start).days + 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (counts as integers, other numbers as decimal strings)."""
        return {
            "id": str(self.id),
            "client_id": str(self.client_id),
            "client_name": self.client_name,
            "kind": self.kind,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "currency": self.currency,
            "totals": as_json(self.totals.to_api()),
            "previous": as_json(self.previous.to_api()),
            "change": as_json(self.change),
            "days_with_data": self.days_with_data,
            "days_in_period": self.days_in_period,
            "insights": len(self.insights),
        }


def build_summary(
    conn: Any,
    *,
    kind: str,
    client_id: UUID,
    period_start: date,
    settings: Settings,
    client_name: str | None = None,
) -> PeriodSummary:
    """Compute and upsert the `kind` ("weekly" | "monthly") summary of one client's period.

    Raises `InvalidInput` when `period_start` is not a Monday (weekly) or a 1st (monthly).
    """
    end = period_end(kind, period_start)
    currency_row = conn.execute(QUERIES["summary_client_currency"], {"client_id": client_id}).fetchone()
    currency = currency_row["currency"] if currency_row else DEFAULT_CURRENCY
    minimum = settings.ranking_min_impressions
    previous_start = previous_period_start(kind, period_start)
    previous_end = period_start - timedelta(days=1)
    earliest_start = add_months(period_start, -2) if kind == MONTHLY else previous_start

    # One scan of the fact table for the period and its history, one for its creatives.
    performance = Performance.load(
        conn, client_id=client_id, date_from=min(earliest_start, history_start(period_start, end)), date_to=end
    )
    creatives = creative_totals(conn, client_id=client_id, date_from=period_start, date_to=end)
    totals = performance.total(period_start, end)
    previous = performance.total(previous_start, previous_end)
    change = compare(totals, previous)
    days = performance.days_with_data(period_start, end)
    campaigns = performance.campaigns(period_start, end)
    insights = insights_from(
        performance, creatives, date_from=period_start, date_to=end, settings=settings, currency=currency
    )

    days_in_period = (end - period_start).days + 1
    missing = sorted({period_start + timedelta(days=n) for n in range(days_in_period)} - set(days))
    deltas = {
        "previous_period": {"start": previous_start.isoformat(), "end": previous_end.isoformat()},
        "previous": as_json(previous.to_api()),
        "change": as_json(change),
    }
    details: dict[str, Any] = {
        "currency": currency,
        "totals": as_json(totals.to_api()),
        "completeness": {
            "days_with_data": len(days),
            "days_in_period": days_in_period,
            "ratio": ratio_str(Decimal(len(days)) / days_in_period),
            "missing_dates": [day.isoformat() for day in missing],
        },
        "ranking_min_impressions": minimum,
        "rules": {
            "rankings": rankings.RANKING_RULE.format(minimum=minimum),
            "underperformers": rankings.UNDERPERFORMER_RULE.format(minimum=minimum),
            "insights": INSIGHT_RULES,
        },
    }
    params: dict[str, Any] = {
        "client_id": client_id,
        "period_start": period_start,
        "period_end": end,
        **_columns(totals),
        "days_with_data": len(days),
        "deltas": _json(deltas),
        "top_campaigns": _json(rankings.top(campaigns, minimum)),
        "top_creatives": _json(rankings.top(creatives, minimum)),
        "insights": _json(insights),
    }
    if kind == WEEKLY:
        params["underperformers"] = _json(rankings.underperformers(campaigns, totals, minimum, currency))
        params["details"] = _json(details)
        summary_id = conn.execute(QUERIES["summary_upsert_weekly"], params).fetchone()["id"]
    else:
        earlier = performance.total(earliest_start, previous_start - timedelta(days=1))
        details["rules"]["trend"] = TREND_RULE
        params["trend"] = _json(three_month_trend([earlier, previous, totals], period_start))
        params["campaign_rankings"] = _json(rankings.ranked(campaigns, minimum))
        params["creative_rankings"] = _json(rankings.ranked(creatives, minimum))
        params["details"] = _json(details)
        summary_id = conn.execute(QUERIES["summary_upsert_monthly"], params).fetchone()["id"]

    return PeriodSummary(
        id=summary_id,
        client_id=client_id,
        kind=kind,
        period_start=period_start,
        period_end=end,
        totals=totals,
        previous=previous,
        change=change,
        days_with_data=len(days),
        insights=insights,
        client_name=client_name,
        currency=currency,
    )


def build_weekly(conn: Any, *, client_id: UUID, week_start: date, settings: Settings) -> PeriodSummary:
    """The weekly summary (Monday-Sunday) of one client; `week_start` must be a Monday."""
    return build_summary(conn, kind=WEEKLY, client_id=client_id, period_start=week_start, settings=settings)


def build_monthly(conn: Any, *, client_id: UUID, month_start: date, settings: Settings) -> PeriodSummary:
    """The monthly summary of one client; `month_start` must be the 1st of a month."""
    return build_summary(conn, kind=MONTHLY, client_id=client_id, period_start=month_start, settings=settings)


def three_month_trend(months: list[Aggregate], month_start: date) -> dict[str, Any]:
    """Direction of spend, conversions and ROAS over three months, oldest first (TREND_RULE)."""
    starts = [add_months(month_start, offset) for offset in (-2, -1, 0)]
    result: dict[str, Any] = {"months": [start.isoformat() for start in starts], "rule": TREND_RULE}
    for key in TREND_METRICS:
        # A month without data has no value (zero conversions there would fake a rise).
        values: list[Decimal | None] = [
            None if month.impressions == 0 or getattr(month, key) is None else Decimal(getattr(month, key))
            for month in months
        ]
        direction: str | None = None
        change = None
        known = [value for value in values if value is not None]
        if len(known) == len(values):
            change = relative_change(known[-1], known[0])
            rising = all(later > earlier for earlier, later in pairwise(known))
            falling = all(later < earlier for earlier, later in pairwise(known))
            if rising and change is not None and change >= MIN_TREND_CHANGE:
                direction = "up"
            elif falling and change is not None and change <= -MIN_TREND_CHANGE:
                direction = "down"
            else:
                direction = "flat"
        result[key] = {
            "direction": direction,
            "values": [None if value is None else _plain(value, key) for value in values],
            "change": ratio_str(change),
        }
    return result


def _plain(value: Decimal | int, key: str) -> int | str | None:
    return shape(value, metric_kind(key))


def _columns(totals: Aggregate) -> dict[str, Any]:
    """The typed total columns (the database rounds ratios to each column's scale)."""
    return {
        "impressions": totals.impressions,
        "clicks": totals.clicks,
        "conversions": totals.conversions,
        "revenue": totals.revenue,
        "spend": totals.spend,
        "ctr": totals.ctr,
        "cvr": totals.cvr,
        "cpc": totals.cpc,
        "cpa": totals.cpa,
        "roas": totals.roas,
    }


def _json(value: Any) -> str:
    # Passed as text and cast in SQL (`::jsonb`), so domain code needs no driver types.
    return json.dumps(normalise(value), separators=(",", ":"))
