"""The agency overview: every client's KPIs for a period and its health, in one read.

One statement (`admin_agency_overview`) returns every client with its summed KPIs and its
health figures; ratios are derived here from the sums (`Aggregate`), never averaged.
Each client also gets `problems`: what is wrong, in the order the portal shows them, each
with the place that fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from shared.admin.margin import Margin
from shared.dashboard.params import DateRange
from shared.db import QUERIES, Database, Tenant
from shared.errors import InvalidInput
from shared.metrics import Aggregate
from shared.numbers import human, money, ratio

FAILED_RUNS_WINDOW = timedelta(days=7)
MISSING_DATES_SHOWN = 31
FAILED_RUNS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class OverviewPeriod:
    """The period of the KPIs and the day up to which data is expected (yesterday)."""

    date_range: DateRange
    expected_to: date  # min(to, yesterday in the reporting timezone)


def period_for(date_range: DateRange, *, today: date) -> OverviewPeriod:
    """Data for a day is expected from the day after it; today is never "missing"."""
    return OverviewPeriod(date_range, min(date_range.end, today - timedelta(days=1)))


def agency_overview(db: Database, *, period: OverviewPeriod, now: datetime, max_days: int) -> dict[str, Any]:
    """Every client (problems first) with KPIs for the period and health; plus the agency's
    unresolved failed runs of the last 7 days (attributed to a client or not)."""
    if period.date_range.days > max_days:
        raise InvalidInput(f"from and to may span at most {max_days} days")
    failed_since = now - FAILED_RUNS_WINDOW
    params = {
        "from": period.date_range.start,
        "to": period.date_range.end,
        "expected_to": period.expected_to,
        "failed_since": failed_since,
        "missing_dates_shown": MISSING_DATES_SHOWN,
        "limit": FAILED_RUNS_SHOWN,
    }
    with db.transaction(tenant=Tenant.every_client()) as conn:
        rows = conn.execute(QUERIES["admin_agency_overview"], params).fetchall()
        failed = conn.execute(QUERIES["admin_agency_failed_runs"], params).fetchall()
        margins = {
            row["client_id"]: Margin.from_row(row)
            for row in conn.execute(QUERIES["ledger_margin_by_client"], {**params, "client_id": None})
        }
    clients = [_client(row) for row in rows]
    for client in clients:
        margin = margins.get(client["id"], Margin())
        client["margin"] = {
            "cost": money(margin.cost),
            "margin": money(margin.margin),
            "margin_ratio": ratio(margin.margin_ratio),
        }
    return {
        "date_from": period.date_range.start,
        "date_to": period.date_range.end,
        "expected_to": period.expected_to,
        "failed_since": failed_since,
        "clients": clients,
        "failed_runs": failed,
        "totals": {
            "clients": len(clients),
            "clients_with_problems": sum(1 for c in clients if c["problems"]),
            "failed_runs": len(failed),
        },
    }


def _client(row: dict[str, Any]) -> dict[str, Any]:
    kpis = Aggregate.from_row(row)
    health = {
        "data_through": row["data_through"],
        "last_load": None
        if row["last_load_run_id"] is None
        else {
            "run_id": row["last_load_run_id"],
            "file_name": row["last_load_file_name"],
            "status": row["last_load_status"],
            "finished_at": row["last_load_at"],
        },
        "missing_days": row["missing_days"],
        "missing_dates": list(row["missing_dates"] or []),
        "unpriced_rows": row["unpriced_rows"],
        "unpriced_from": row["unpriced_from"],
        "unpriced_to": row["unpriced_to"],
        "failed_runs": row["failed_runs"],
        "last_failed_run_id": row["last_failed_run_id"],
    }
    return {
        "id": row["id"],
        "name": row["name"],
        "slug": row["slug"],
        "status": row["status"],
        "currency": row["currency"],
        "kpis": kpis,
        "health": health,
        "problems": problems_of(health),
    }


def problems_of(health: dict[str, Any]) -> list[dict[str, Any]]:
    """What is wrong with a client, most urgent first, each naming what fixes it:
    `ingestion` (the failed run), `uploads` (a missing file), `rate_card` (a CPM from a date)."""
    problems: list[dict[str, Any]] = []
    if health["failed_runs"]:
        problems.append(
            {
                "code": "failed_runs",
                "message": f"{human.count_of(health['failed_runs'], 'failed file')} in the last 7 days",
                "fix": "ingestion",
                "run_id": health["last_failed_run_id"],
            }
        )
    if health["missing_days"]:
        dates = health["missing_dates"]
        problems.append(
            {
                "code": "missing_days",
                "message": f"{human.count_of(health['missing_days'], 'day')} without data, latest {human.day(dates[0])}",
                "fix": "uploads",
                "day": dates[0],
            }
        )
    if health["unpriced_rows"]:
        problems.append(
            {
                "code": "unpriced_rows",
                "message": f"{human.count_of(health['unpriced_rows'], 'row')} without a CPM from {human.day(health['unpriced_from'])}",
                "fix": "rate_card",
                "day": health["unpriced_from"],
            }
        )
    return problems
