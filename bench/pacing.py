"""Backtest of the month-end pacing forecast on the demo data (`BENCH_ONLY=pacing`).

The demo generator (`local.datagen`, the data `make demo` loads) is run for `BENCH_PACING_DAYS`
days (default 240, ending yesterday) so several whole months have the 28-day window before
them. For every client, every whole month and every day of it but the last taken as the
data-through date, the real forecast (`shared.dashboard.pacing.project_month`, fed only the
days up to that date) is compared with the month's actual spend: the absolute percentage
error of the month-end spend, averaged (MAPE), overall and by how far into the month the
forecast was made. Spend is priced as ingestion prices it: impressions x the CPM in force / 1000.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from local.datagen import DemoClient, generate
from shared.dashboard.pacing import WINDOW_DAYS, month_end, project_month
from shared.metrics import Aggregate

BUCKETS = ((1, 7, "days 1-7"), (8, 14, "days 8-14"), (15, 21, "days 15-21"), (22, 31, "day 22 on"))


def _cpm(client: DemoClient, day: date) -> Decimal:
    return max((rate for rate in client.rates if rate[0] <= day), key=lambda rate: rate[0])[1]


def daily_totals(client: DemoClient, rows: list[Any]) -> dict[date, Aggregate]:
    """The client's daily sums as the database would hold them (spend exact)."""
    by_day: dict[date, Aggregate] = {}
    for row in rows:
        agg = Aggregate(
            impressions=row.impressions,
            clicks=row.clicks,
            conversions=row.conversions,
            revenue=row.revenue,
            spend=Decimal(row.impressions) * _cpm(client, row.day) / 1000,
        )
        by_day[row.day] = by_day[row.day] + agg if row.day in by_day else agg
    return by_day


def backtest(days: int, end: date) -> dict[str, Any]:
    data = generate(end=end, days=days)
    errors: list[tuple[str, date, int, Decimal]] = []  # client, month, day of month, |error| share
    for client in data.clients:
        by_day = daily_totals(client, data.rows[client.slug])
        first = min(by_day)
        month = (first + timedelta(days=WINDOW_DAYS)).replace(day=1)
        if month - timedelta(days=WINDOW_DAYS) < first:
            month = (month + timedelta(days=32)).replace(day=1)
        while month_end(month) <= max(by_day):
            last = month_end(month)
            actual = sum((by_day[d].spend or Decimal(0) for d in by_day if month <= d <= last), Decimal(0))
            through = month
            while through < last:
                known = {d: agg for d, agg in by_day.items() if d <= through}
                to_date, rest, _ = project_month(known, month_start=month, through=through)
                forecast = (to_date + rest).spend or Decimal(0)
                errors.append((client.slug, month, through.day, abs(forecast - actual) / actual))
                through += timedelta(days=1)
            month = last + timedelta(days=1)
    if not errors:
        raise RuntimeError("no whole month with a 28-day window before it: raise BENCH_PACING_DAYS")

    def mape(items: list[Decimal]) -> float:
        return round(float(sum(items, Decimal(0)) / len(items)) * 100, 2)

    by_client: dict[str, list[Decimal]] = defaultdict(list)
    for slug, _, _, error in errors:
        by_client[slug].append(error)
    return {
        "days_generated": days,
        "months": sorted({(slug, m.isoformat()[:7]) for slug, m, _, _ in errors}),
        "forecasts": len(errors),
        "mape_percent": mape([e for *_, e in errors]),
        "mape_percent_by_day_of_month": {
            label: mape([e for _, _, d, e in errors if lo <= d <= hi]) for lo, hi, label in BUCKETS
        },
        "mape_percent_by_client": {slug: mape(items) for slug, items in by_client.items()},
        "worst_percent": round(float(max(e for *_, e in errors)) * 100, 2),
    }


def run() -> dict[str, Any]:
    days = int(os.environ.get("BENCH_PACING_DAYS", "240"))
    result = backtest(days, date.today() - timedelta(days=1))
    print(f"pacing forecast backtest: {result['forecasts']} forecasts over {len(result['months'])} client-months")
    print(f"  month-end spend MAPE {result['mape_percent']}% (worst {result['worst_percent']}%)")
    for label, value in result["mape_percent_by_day_of_month"].items():
        print(f"  forecast made on {label}: MAPE {value}%")
    for slug, value in result["mape_percent_by_client"].items():
        print(f"  {slug}: MAPE {value}%")
    return result


if __name__ == "__main__":
    run()
