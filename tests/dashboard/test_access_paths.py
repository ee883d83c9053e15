"""The dashboard's queries are index-only scans of a covering (client_id, date, ...) index:
the per-campaign rollup's for the overview and campaign level, idx_metrics_client_date for
the finer levels.

Plans on a tiny table prefer sequential scans, so those are disabled here: what is checked
is that the index holds every column each query reads (else the plan needs the heap).
"""

from __future__ import annotations

from psycopg import sql

from shared.dashboard.params import Sort
from shared.db import QUERIES
from tests.dashboard.data import FIRST_DAY, day

ROLLUP = "Index Only Scan using daily_campaign_metrics_pkey on daily_campaign_metrics"
METRICS = "Index Only Scan using idx_metrics_client_date on daily_metrics"
DASHBOARD_SCANS = {
    "dashboard_daily_totals": ROLLUP,
    "dashboard_timeseries": METRICS,
    "dashboard_campaigns": ROLLUP,
    "dashboard_strategies": METRICS,
    "dashboard_placements": METRICS,
    "dashboard_creatives": METRICS,
}


def test_dashboard_queries_are_index_only_scans(owner_conn, acme):
    # This test's own database: on a tiny table the planner may prefer any narrower index
    # (even skip-scanning another one), so only the primary key and ours are left.
    for row in owner_conn.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'daily_metrics'"
        " AND indexname NOT IN ('daily_metrics_pkey', 'idx_metrics_client_date')"
    ).fetchall():
        owner_conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(row["indexname"])))
    owner_conn.execute("VACUUM ANALYZE daily_metrics, daily_campaign_metrics")  # sets the visibility map
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
    for query, scan in DASHBOARD_SCANS.items():
        text = QUERIES[query]
        if "{sort}" in text.as_string():
            text = text.format(**Sort().order_by())
        explain = sql.SQL("EXPLAIN (COSTS OFF) ") + text
        plan = "\n".join(row["QUERY PLAN"] for row in owner_conn.execute(explain, params))
        assert scan in plan, (query, plan)
