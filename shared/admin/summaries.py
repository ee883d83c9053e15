"""Summaries backfill: (re)generate one client's or every active client's summary of a period."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from shared.db import QUERIES, Database, Tenant
from shared.errors import InvalidInput, NotFound
from shared.observability import logger, metrics
from shared.settings import Settings


def check_period_start(kind: str, period_start: date) -> None:
    """A weekly period starts on a Monday, a monthly one on the 1st."""
    if kind == "weekly" and period_start.isoweekday() != 1:
        raise InvalidInput("a weekly period_start must be a Monday")
    if kind == "monthly" and period_start.day != 1:
        raise InvalidInput("a monthly period_start must be the first day of a month")


def backfill(
    db: Database, *, kind: str, period_start: date, client_id: UUID | None, settings: Settings
) -> list[dict[str, Any]]:
    """Build (replace) the summaries and return them (`PeriodSummary.to_dict()` each).

    Without `client_id`, every active client. Each client in its own transaction and tenant.
    """
    from shared.summaries.builder import build_summary  # the summaries engine (lazy: cold start)

    if kind not in ("weekly", "monthly"):
        raise InvalidInput("kind must be weekly or monthly")
    check_period_start(kind, period_start)
    with db.transaction(tenant=Tenant.every_client()) as conn:
        if client_id is not None:
            if conn.execute(QUERIES["admin_client_exists"], {"client_id": client_id}).fetchone() is None:
                raise NotFound("client not found")
            client_ids = [client_id]
        else:
            client_ids = [row["id"] for row in conn.execute(QUERIES["admin_active_client_ids"])]
    built = []
    for one in client_ids:
        with db.transaction(tenant=Tenant.client(one)) as conn:
            summary = build_summary(conn, kind=kind, client_id=one, period_start=period_start, settings=settings)
        built.append(summary.to_dict())
    logger.info("summaries backfilled", kind=kind, period_start=period_start.isoformat(), clients=len(built))
    metrics.add_metric(name="SummariesBackfilled", unit="Count", value=len(built))
    return built
