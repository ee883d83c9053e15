"""Month-end pacing (SPEC §12): month to date, a forecast to the month's end, the budget.

The forecast of each remaining day of the month (every day after the client's data-through
date) is the average of the same weekday over the 28 days up to the data-through date,
counting only days with data (a missing file is unknown, not zero). When that weekday has no
day with data in the window, the day is the average of every day with data in the window.
The data-through day itself has data, so a client with any data always has a forecast.

Sums stay exact Decimals (an average of counts is fractional); ratios come from the projected
sums; numbers leave through `shared.numbers` (counts rounded to integers, money to cents).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from shared.dashboard.params import DateRange
from shared.db import QUERIES, Database, Tenant
from shared.errors import NotFound
from shared.metrics import AGGREGATE_KEYS, Aggregate, ratio
from shared.numbers import kind_of, quantize

WINDOW_DAYS = 28
# Within this share of the budget either way, the month is on budget.
ON_BUDGET_SHARE = Decimal("0.05")
METHOD = (
    f"each remaining day: the average of the same weekday over the {WINDOW_DAYS} days up to the data-through "
    "date (days with data only; the average of all of them when that weekday has none)"
)


@dataclass(frozen=True, slots=True)
class Projection:
    """Sums that may be fractional (averages of days): the same derived ratios as `Aggregate`."""

    impressions: Decimal = Decimal(0)
    clicks: Decimal = Decimal(0)
    conversions: Decimal = Decimal(0)
    revenue: Decimal = Decimal(0)
    spend: Decimal | None = None

    @classmethod
    def of(cls, agg: Aggregate) -> Projection:
        return cls(Decimal(agg.impressions), Decimal(agg.clicks), Decimal(agg.conversions), agg.revenue, agg.spend)

    def __add__(self, other: Projection) -> Projection:
        spend = (
            None
            if self.spend is None and other.spend is None
            else (self.spend or Decimal(0)) + (other.spend or Decimal(0))
        )
        return Projection(
            self.impressions + other.impressions,
            self.clicks + other.clicks,
            self.conversions + other.conversions,
            self.revenue + other.revenue,
            spend,
        )

    def scaled(self, factor: Decimal) -> Projection:
        return Projection(
            self.impressions * factor,
            self.clicks * factor,
            self.conversions * factor,
            self.revenue * factor,
            None if self.spend is None else self.spend * factor,
        )

    def values(self) -> dict[str, Any]:
        return {
            "impressions": self.impressions,
            "clicks": self.clicks,
            "conversions": self.conversions,
            "revenue": self.revenue,
            "spend": self.spend,
            "ctr": ratio(self.clicks, self.impressions),
            "cvr": ratio(self.conversions, self.clicks),
            "cpc": ratio(self.spend, self.clicks),
            "cpa": ratio(self.spend, self.conversions),
            "roas": ratio(self.revenue, self.spend),
        }

    def to_api(self) -> dict[str, Any]:
        values = self.values()
        return {key: quantize(values[key], kind_of(key) or "ratio") for key in AGGREGATE_KEYS}


def _mean(days: list[Aggregate]) -> Projection:
    total = Projection()
    for agg in days:
        total = total + Projection.of(agg)
    return total.scaled(Decimal(1) / Decimal(len(days))) if days else total


def month_end(month_start: date) -> date:
    return (month_start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def forecast_days(by_day: dict[date, Aggregate], *, through: date, days: list[date]) -> dict[date, Projection]:
    """The forecast of each of `days` from the data of the `WINDOW_DAYS` days up to `through`
    (`by_day`: the days with data; others in it are ignored)."""
    window_start = through - timedelta(days=WINDOW_DAYS - 1)
    window = {day: agg for day, agg in by_day.items() if window_start <= day <= through}
    overall = _mean(list(window.values()))
    by_weekday = {
        weekday: _mean([agg for day, agg in window.items() if day.weekday() == weekday]) for weekday in range(7)
    }
    has_weekday = {day.weekday() for day in window}
    return {day: by_weekday[day.weekday()] if day.weekday() in has_weekday else overall for day in days}


def project_month(
    by_day: dict[date, Aggregate], *, month_start: date, through: date | None
) -> tuple[Projection, Projection, list[dict[str, Any]]]:
    """(month to date, forecast of the remaining days, one entry per day of the month) from
    the days with data `by_day` (the month and the window before `through`)."""
    last = month_end(month_start)
    month_days = DateRange(month_start, last).each_day()
    actual_days = [day for day in month_days if through is not None and day <= through]
    remaining = [day for day in month_days if through is None or day > through]
    to_date = Projection()
    for day in actual_days:
        if day in by_day:
            to_date = to_date + Projection.of(by_day[day])
    if not any(day in by_day for day in actual_days):
        to_date = Projection(spend=Decimal(0))  # nothing delivered yet spent nothing (not "unpriced")
    forecast = forecast_days(by_day, through=through, days=remaining) if through is not None and by_day else {}
    rest = Projection()
    for projection in forecast.values():
        rest = rest + projection
    entries = []
    cumulative = Decimal(0)
    for day in month_days:
        if day in forecast:
            spend = forecast[day].spend
            kind = "forecast"
        elif day in actual_days:
            spend = by_day[day].spend if day in by_day else Decimal(0)
            kind = "actual"
        else:
            spend, kind = None, "unknown"  # no data at all yet: nothing to forecast from
        cumulative += spend or 0
        entries.append({"date": day, "kind": kind, "spend": spend, "cumulative_spend": cumulative})
    return to_date, rest, entries


def budget_status(over_under: Decimal, budget: Decimal) -> str:
    """on_budget within `ON_BUDGET_SHARE` of the budget either way, else over or under."""
    if abs(over_under) <= ON_BUDGET_SHARE * budget:
        return "on_budget"
    return "over" if over_under > 0 else "under"


def pacing(db: Database, *, client_id: UUID, month_start: date) -> dict[str, Any]:
    """The client's pacing for the month starting `month_start` (see the module docstring):
    month to date, forecast of the remaining days and of the month, the budget (None when
    not set) and the projected over (+) or under (-) spend."""
    last = month_end(month_start)
    with db.transaction(tenant=Tenant.client(client_id)) as conn:
        client = conn.execute(QUERIES["dashboard_client_pacing"], {"client_id": client_id}).fetchone()
        if client is None:
            raise NotFound("client not found")
        through: date | None = client["data_through"]
        by_day: dict[date, Aggregate] = {}
        if through is not None:
            start = min(month_start, through - timedelta(days=WINDOW_DAYS - 1))
            end = max(min(through, last), start)
            rows = conn.execute(
                QUERIES["dashboard_daily_totals"], {"client_id": client_id, "date_from": start, "date_to": end}
            ).fetchall()
            by_day = {row["date"]: Aggregate.from_row(row) for row in rows}
    to_date, rest, entries = project_month(by_day, month_start=month_start, through=through)
    month = to_date + rest
    budget: Decimal | None = client["monthly_budget"]
    projected = month.spend if month.spend is not None else None
    over_under = None if budget is None or projected is None else projected - budget
    status = None if over_under is None or budget is None else budget_status(over_under, budget)
    forecast_days_count = sum(1 for e in entries if e["kind"] == "forecast")
    return {
        "client_id": str(client_id),
        "currency": client["currency"],
        "month": month_start.strftime("%Y-%m"),
        "from": month_start.isoformat(),
        "to": last.isoformat(),
        "data_through": None if through is None else through.isoformat(),
        "days_in_month": len(entries),
        "days_elapsed": sum(1 for e in entries if e["kind"] == "actual"),
        "days_remaining": sum(1 for e in entries if e["kind"] != "actual"),
        "complete": through is not None and through >= last,
        "forecast_available": through is not None,
        "month_to_date": to_date.to_api(),
        "forecast_remaining": rest.to_api() if forecast_days_count else None,
        "forecast_month": month.to_api() if through is not None else None,
        "budget": quantize(budget, "money"),
        "over_under": quantize(over_under, "money"),
        "pace": quantize(None if projected is None or not budget else projected / budget, "ratio"),
        "status": status,
        "method": METHOD,
        "days": [
            {
                "date": e["date"].isoformat(),
                "kind": e["kind"],
                "spend": quantize(e["spend"], "money"),
                "cumulative_spend": quantize(e["cumulative_spend"], "money") if e["kind"] != "unknown" else None,
            }
            for e in entries
        ],
    }
