"""The shared SQL rules: the CPM in force on a date, and queuing summaries for refresh."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest


@pytest.fixture
def client_id(owner_conn):
    client = owner_conn.execute("INSERT INTO clients (name, slug) VALUES ('Acme', 'acme') RETURNING id").fetchone()
    for cpm, effective in (("4.0000", "2026-01-01"), ("5.5000", "2026-02-15")):
        owner_conn.execute(
            "INSERT INTO client_settings (client_id, cpm, effective_date) VALUES (%s, %s, %s)",
            (client["id"], cpm, effective),
        )
    return client["id"]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2025, 12, 31), None),
        (date(2026, 1, 1), Decimal("4.0000")),
        (date(2026, 2, 14), Decimal("4.0000")),
        (date(2026, 2, 15), Decimal("5.5000")),
        (date(2027, 1, 1), Decimal("5.5000")),
    ],
)
def test_rate_in_force_applies_from_its_effective_date_until_the_next(owner_conn, client_id, on, expected):
    row = owner_conn.execute("SELECT cpm FROM app.rate_in_force(%s, %s)", (client_id, on)).fetchone()
    assert (row["cpm"] if row else None) == expected


def test_enqueue_summary_refresh_queues_only_existing_overlapping_summaries(owner_conn, client_id):
    # given summaries for two weeks and one month
    for week in ("2026-02-02", "2026-02-09"):
        owner_conn.execute(
            "INSERT INTO weekly_summaries (client_id, week_start, week_end) VALUES (%s, %s, %s::date + 6)",
            (client_id, week, week),
        )
    owner_conn.execute(
        "INSERT INTO monthly_summaries (client_id, month_start, month_end) VALUES (%s, '2026-02-01', '2026-02-28')",
        (client_id,),
    )
    # when a restatement touches 2026-02-10 .. 2026-02-11
    queued = owner_conn.execute(
        "SELECT app.enqueue_summary_refresh(%s, '2026-02-10', '2026-02-11') AS n", (client_id,)
    ).fetchone()["n"]
    # then the week of 02-09 and February are queued, not the week of 02-02
    rows = owner_conn.execute("SELECT kind, period_start FROM summary_refresh_queue ORDER BY kind").fetchall()
    assert queued == 2
    assert rows == [
        {"kind": "monthly", "period_start": date(2026, 2, 1)},
        {"kind": "weekly", "period_start": date(2026, 2, 9)},
    ]
