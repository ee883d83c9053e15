"""Many at once (issue 17): clients' files loading in parallel while dashboard users read.

On a local stack (an embedded PostgreSQL and an emulated S3 — a moto server in its own
process on 127.0.0.1; nothing leaves loopback): one partner file per client, loaded through
`ingest_object` exactly as the ingest Lambda runs it (S3 read to commit, as dash_worker, one
connection per loader), while simulated dashboard users (one connection each, as dash_api,
tenant-scoped) read overviews and drill-downs (campaigns, then the strategies of one
campaign) through the dashboard service, each request a fresh transaction.

The same work is done twice in the same run, on the same database: serially (the files one
after another, then the reads one after another) and at once (LOADERS files in parallel —
the prod ingest function's reserved concurrency — with USERS readers). Both phases restate
every day of every file (a new version of each file), so they are the same work. Reported:
load throughput (rows/s, wall time of all loads), read p50/p95 and errors, for each phase.

Nothing may be lost or doubled: at the end, every client's stored totals equal its last
file's, every file has exactly one successful run per phase, and the campaign rollup equals
daily_metrics.

Settings (smoke: BENCH_CONC_CLIENTS=4 BENCH_CONC_DAYS=3 BENCH_CONC_CREATIVES=40
BENCH_CONC_USERS=5 BENCH_CONC_REQUESTS=4): BENCH_CONC_CLIENTS (20), BENCH_CONC_DAYS (14),
BENCH_CONC_CREATIVES per client (300), BENCH_CONC_LOADERS (5), BENCH_CONC_USERS (50),
BENCH_CONC_REQUESTS per user (12).
"""

from __future__ import annotations

import csv
import os
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from bench.common import fresh_database, percentile, print_table, role_url
from bench.ingestion import BUCKET, COLUMNS, _start_moto

CLIENTS = int(os.environ.get("BENCH_CONC_CLIENTS", "20"))
DAYS = int(os.environ.get("BENCH_CONC_DAYS", "14"))
CREATIVES = int(os.environ.get("BENCH_CONC_CREATIVES", "300"))
LOADERS = int(os.environ.get("BENCH_CONC_LOADERS", "5"))
USERS = int(os.environ.get("BENCH_CONC_USERS", "50"))
REQUESTS = int(os.environ.get("BENCH_CONC_REQUESTS", "12"))

# Every (client) whose stored totals differ from the expected ones, and the rollup check.
_TOTALS = """
SELECT c.slug, count(d.*)::bigint AS rows, coalesce(sum(d.impressions), 0)::bigint AS impressions,
       coalesce(sum(d.clicks), 0)::bigint AS clicks
FROM clients c LEFT JOIN daily_metrics d ON d.client_id = c.id
GROUP BY c.slug
"""
_ROLLUP_MISMATCHES = """
SELECT count(*) FROM (
    SELECT client_id, date, campaign_id, count(*)::integer AS n, sum(impressions) AS imps, sum(spend) AS spend
    FROM daily_metrics GROUP BY 1, 2, 3
) b FULL JOIN daily_campaign_metrics r USING (client_id, date, campaign_id)
WHERE b.n IS DISTINCT FROM r.row_count OR b.imps IS DISTINCT FROM r.impressions
   OR b.spend IS DISTINCT FROM CASE WHEN r.priced_rows > 0 THEN r.spend END
"""


def write_client_file(path: Path, *, client: int, first: date, version: int) -> dict[str, int]:
    """One client's file of DAYS x CREATIVES rows; `version` shifts the numbers, so each
    version restates every day. Returns the totals it carries."""
    totals = {"rows": 0, "impressions": 0, "clicks": 0}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for d in range(DAYS):
            day = (first + timedelta(days=d)).isoformat()
            for k in range(CREATIVES):
                seed = (client * 7919 + d * 104729 + k * 1299709 + version * 15485863) % 1_000_003
                imps = 500 + seed % 40_000
                clicks = imps * (2 + seed % 9) // 1000
                conv = clicks * (3 + seed % 10) // 100
                writer.writerow(
                    [
                        day,
                        f"Bench Advertiser {client:02d}",
                        f"Campaign {k % 5}",
                        f"Strategy {k % 5}-{k % 3}",
                        f"Placement {k % 5}-{k % 3}-{k % 4}",
                        f"Creative {k}",
                        str(imps),
                        str(clicks),
                        f"{clicks / imps:.6f}",
                        str(conv),
                        f"{conv * 37.5:.2f}",
                    ]
                )
                totals["rows"] += 1
                totals["impressions"] += imps
                totals["clicks"] += clicks
    return totals


@dataclass
class Phase:
    """What one phase measured."""

    load_seconds: list[float] = field(default_factory=list)
    load_wall: float = 0.0
    read_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def summary(self, name: str, rows: int) -> dict[str, Any]:
        reads = self.read_seconds
        return {
            "phase": name,
            "files": len(self.load_seconds),
            "rows": rows,
            "load_wall_s": round(self.load_wall, 2),
            "rows_per_s": round(rows / self.load_wall) if self.load_wall else 0,
            "load_p50_s": round(statistics.median(self.load_seconds), 2) if self.load_seconds else None,
            "reads": len(reads),
            "read_p50_ms": round(statistics.median(reads) * 1000, 1) if reads else None,
            "read_p95_ms": round(percentile(reads, 95) * 1000, 1) if reads else None,
            "errors": len(self.errors),
        }


class Stack:
    """The database, the emulated S3 and the settings both phases use."""

    def __init__(self, url: str, endpoint: str) -> None:
        import boto3

        from shared.settings import Settings

        self.url = url
        self.settings = Settings.model_validate(
            {
                "database_url": role_url(url, "dash_worker"),
                "db_user": "dash_worker",
                "landing_bucket": BUCKET,
                "alert_sender": "bench@example.com",
                "alert_recipients": "admin@example.com",
                "db_statement_timeout_ms": 600_000,
            }
        )
        self.s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",  # noqa: S106 - the emulator's dummy credentials
        )

    def load(self, key: str, phase: Phase) -> None:
        from shared.aws.s3 import S3ObjectStore
        from shared.db import Database
        from shared.ingestion.service import ingest_object

        class NullSender:
            def send(self, **kwargs: Any) -> None:
                return None

        db = Database(role_url(self.url, "dash_worker"))
        try:
            started = time.perf_counter()
            result = ingest_object(
                BUCKET, key, settings=self.settings, db=db, store=S3ObjectStore(self.s3), sender=NullSender()
            )
            seconds = time.perf_counter() - started
            with phase.lock:
                phase.load_seconds.append(seconds)
                phase.statuses.append(result.status)
                if result.status != "success":
                    phase.errors.append(f"load {key}: {result.status} {result.message}")
        except Exception as exc:  # noqa: BLE001 - counted, reported
            with phase.lock:
                phase.errors.append(f"load {key}: {exc!r}")
        finally:
            db.close()

    def read(self, client_ids: list[UUID], user: int, requests: int, window: tuple[date, date], phase: Phase) -> None:
        """One dashboard user: overview, campaigns, strategies of a campaign, in turn."""
        from shared.dashboard import service
        from shared.dashboard.params import DateRange, Level, Page, Sort
        from shared.db import Database

        db = Database(role_url(self.url, "dash_api"))
        span = DateRange(*window)
        try:
            for n in range(requests):
                client_id = client_ids[(user + n) % len(client_ids)]
                started = time.perf_counter()
                try:
                    if n % 3 == 0:
                        service.overview(db, client_id=client_id, date_range=span)
                    else:
                        campaigns = service.breakdown(
                            db,
                            client_id=client_id,
                            level=Level.CAMPAIGN,
                            date_range=span,
                            filters={},
                            sort=Sort(),
                            page=Page(),
                        )
                        if n % 3 == 2 and campaigns["items"]:
                            service.breakdown(
                                db,
                                client_id=client_id,
                                level=Level.STRATEGY,
                                date_range=span,
                                filters={"campaign_id": UUID(campaigns["items"][0]["id"])},
                                sort=Sort(),
                                page=Page(),
                            )
                except Exception as exc:  # noqa: BLE001 - counted, reported
                    with phase.lock:
                        phase.errors.append(f"read user {user}: {exc!r}")
                    continue
                with phase.lock:
                    phase.read_seconds.append(time.perf_counter() - started)
        finally:
            db.close()


def _arrange(url: str, first: date) -> list[UUID]:
    ids = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT set_config('app.all_clients', 'on', false)")
        for c in range(CLIENTS):
            row = conn.execute(
                "INSERT INTO clients (name, slug) VALUES (%s, %s) RETURNING id",
                (f"Bench Client {c:02d}", f"bench-{c:02d}"),
            ).fetchone()
            assert row is not None
            ids.append(row[0])
            conn.execute(
                "INSERT INTO client_advertisers (client_id, name) VALUES (%s, %s)",
                (row[0], f"Bench Advertiser {c:02d}"),
            )
            conn.execute(
                "INSERT INTO client_settings (client_id, cpm, effective_date) VALUES (%s, 4.2500, %s)", (row[0], first)
            )
    return ids


def _upload_version(stack: Stack, tmp: Path, first: date, version: int) -> tuple[list[str], dict[str, dict[str, int]]]:
    keys, expected = [], {}
    for c in range(CLIENTS):
        path = tmp / f"client_{c:02d}_v{version}.csv"
        expected[f"bench-{c:02d}"] = write_client_file(path, client=c, first=first, version=version)
        key = f"partner/bench_client_{c:02d}_v{version}.csv"
        stack.s3.upload_file(str(path), BUCKET, key)
        keys.append(key)
    return keys, expected


def _check(url: str, expected: dict[str, dict[str, int]]) -> dict[str, Any]:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT set_config('app.all_clients', 'on', false)")
        stored = {row[0]: {"rows": row[1], "impressions": row[2], "clicks": row[3]} for row in conn.execute(_TOTALS)}
        mismatched = [slug for slug, totals in expected.items() if stored.get(slug) != totals]
        rollup = conn.execute(_ROLLUP_MISMATCHES).fetchone()
        runs = conn.execute("SELECT status, count(*) FROM ingestion_logs GROUP BY status ORDER BY status").fetchall()
    return {
        "clients_with_wrong_totals": mismatched,
        "rollup_mismatches": int(rollup[0]) if rollup else -1,
        "runs_by_status": {status: n for status, n in runs},
    }


def run() -> dict[str, Any]:
    server, endpoint = _start_moto()
    try:
        url = fresh_database("dash_bench_concurrency")
        last = date.today() - timedelta(days=1)
        first = last - timedelta(days=DAYS - 1)
        client_ids = _arrange(url, first)
        stack = Stack(url, endpoint)
        stack.s3.create_bucket(Bucket=BUCKET)
        rows = CLIENTS * DAYS * CREATIVES
        print(
            f"  {CLIENTS} clients x {DAYS} days x {CREATIVES} creatives = {rows:,} rows per round;"
            f" {LOADERS} loaders, {USERS} users x {REQUESTS} requests",
            flush=True,
        )
        phases: dict[str, Phase] = {"serial": Phase(), "parallel": Phase()}
        with tempfile.TemporaryDirectory(prefix="dash-bench-conc-") as tmp:
            initial, _ = _upload_version(stack, Path(tmp), first, version=1)
            for key in initial:  # the stored history both phases restate (not measured)
                stack.load(key, Phase())
            serial_keys, _ = _upload_version(stack, Path(tmp), first, version=2)
            parallel_keys, expected = _upload_version(stack, Path(tmp), first, version=3)

            serial = phases["serial"]
            started = time.perf_counter()
            for key in serial_keys:
                stack.load(key, serial)
            serial.load_wall = time.perf_counter() - started
            for user in range(USERS):
                stack.read(client_ids, user, REQUESTS, (first, last), serial)
            print(f"  serial: {serial.summary('serial', rows)}", flush=True)

            parallel = phases["parallel"]
            with ThreadPoolExecutor(max_workers=USERS, thread_name_prefix="reader") as readers:
                reads = [
                    readers.submit(stack.read, client_ids, user, REQUESTS, (first, last), parallel)
                    for user in range(USERS)
                ]
                started = time.perf_counter()
                with ThreadPoolExecutor(max_workers=LOADERS, thread_name_prefix="loader") as loaders:
                    list(loaders.map(lambda key: stack.load(key, parallel), parallel_keys))
                parallel.load_wall = time.perf_counter() - started
                for future in reads:
                    future.result()
            print(f"  parallel: {parallel.summary('parallel', rows)}", flush=True)
        checks = _check(url, expected)
    finally:
        server.terminate()
        server.wait()
    table = [phase.summary(name, rows) for name, phase in phases.items()]
    print_table("concurrency: loads in parallel with dashboard reads, vs the same work serially", table)
    errors = [e for phase in phases.values() for e in phase.errors]
    for error in errors[:10]:
        print(f"  error: {error}")
    success_runs = checks["runs_by_status"].get("success", 0)
    checks["exact"] = (
        not checks["clients_with_wrong_totals"]
        and checks["rollup_mismatches"] == 0
        and success_runs == 3 * CLIENTS
        and set(checks["runs_by_status"]) == {"success"}
    )
    checks["errors"] = len(errors)
    checks["ok"] = checks["exact"] and not errors
    print(f"  checks: {checks}")
    serial_summary, parallel_summary = table
    return {
        "settings": {
            "clients": CLIENTS,
            "days": DAYS,
            "creatives": CREATIVES,
            "loaders": LOADERS,
            "users": USERS,
            "requests_per_user": REQUESTS,
        },
        "serial": serial_summary,
        "parallel": parallel_summary,
        "throughput_ratio": round(parallel_summary["rows_per_s"] / serial_summary["rows_per_s"], 2)
        if serial_summary["rows_per_s"]
        else None,
        "checks": checks,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2, default=str))
