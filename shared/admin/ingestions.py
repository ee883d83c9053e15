"""Ingestion runs for the admin: list with filters, detail with rejected rows, retry.

Retry re-runs the ingestion of the same bucket/key as a NEW run linked by `retry_of`. The
API role may not write staging data, and a large file would exceed an API request's time,
so the route only dispatches: in AWS the ingestion function is invoked asynchronously
(`LambdaIngestionDispatcher`: an S3-event-shaped payload plus `retry_of`, see docs/api.md); locally and in tests
the run happens in-process as the worker role (`InProcessIngestionDispatcher`).
Only a `failed` run can be retried: a loaded (`success`/`partial`) file would be a
`duplicate`, and a `running` one is still in progress.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from shared.db import QUERIES, Database, Tenant
from shared.errors import Conflict, InvalidInput, NotFound
from shared.observability import logger, metrics
from shared.ports import EmailSender, ObjectStore
from shared.settings import Settings

REJECTED_ROWS_SHOWN = 1000
# A response stays well under Lambda's 6 MB payload limit whatever is stored: every stored
# text is clipped (messages 4000 characters, rejected values 200), and a page whose JSON
# would pass this many bytes is cut short (`total` still counts every match).
PAGE_BYTE_BUDGET = 4_000_000
RETRYABLE_STATUSES = ("failed",)


class IngestionDispatcher(Protocol):
    def dispatch(self, *, bucket: str, key: str, retry_of: UUID) -> dict[str, Any] | None:
        """Start ingesting an object again; return the new run when it ran synchronously."""


def list_runs(
    db: Database,
    *,
    status: str | None,
    date_from: date | None,
    date_to: date | None,
    client_id: UUID | None,
    limit: int,
    offset: int,
    file_name: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of runs, newest first, filtered by status, start date range, client and a
    case-insensitive part of the file name (bucket/key)."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InvalidInput("from must not be after to")
    params = {
        "status": status,
        "from": date_from,
        "to": date_to,
        "client_id": client_id,
        "file_name": file_name or None,
        "limit": limit,
        "offset": offset,
    }
    with db.transaction(tenant=Tenant.every_client()) as conn:
        total = conn.execute(QUERIES["admin_count_runs"], params).fetchone()["total"]  # type: ignore[index]
        rows = conn.execute(QUERIES["admin_list_runs"], params).fetchall()
    return within_budget(rows), total


def within_budget(rows: Sequence[dict[str, Any]], budget: int = PAGE_BYTE_BUDGET) -> list[dict[str, Any]]:
    """The leading rows whose JSON (ASCII-escaped: an upper bound of what is sent) fits in
    `budget` bytes; at least one row (each is bounded by the clipping)."""
    kept: list[dict[str, Any]] = []
    size = 0
    for row in rows:
        size += len(json.dumps(row, default=str)) + 1
        if size > budget and kept:
            break
        kept.append(row)
    return kept


def get_run(db: Database, run_id: UUID) -> dict[str, Any]:
    """One run with its rejected rows (the first 1000, by line); NotFound if unknown."""
    with db.transaction(tenant=Tenant.every_client()) as conn:
        run = conn.execute(QUERIES["admin_get_run"], {"run_id": run_id}).fetchone()
        if run is None:
            raise NotFound("ingestion run not found")
        run["rejected_rows"] = within_budget(
            conn.execute(
                QUERIES["admin_run_rejected_rows"], {"run_id": run_id, "limit": REJECTED_ROWS_SHOWN}
            ).fetchall()
        )
    return run


def rejected_rows(db: Database, run_id: UUID, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """A page of a run's rejected rows (by line) and their total; NotFound if the run is unknown."""
    with db.transaction(tenant=Tenant.every_client()) as conn:
        if conn.execute(QUERIES["admin_get_run"], {"run_id": run_id}).fetchone() is None:
            raise NotFound("ingestion run not found")
        params = {"run_id": run_id, "limit": limit, "offset": offset}
        total = conn.execute(QUERIES["admin_count_rejected_rows"], params).fetchone()["total"]  # type: ignore[index]
        rows = conn.execute(QUERIES["admin_page_rejected_rows"], params).fetchall()
    return within_budget(rows), total


def retry_run(db: Database, run_id: UUID, *, dispatcher: IngestionDispatcher) -> dict[str, Any]:
    """Dispatch a new ingestion of a failed run's object; returns what was dispatched."""
    with db.transaction(tenant=Tenant.every_client()) as conn:
        run = conn.execute(QUERIES["admin_get_run"], {"run_id": run_id}).fetchone()
    if run is None:
        raise NotFound("ingestion run not found")
    if run["status"] not in RETRYABLE_STATUSES:
        raise Conflict(f"only a failed run can be retried (this one is {run['status']})")
    new_run = dispatcher.dispatch(bucket=run["bucket"], key=run["object_key"], retry_of=run_id)
    logger.info("ingestion retry dispatched", run_id=str(run_id), synchronous=new_run is not None)
    metrics.add_metric(name="IngestionRetries", unit="Count", value=1)
    return {"retry_of": run_id, "file_name": run["file_name"], "run": new_run}


class InProcessIngestionDispatcher:
    """Runs the ingestion right away as the worker role (local stack and tests)."""

    def __init__(self, *, settings: Settings, db: Database, store: ObjectStore, sender: EmailSender) -> None:
        self._settings, self._db, self._store, self._sender = settings, db, store, sender

    def dispatch(self, *, bucket: str, key: str, retry_of: UUID) -> dict[str, Any] | None:
        from shared.ingestion.service import ingest_object

        result = ingest_object(
            bucket, key, settings=self._settings, db=self._db, store=self._store, sender=self._sender, retry_of=retry_of
        )
        if result.run_id is None:
            return None
        with self._db.transaction(tenant=Tenant.every_client()) as conn:
            return conn.execute(QUERIES["admin_get_run"], {"run_id": result.run_id}).fetchone()
