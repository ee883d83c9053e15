"""Ingestion end to end (SPEC §10: 100k rows <= 10x a raw COPY; 1M rows under 300 MB RSS).

For each size a realistic partner file is generated (5-10 clients, a month or more of days,
hundreds of creatives per client, advertiser names, US-style grouped numbers on some rows)
and uploaded to an emulated S3 (a moto server in its own process, so the object does not
count towards the loader's memory). Then, in a fresh child process per size:
`ingest_object` from the S3 read to the commit, as dash_worker, exactly as the Lambda runs
it. The child's peak RSS comes from `os.wait4`.

Reference, measured in the same run: a raw `COPY ... FROM STDIN (FORMAT csv)` of the same
file into an unindexed table with the same columns (owner role, no validation, no
dimensions, no pricing), the best of three. Beside it: the load's own SQL statements after
staging (`StatementClock`), and a bare INSERT of the loaded rows into `daily_metrics`.

BENCH_QUICK=1 shrinks the sizes for a smoke run; BENCH_INGEST_SIZES=100000,1000000
overrides them.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg

from bench.common import fresh_database, print_table, role_url

BUCKET = "bench-landing"
TARGET_RATIO = 10.0
TARGET_RSS_MB = 300.0
COLUMNS = [
    "Date",
    "Advertiser",
    "Campaign",
    "Strategy",
    "Placement",
    "Creative",
    "Impressions",
    "Clicks",
    "CTR",
    "Conversions",
    "Conversion Revenue",
]
_RAW_TABLE = """
CREATE TABLE bench_raw_copy (
    date text, advertiser text, campaign text, strategy text, placement text, creative text,
    impressions text, clicks text, ctr text, conversions text, conversion_revenue text
)
"""


def _sizes() -> list[int]:
    if os.environ.get("BENCH_INGEST_SIZES"):
        return [int(s) for s in os.environ["BENCH_INGEST_SIZES"].split(",")]
    return [10_000, 50_000] if os.environ.get("BENCH_QUICK") else [100_000, 1_000_000]


def _shape(rows: int) -> tuple[int, int, int]:
    """(clients, days, creatives per client) with clients x days x creatives == rows."""
    clients = 5 if rows <= 200_000 else 10
    days = 20 if rows <= 200_000 else 50
    return clients, days, rows // (clients * days)


def generate_file(path: Path, rows: int) -> dict[str, Any]:
    """Write a partner file of exactly `rows` data rows; return its clients and date range."""
    clients, days, creatives = _shape(rows)
    last = date.today() - timedelta(days=1)
    first = last - timedelta(days=days - 1)
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for c in range(clients):
            advertiser = f"Bench Advertiser {c:02d}"
            for d in range(days):
                day = (first + timedelta(days=d)).isoformat()
                for k in range(creatives):
                    seed = (c * 7919 + d * 104729 + k * 1299709) % 1_000_003
                    imps = 500 + seed % 40_000
                    clicks = imps * (2 + seed % 9) // 1000
                    conv = clicks * (3 + seed % 10) // 100
                    revenue = f"{conv * 37.5 + (seed % 100) / 100:.2f}"
                    writer.writerow(
                        [
                            day,
                            advertiser,
                            f"Campaign {k % 7}",
                            f"Strategy {k % 7}-{k % 3}",
                            f"Placement {k % 7}-{k % 3}-{k % 4}",
                            f"Creative {k}",
                            f"{imps:,}" if seed % 5 == 0 else str(imps),  # some grouped numbers
                            str(clicks),
                            f"{clicks / imps:.6f}",
                            str(conv),
                            f"${revenue}" if seed % 3 == 0 else revenue,
                        ]
                    )
                    written += 1
    assert written == clients * days * creatives == rows, (written, rows)
    return {"clients": clients, "first": first, "last": last}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server, endpoint


def _arrange_clients(url: str, clients: int, first: date, last: date) -> None:
    change = first + (last - first) / 2
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT set_config('app.all_clients', 'on', false)")
        for c in range(clients):
            row = conn.execute(
                "INSERT INTO clients (name, slug) VALUES (%s, %s) RETURNING id",
                (f"Bench Client {c:02d}", f"bench-{c:02d}"),
            ).fetchone()
            assert row is not None
            conn.execute(
                "INSERT INTO client_advertisers (client_id, name) VALUES (%s, %s)",
                (row[0], f"Bench Advertiser {c:02d}"),
            )
            conn.execute(
                "INSERT INTO client_settings (client_id, cpm, effective_date) VALUES (%s, 4.2500, %s), (%s, 5.1000, %s)",
                (row[0], first, row[0], change),
            )


RAW_COPY_RUNS = 3


def _raw_copy_seconds(url: str, path: Path) -> float:
    """The best of RAW_COPY_RUNS raw COPYs of the file, each into a new table: one COPY of
    ~0.1 s moved by ±50% with the machine's load, which made the ratio swing with it."""
    runs = []
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(RAW_COPY_RUNS):
            conn.execute("DROP TABLE IF EXISTS bench_raw_copy")
            conn.execute(_RAW_TABLE)
            started = time.perf_counter()
            with (
                conn.transaction(),
                conn.cursor() as cur,
                cur.copy("COPY bench_raw_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
                path.open("rb") as handle,
            ):
                while chunk := handle.read(1 << 16):
                    copy.write(chunk)
            runs.append(time.perf_counter() - started)
            conn.execute("DROP TABLE bench_raw_copy")
    return min(runs)


_FLOOR_COLUMNS = (
    "client_id, date, campaign_id, strategy_id, placement_id, creative_id, impressions, clicks, "
    "conversions, conversion_revenue, client_setting_id, cpm, spend, ingestion_run_id"
)


def _bare_insert_seconds(url: str) -> float:
    """The loaded rows inserted again with one plain INSERT ... SELECT: the cost of the
    daily_metrics table itself (7 indexes, 7 foreign keys, generated columns, RLS check)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT set_config('app.all_clients', 'on', false)")
        conn.execute(f"CREATE TEMP TABLE bench_floor AS SELECT {_FLOOR_COLUMNS} FROM daily_metrics")
        conn.execute("DELETE FROM daily_metrics")
        conn.execute("VACUUM daily_metrics")
        started = time.perf_counter()
        conn.execute(f"INSERT INTO daily_metrics ({_FLOOR_COLUMNS}) SELECT {_FLOOR_COLUMNS} FROM bench_floor")
        return time.perf_counter() - started


def _run_child(url: str, endpoint: str, key: str) -> dict[str, Any]:
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - the emulator's dummy credentials
        AWS_DEFAULT_REGION="us-east-1",
        POWERTOOLS_TRACE_DISABLED="true",
        POWERTOOLS_LOG_LEVEL="WARNING",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.ingestion", "--child", url, endpoint, key],
        stdout=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"ingestion child failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(output.decode().strip().splitlines()[-1])
    # ru_maxrss of a vfork+exec child also counts the parent's peak: an upper bound only.
    result["ru_maxrss_mb"] = round(usage.ru_maxrss / 1024, 1)  # Linux: kilobytes
    return result


def _vm_hwm_mb() -> float:
    """This process's peak resident set (VmHWM): unlike ru_maxrss after a vfork+exec, it
    does not include the parent's memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


class StatementClock:
    """Wall time of every statement the load runs through a cursor, by query name: what the
    database itself spends on a load once the rows are staged (the staging COPY streams with
    the parse and is not counted). A bench-only wrapper of `psycopg.Cursor.execute`."""

    def __init__(self) -> None:
        from shared.db import QUERIES

        self.names = {id(QUERIES[name]): name for name in QUERIES}
        self.seconds: dict[str, float] = {}

    def install(self) -> None:
        execute = psycopg.Cursor.execute
        clock = self

        def timed(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return execute(cursor, query, *args, **kwargs)
            finally:
                name = clock.names.get(id(query), "other")
                clock.seconds[name] = clock.seconds.get(name, 0.0) + time.perf_counter() - started

        psycopg.Cursor.execute = timed  # type: ignore[method-assign,assignment]

    def summary(self, top: int = 4) -> dict[str, Any]:
        ranked = sorted(self.seconds.items(), key=lambda item: -item[1])
        return {
            "total_s": sum(self.seconds.values()),
            "top_ms": {name: round(seconds * 1000) for name, seconds in ranked[:top]},
        }


def child(url: str, endpoint: str, key: str) -> None:
    """One ingestion in this fresh process; prints a JSON line with the timing."""
    import boto3

    from shared.aws.s3 import S3ObjectStore
    from shared.db import Database
    from shared.ingestion.service import ingest_object
    from shared.settings import Settings

    class NullSender:
        def send(self, **kwargs: Any) -> None:
            return None

    settings = Settings.model_validate(
        {
            "database_url": url,
            "db_user": "dash_worker",
            "landing_bucket": BUCKET,
            "alert_sender": "bench@example.com",
            "alert_recipients": "admin@example.com",
            "db_statement_timeout_ms": 600_000,
        }
    )
    store = S3ObjectStore(boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1"))
    db = Database.from_settings(settings)
    db.connection()  # connect before timing: a warm Lambda reuses its connection
    statements = StatementClock()
    statements.install()
    baseline_mb = _vm_hwm_mb()
    started = time.perf_counter()
    result = ingest_object(BUCKET, key, settings=settings, db=db, store=store, sender=NullSender())
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "status": result.status,
                "records_loaded": result.records_loaded,
                "baseline_rss_mb": baseline_mb,
                "peak_rss_mb": _vm_hwm_mb(),
                "message": result.message,
                "timings": result.timings,
                "statements": statements.summary(),
            }
        )
    )


def run() -> dict[str, Any]:
    import boto3

    server, endpoint = _start_moto()
    results: dict[str, Any] = {}
    rows_out = []
    try:
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",  # noqa: S106 - the emulator's dummy credentials
        )
        s3.create_bucket(Bucket=BUCKET)
        with tempfile.TemporaryDirectory(prefix="dash-bench-ingest-") as tmp:
            for rows in _sizes():
                path = Path(tmp) / f"partner_{rows}.csv"
                started = time.perf_counter()
                shape = generate_file(path, rows)
                print(
                    f"  generated {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f}s",
                    flush=True,
                )
                key = f"partner/bench_{rows}.csv"
                s3.upload_file(str(path), BUCKET, key)
                url = fresh_database(f"dash_bench_ingest_{rows}")
                _arrange_clients(url, shape["clients"], shape["first"], shape["last"])
                copy_seconds = _raw_copy_seconds(url, path)
                measured = _run_child(role_url(url, "dash_worker"), endpoint, key)
                if measured["status"] != "success" or measured["records_loaded"] != rows:
                    raise RuntimeError(f"ingestion of {rows} rows did not succeed: {measured}")
                ratio = measured["seconds"] / copy_seconds
                bare_seconds = _bare_insert_seconds(url)
                entry = {
                    "rows": rows,
                    "file_mb": round(path.stat().st_size / 1e6, 1),
                    "ingest_s": round(measured["seconds"], 2),
                    "rows_per_s": round(rows / measured["seconds"]),
                    "raw_copy_s": round(copy_seconds, 2),
                    "ratio_to_copy": round(ratio, 2),
                    "bare_insert_s": round(bare_seconds, 2),
                    "bare_insert_ratio": round(bare_seconds / copy_seconds, 2),
                    "phases_s": measured["timings"],
                    # The database's statements after the staging COPY, on their own: a
                    # floor for any design that keeps this schema and these statements.
                    "statements_s": round(measured["statements"]["total_s"], 2),
                    "statements_ratio": round(measured["statements"]["total_s"] / copy_seconds, 2),
                    "top_statements_ms": measured["statements"]["top_ms"],
                    "peak_rss_mb": measured["peak_rss_mb"],
                    "baseline_rss_mb": measured["baseline_rss_mb"],
                    "ru_maxrss_mb": measured["ru_maxrss_mb"],
                }
                results[str(rows)] = entry
                rows_out.append(entry)
                print(f"  {rows:,} rows: {entry}", flush=True)
    finally:
        server.terminate()
        server.wait()
    print_table("ingestion: S3 read -> commit, vs raw COPY of the same rows", rows_out)
    checks = {}
    if "100000" in results:
        checks["100k_ratio_ok"] = results["100000"]["ratio_to_copy"] <= TARGET_RATIO
    if "1000000" in results:
        checks["1m_rss_ok"] = results["1000000"]["peak_rss_mb"] < TARGET_RSS_MB
    results["targets"] = {"ratio_to_copy_max": TARGET_RATIO, "peak_rss_mb_max": TARGET_RSS_MB, **checks}
    print(f"  targets: {results['targets']}")
    return results


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
        print(json.dumps(run(), indent=2, default=str))
