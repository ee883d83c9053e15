"""Weekly summaries for every client of the dashboard dataset (SPEC §10: under 3 s for 20).

Measured: `run_weekly` for all clients of the big dataset (20 x 730 days x 300 creative rows
a day), exactly as the Monday schedule runs it (as dash_worker, one transaction per client,
insights included, digest composed and handed to a no-op sender). Reference, in the same
run: the bare SQL that sums the same week per client (one query per client, like the
builder's first query), so the ratio shows what the summary work costs on top of reading
the week.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from typing import Any

import psycopg

from bench.common import dashboard_dataset, print_table, role_url, time_calls
from shared.db import QUERIES, Database
from shared.settings import Settings
from shared.summaries import run_monthly, run_weekly
from shared.summaries.periods import add_months

REPEAT = 5
TARGET_SECONDS = 3.0


class NullSender:
    """Receives the digest without sending it (the email is not what is measured)."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, *, sender: str, recipients: list[str], subject: str, text: str, html: str) -> None:
        self.sent += 1


def run() -> dict[str, Any]:
    dataset = dashboard_dataset()
    # The last full Monday-Sunday week of the data.
    last = dataset.last_day
    week_start = last - timedelta(days=last.weekday()) - timedelta(days=0 if last.weekday() == 6 else 7)
    week_end = week_start + timedelta(days=6)
    settings = Settings.model_validate(
        {
            "database_url": dataset.url,
            "db_user": "dash_worker",
            "alert_sender": "bench@example.com",
            "alert_recipients": "admin@example.com",
        }
    )
    db = Database.from_settings(settings)
    sender = NullSender()

    def weekly() -> None:
        summaries = run_weekly(db, settings=settings, week_start=week_start, sender=sender)
        assert len(summaries) == len(dataset.client_ids)

    # For information (no target): the last full month, same clients.
    month_start = add_months((last + timedelta(days=1)).replace(day=1), -1)

    def monthly() -> None:
        run_monthly(db, settings=settings, month_start=month_start)

    with psycopg.connect(role_url(dataset.url, "dash_worker"), autocommit=True) as conn:
        conn.execute("SELECT set_config('app.all_clients', 'on', false)")

        def reference() -> None:
            for client_id in dataset.client_ids:
                conn.execute(
                    QUERIES["summary_period_totals"],
                    {"client_id": client_id, "date_from": week_start, "date_to": week_end},
                ).fetchone()

        reference_samples = time_calls(reference, repeat=REPEAT, warmup=1)
        started = time.perf_counter()
        run_samples = time_calls(weekly, repeat=REPEAT, warmup=1)
        total = time.perf_counter() - started
        monthly_samples = time_calls(monthly, repeat=3, warmup=1)

    db.close()
    weekly_s = statistics.median(run_samples)
    reference_s = statistics.median(reference_samples)
    result = {
        "clients": len(dataset.client_ids),
        "rows": dataset.rows,
        "week_start": week_start.isoformat(),
        "weekly_run_s_median": round(weekly_s, 3),
        "weekly_run_s_max": round(max(run_samples), 3),
        "reference_sql_totals_s_median": round(reference_s, 4),
        "ratio": round(weekly_s / reference_s, 1) if reference_s else None,
        "per_client_ms": round(weekly_s / len(dataset.client_ids) * 1000, 1),
        "target_s": TARGET_SECONDS,
        "meets_target": weekly_s < TARGET_SECONDS,
        "monthly_run_s_median": round(statistics.median(monthly_samples), 3),
        "digests_composed": sender.sent,
        "measured_s": round(total, 1),
    }
    print_table("weekly summaries, all clients (median of 5 runs)", [result])
    return result
