"""Regenerate the summaries queued by a restatement or a re-pricing, in the same transaction.

Ingestion and CPM re-pricing call `app.enqueue_summary_refresh(client, from, to)` (which
queues only summaries that already exist) and then `regenerate_queued(conn, ...)` before
they commit, so the changed data and its summaries become visible together.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from shared.db import QUERIES
from shared.observability import logger, metrics
from shared.settings import Settings
from shared.summaries.builder import build_summary


def regenerate_queued(conn: Any, *, settings: Settings) -> int:
    """Rebuild every queued summary visible to this transaction; return how many.

    Runs inside the caller's transaction and tenant (a worker transaction over all clients,
    or one client's). The processed queue rows are deleted; rows another transaction is
    queuing at the same moment are left to it. Any failure propagates, so the caller's
    data change rolls back with it rather than committing next to a stale summary.
    """
    queued = conn.execute(QUERIES["summary_take_refresh_queue"]).fetchall()
    for row in queued:
        build_summary(
            conn, kind=row["kind"], client_id=row["client_id"], period_start=row["period_start"], settings=settings
        )
    if queued:
        logger.info("queued summaries regenerated", count=len(queued))
        metrics.add_metric(name="SummariesRegenerated", unit=MetricUnit.Count, value=len(queued))
    return len(queued)
