"""Where `send_alert` records each attempt: the `alert_history` table behind the admin's alert log.

Two ways in, because some alerts are sent inside an open transaction (the missing-file
claim) and a `Database` holds one connection that cannot be re-entered:

- `DatabaseAlertJournal(db)` records in a transaction of its own;
- `ConnectionAlertJournal(conn)` records inside the caller's open transaction, under a
  savepoint, so a failed insert never aborts the caller's work.

Both are all-clients writes (the alert history spans clients, like the ingestion log).
"""

from __future__ import annotations

from typing import Any

import psycopg

from shared.db import QUERIES, Database, Tenant
from shared.ports import AlertRecord


class DatabaseAlertJournal:
    """Records each alert in its own short all-clients transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, entry: AlertRecord) -> None:
        with self._db.transaction(tenant=Tenant.every_client()) as conn:
            conn.execute(QUERIES["alert_history_insert"], entry.params())


class ConnectionAlertJournal:
    """Records each alert inside an already open all-clients transaction (a savepoint)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def record(self, entry: AlertRecord) -> None:
        with self._conn.transaction():
            self._conn.execute(QUERIES["alert_history_insert"], entry.params())
