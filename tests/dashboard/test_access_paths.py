"""The dashboard's queries are index-only scans of the covering (client_id, date) index.

Plans on a tiny table prefer sequential scans, so those are disabled here: what is checked
is that the index holds every column each query reads (else the plan needs the heap).
"""

from __future__ import annotations

from psycopg import sql

from shared.dashboard.params import Sort
from shared.db import QUERIES
from tests.dashboard.data import FIRST_DAY, day

DASHBOARD_SCANS = (
    "dashboard_daily_totals",
    "dashboard_timeseries",
    "dashboard_campaigns",
    "dashboard_strategies",
    "dashboard_placements",
    "dashboard_creatives",
)


def test_dashboard_queries_are_index_only_scans(owner_conn, acme):
    # This test's own database: on a tiny table the planner may prefer any narrower index
    # (even skip-scanning another one), so only the primary key and ours are left.
    for row in owner_conn.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'daily_metrics'"
        " AND indexname NOT IN ('daily_metrics_pkey', 'idx_metrics_client_date')"
    ).fetchall():
        owner_conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(row["indexname"])))
    owner_conn.execute("VACUUM ANALYZE daily_metrics")  # sets the visibility map
    owner_conn.execute("SET enable_seqscan = off")
    owner_conn.execute("SET enable_bitmapscan = off")
    params = {
        "client_id": acme.id,
        "date_from": FIRST_DAY,
        "date_to": day(13),
        "granularity": "week",
        "campaign_id": None,
        "strategy_id": None,
        "placement_id": None,
        "creative_id": None,
        "limit": 50,
        "offset": 0,
    }
    for query in DASHBOARD_SCANS:
        text = QUERIES[query]
        if "{sort}" in text.as_string():
            text = text.format(**Sort().order_by())
        explain = sql.SQL("EXPLAIN (COSTS OFF) ") + text
        plan = "\n".join(row["QUERY PLAN"] for row in owner_conn.execute(explain, params))
        assert "Index Only Scan using idx_metrics_client_date on daily_metrics" in plan, (query, plan)
