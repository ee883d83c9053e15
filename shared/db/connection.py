"""One PostgreSQL connection per warm Lambda container, and tenant-scoped transactions.

A Lambda container handles one request at a time, so a single connection (opened on first
use, checked before reuse, reopened when broken) is all it needs. Every unit of work runs
in `Database.transaction(tenant=...)`, which sets the row-level-security tenant with
`set_config(..., true)` so it ends with the transaction and cannot leak into the next
request served by the same container.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, LiteralString
from uuid import UUID

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.abc import Params
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row, tuple_row

from shared.errors import ConfigurationError, DatabaseUnavailable
from shared.settings import Settings


@dataclass(frozen=True, slots=True)
class Tenant:
    """Whose rows a transaction may touch: one client's, or (admin, worker) every client's."""

    client_id: UUID | None = None
    all_clients: bool = False

    def __post_init__(self) -> None:
        if self.all_clients == (self.client_id is not None):
            raise ValueError("a tenant is either one client or all clients")

    @classmethod
    def client(cls, client_id: UUID | str) -> Tenant:
        return cls(client_id=client_id if isinstance(client_id, UUID) else UUID(str(client_id)))

    @classmethod
    def every_client(cls) -> Tenant:
        return cls(all_clients=True)


ConninfoProvider = Callable[[], str]
IDLE_CHECK_SECONDS = 30.0


def conninfo_from_settings(settings: Settings) -> str:
    """The libpq connection string for the runtime role named by the settings."""
    overrides: dict[str, Any] = {
        "connect_timeout": settings.db_connect_timeout,
        "application_name": f"paid-media-{settings.stage}",
        "options": f"-c statement_timeout={settings.db_statement_timeout_ms}",
    }
    if settings.database_secret_arn:
        # Imported lazily: only AWS deployments read the secret (cached by Powertools).
        from shared.aws.secrets import get_json_secret

        secret = get_json_secret(settings.database_secret_arn)
        return make_conninfo(
            host=settings.db_host or secret["host"],
            port=secret.get("port", 5432),
            dbname=secret.get("dbname", "dashboard"),
            user=secret["username"],
            password=secret["password"],
            sslmode="require",
            **overrides,
        )
    if not settings.database_url:
        raise ConfigurationError("DATABASE_URL or DATABASE_SECRET_ARN must be set")
    if settings.db_user:
        overrides["user"] = settings.db_user
    if settings.db_password:
        overrides["password"] = settings.db_password
    return make_conninfo(settings.database_url, **overrides)


class Database:
    """Lazily opened, reused connection with tenant-scoped transactions."""

    def __init__(self, conninfo: str | ConninfoProvider) -> None:
        self._conninfo = conninfo
        self._conn: psycopg.Connection[dict[str, Any]] | None = None
        self._lock = threading.Lock()
        self._last_used = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(lambda: conninfo_from_settings(settings))

    def _connect(self) -> psycopg.Connection[dict[str, Any]]:
        conninfo = self._conninfo() if callable(self._conninfo) else self._conninfo
        try:
            # No server-side prepared statements: behind RDS Proxy a prepared statement pins
            # the client to one database connection (no multiplexing); locally it costs nothing.
            return psycopg.connect(conninfo, autocommit=True, row_factory=dict_row, prepare_threshold=None)
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable("the database cannot be reached") from exc

    def connection(self) -> psycopg.Connection[dict[str, Any]]:
        """The container's connection, (re)opened if it is missing, closed or broken.

        A connection idle for longer than `IDLE_CHECK_SECONDS` (a frozen Lambda container,
        a database failover) is pinged before reuse and replaced if the ping fails.
        """
        conn = self._conn
        now = time.monotonic()
        if conn is not None and not (conn.closed or conn.broken) and now - self._last_used > IDLE_CHECK_SECONDS:
            try:
                conn.execute("SELECT 1")
            except psycopg.Error:
                conn.close()
        if conn is None or conn.closed or conn.broken:
            if conn is not None:
                conn.close()
            conn = self._conn = self._connect()
        self._last_used = now
        return conn

    @contextmanager
    def transaction(self, *, tenant: Tenant) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        """Run a block in one transaction that sees only `tenant`'s rows.

        Commits on success, rolls back on any exception. A lost connection (server gone,
        network, shutdown) surfaces as `DatabaseUnavailable`; other errors as themselves.
        """
        with self._using() as conn, conn.transaction():
            conn.execute(
                "SELECT set_config('app.client_id', %s, true), set_config('app.all_clients', %s, true)",
                (str(tenant.client_id) if tenant.client_id else "", "on" if tenant.all_clients else "off"),
            )
            yield conn

    def call(
        self,
        query: LiteralString | sql.SQL | sql.Composed,
        params: Params | None = None,
        *,
        tuples: bool = False,
        check: Callable[[Any], None] | None = None,
    ) -> list[Any]:
        """The rows of one statement run on its own: no BEGIN, no tenant statement, no COMMIT
        (the connection is in autocommit, so the statement is its own transaction). For the
        reads whose SQL function sets its tenant itself (migration 1301): one round trip. Any
        other query sees no client's rows (row-level security with no tenant set). `check`
        sees the result's column descriptions before the rows are fetched (and may refuse them)."""
        with self._using() as conn, conn.cursor(row_factory=tuple_row if tuples else dict_row) as cursor:
            cursor.execute(query, params)
            if check is not None:
                check(cursor.description)
            return cursor.fetchall()

    @contextmanager
    def _using(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        """The connection, for one unit of work at a time; a lost connection is `DatabaseUnavailable`."""
        with self._lock:
            conn = self.connection()
            try:
                yield conn
            except psycopg.OperationalError as exc:
                # Only a lost connection means "unavailable, retry later". A statement
                # timeout or a deadlock is an OperationalError on a healthy connection: it
                # propagates as itself, and the connection is kept.
                if conn.broken or conn.closed or isinstance(exc, pg_errors.AdminShutdown):
                    conn.close()
                    raise DatabaseUnavailable("the database connection failed") from exc
                raise

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


_container_database: tuple[Settings, Database] | None = None


def container_database(settings: Settings) -> Database:
    """The container's one `Database` for these settings, reused across warm invocations.

    Settings are cached per process (`get_settings`), so a warm container gets the same
    object and keeps its connection; new settings (tests) get a new `Database`.
    """
    global _container_database
    if _container_database is None or _container_database[0] is not settings:
        if _container_database is not None:
            _container_database[1].close()
        _container_database = (settings, Database.from_settings(settings))
    return _container_database[1]
