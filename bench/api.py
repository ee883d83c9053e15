"""API benchmark (SPEC section 10): warm p50/p95 of `overview` and `campaigns` through the
real handler, against the same SQL run alone, and the cold import time of the handler.

Measured in-process on the dashboard dataset (20 clients x 730 days x 300 creative rows a
day): `functions.api_clients.handler.lambda_handler` is called with an API Gateway proxy
event carrying a real access token of a client user (so every request pays JWT
verification, the session-state query, `client_scope`, the client lookup, the aggregate
query, Python shaping and JSON serialisation). Reference, in the same run: the aggregate
query the service runs (`dashboard_daily_totals` over the current + previous period;
`dashboard_campaigns` page 1), executed alone as dash_api in a tenant-scoped transaction on
a reused connection. The two are sampled alternately, call by call, so a load change on a
shared machine affects both alike. psycopg prepares that reference after 5 calls (generic
plans: no planning), which the handler's connection cannot do (no prepared statements
behind RDS Proxy); `sql_unprepared_p50_ms`, for information, is the same SQL planned on
every call as the handler's is.

Windows: the dashboard's default 30 days (the headline figure) and, for information, 90 and
365 days. Cold import: `import handler` of each API function in a fresh Python 3.12 (the runtime's)
whose path is only the function directory and the layer as `layers.build` builds it (for
this machine's CPU), with its .pyc, PYTHONDONTWRITEBYTECODE=1; wall and CPU time.
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import subprocess
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import dashboard_dataset, percentile, print_table, role_url, summary_ms, time_calls

ROOT = Path(__file__).resolve().parent.parent
REPEAT = int(os.environ.get("BENCH_API_REPEAT", "200"))
WINDOWS = (30, 90, 365)
HEADLINE_WINDOW = 30
TARGET_P95_MS = 50.0
TARGET_RATIO = 2.0
TARGET_IMPORT_MS = 400.0
IMPORT_RUNS = 7
PASSWORD = "bench password that is long enough"  # noqa: S105 - a throwaway benchmark user


def _event(path: str, token: str, query: dict[str, str]) -> dict[str, Any]:
    event = json.loads((ROOT / "events" / "api_gateway_proxy.json").read_text(encoding="utf-8"))
    headers = {**event["headers"], "Authorization": f"Bearer {token}"}
    event.update(
        httpMethod="GET",
        path=path,
        headers=headers,
        multiValueHeaders={k: [v] for k, v in headers.items()},
        queryStringParameters=query,
        multiValueQueryStringParameters={k: [v] for k, v in query.items()},
        pathParameters={"proxy": path.lstrip("/")},
    )
    event["requestContext"] = {**event["requestContext"], "httpMethod": "GET", "path": "/prod" + path}
    return event


class _Context:
    function_name = "api_clients"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:api_clients"
    aws_request_id = "bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


API_HANDLERS = ("api_clients", "api_admin", "api_auth")
_IMPORT_PROBE = """
import resource, sys, time
started, usage = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
import handler
wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime
print(wall * 1000, cpu * 1000, sys.version_info[0], sys.version_info[1])
"""


def _import_ms(*, path: list[Path], python: str) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of `import handler`, each in a fresh interpreter."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(p) for p in path),
        "POWERTOOLS_TRACE_DISABLED": "true",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",  # as the functions are configured (infra/functions.py)
        "PYTHONDONTWRITEBYTECODE": "1",  # like Lambda's read-only /opt: nothing is cached
    }
    walls, cpus = [], []
    for _ in range(IMPORT_RUNS):
        out = subprocess.run(
            [python, "-s", "-c", _IMPORT_PROBE], env=env, cwd="/", capture_output=True, text=True, check=True
        ).stdout.split()
        walls.append(float(out[0]))
        cpus.append(float(out[1]))
    return walls, cpus


def cold_import_ms() -> dict[str, Any]:
    """Import time (ms) of each API handler in fresh interpreters of the Lambda runtime's
    Python (3.12), as Lambda imports it: the function directory and the layer as
    `layers.build` builds it (for this machine's CPU, bytecode compiled by
    `layers.build.compile_bytecode`) on the path, nothing from the dev venv, no bytecode
    written. Wall time and the process's CPU time (user + system: on a shared machine the
    wall time also counts waiting for a core). Skipped, saying so, without a Python 3.12."""
    import platform
    import shutil
    import tempfile

    from layers.build import PYTHON_VERSION, build_layer, compile_bytecode, runtime_interpreter

    python = runtime_interpreter()
    if python is None:
        message = f"skipped: no Python {PYTHON_VERSION} here (set LAYER_PYTHON); an import by another version is not the runtime's"
        print(f"  cold import: {message}")
        return {"skipped": message, "target_ms": TARGET_IMPORT_MS}
    architecture = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
    handlers: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="dash-bench-layer-") as tmp:
        layer = build_layer(Path(tmp), architecture=architecture)
        compile_bytecode(layer, python=python)
        for name in API_HANDLERS:
            function_dir = ROOT / "functions" / name
            staged = Path(tmp) / "functions" / name  # the function's own code, compiled like the layer
            shutil.copytree(function_dir, staged, ignore=shutil.ignore_patterns("__pycache__"))
            compile_bytecode(staged, python=python)
            walls, cpus = _import_ms(path=[staged, layer], python=python)
            handlers[name] = {
                "wall_ms_median": round(statistics.median(walls), 1),
                "wall_ms_min": round(min(walls), 1),
                "cpu_ms_median": round(statistics.median(cpus), 1),
            }
    worst = max(h["wall_ms_median"] for h in handlers.values())
    return {
        "python": python,
        "handlers": handlers,
        "runs": IMPORT_RUNS,
        "target_ms": TARGET_IMPORT_MS,
        "meets_target": worst < TARGET_IMPORT_MS,
        "cpu_meets_target": max(h["cpu_ms_median"] for h in handlers.values()) < TARGET_IMPORT_MS,
    }


def _interleaved(
    reference: Callable[[], None], measured: Callable[[], None], *, repeat: int, warmup: int = 5
) -> tuple[list[float], list[float]]:
    """Samples of both, alternating call by call: on a shared machine whose load drifts,
    both see the same conditions, so their ratio stays meaningful."""
    for _ in range(warmup):
        reference()
        measured()
    first: list[float] = []
    second: list[float] = []
    for _ in range(repeat):
        first += time_calls(reference, repeat=1, warmup=0)
        second += time_calls(measured, repeat=1, warmup=0)
    return first, second


def run() -> dict[str, Any]:
    import psycopg
    from psycopg.rows import dict_row

    from shared.admin.users import create_user_record
    from shared.api import deps
    from shared.auth.service import login
    from shared.dashboard.params import DateRange, Sort
    from shared.db import QUERIES, Database, Tenant
    from shared.settings import Settings

    dataset = dashboard_dataset()
    client_id = dataset.client_ids[0]
    settings = Settings.model_validate(
        {
            "database_url": dataset.url,
            "db_user": "dash_api",
            "jwt_secret": "bench-signing-key-that-is-long-enough-for-hs256",
            "bcrypt_rounds": 4,
        }
    )
    db = Database.from_settings(settings)
    deps.use_settings(settings)
    deps.use_database(db)
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    create_user_record(db, email=email, role="client", client_id=client_id, password=PASSWORD, settings=settings)
    token = login(db, email=email, password=PASSWORD, settings=settings).access_token

    # By name: `functions/` is not a package for mypy (each function directory is a root).
    handler = importlib.import_module("functions.api_clients.handler")

    reference = psycopg.connect(role_url(dataset.url, "dash_api"), autocommit=True, row_factory=dict_row)
    # For information only (not the target's reference): the same SQL on a connection like the
    # handler's, without prepared statements (RDS Proxy would pin them, shared.db.connection),
    # so planned on every call. psycopg prepares the reference after 5 calls (generic plans).
    unprepared = psycopg.connect(
        role_url(dataset.url, "dash_api"), autocommit=True, row_factory=dict_row, prepare_threshold=None
    )
    tenant = Tenant.client(client_id)
    rows: list[dict[str, Any]] = []
    try:
        for days in WINDOWS:
            span = DateRange(dataset.last_day - timedelta(days=days - 1), dataset.last_day)
            query = {"from": span.start.isoformat(), "to": span.end.isoformat()}
            repeat = REPEAT if days == HEADLINE_WINDOW else max(20, REPEAT // 5)
            cases = {
                "overview": (
                    QUERIES["dashboard_daily_totals"],
                    {"client_id": client_id, "date_from": span.previous().start, "date_to": span.end},
                ),
                "campaigns": (
                    QUERIES["dashboard_campaigns"].format(**Sort().order_by()),
                    {"client_id": client_id, "date_from": span.start, "date_to": span.end, "limit": 50, "offset": 0},
                ),
            }
            for route, (sql_text, params) in cases.items():
                event = _event(f"/clients/{client_id}/{route}", token, query)

                def through_handler(event: dict[str, Any] = event) -> None:
                    response = handler.lambda_handler(event, _Context())
                    assert response["statusCode"] == 200, response["body"]

                def sql_alone(sql_text: Any = sql_text, params: dict[str, Any] = params, conn: Any = reference) -> None:
                    with conn.transaction():
                        conn.execute(
                            "SELECT set_config('app.client_id', %s, true), set_config('app.all_clients', 'off', true)",
                            (str(tenant.client_id),),
                        )
                        conn.execute(sql_text, params).fetchall()

                sql_samples, api_samples = _interleaved(sql_alone, through_handler, repeat=repeat)
                unprepared_samples = time_calls(lambda: sql_alone(conn=unprepared), repeat=repeat, warmup=5)
                api, ref = summary_ms(api_samples), summary_ms(sql_samples)
                ratio = percentile(api_samples, 95) / percentile(sql_samples, 95)
                rows.append(
                    {
                        "route": route,
                        "window_days": days,
                        "runs": repeat,
                        "api_p50_ms": api["p50_ms"],
                        "api_p95_ms": api["p95_ms"],
                        "sql_p50_ms": ref["p50_ms"],
                        "sql_p95_ms": ref["p95_ms"],
                        "sql_unprepared_p50_ms": summary_ms(unprepared_samples)["p50_ms"],
                        "p95_ratio": round(ratio, 2),
                        "meets_target": ratio <= TARGET_RATIO and api["p95_ms"] < TARGET_P95_MS,
                    }
                )
    finally:
        reference.close()
        unprepared.close()
        deps.reset()
        db.close()
    print_table("API warm latency through the handler vs the SQL alone", rows)
    imports = cold_import_ms()
    print_table(
        f"cold import of each API handler from the built layer ({imports.get('python', 'no 3.12')})",
        [{"handler": name, **figures} for name, figures in imports.get("handlers", {}).items()],
    )
    headline = [row for row in rows if row["window_days"] == HEADLINE_WINDOW]
    return {
        "clients": len(dataset.client_ids),
        "rows": dataset.rows,
        "latency": rows,
        "cold_import": imports,
        "targets": {"p95_ms": TARGET_P95_MS, "p95_ratio": TARGET_RATIO, "import_ms": TARGET_IMPORT_MS},
        "meets_targets_30_day_window": all(row["meets_target"] for row in headline)
        and imports.get("meets_target", False),
    }
