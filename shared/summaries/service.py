"""Runs over clients: the weekly and monthly schedules and the admin backfill.

Each client is built in its own transaction, in its own tenant, so one client's failure
(or a slow client) never rolls back another's summary.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from aws_lambda_powertools.metrics import MetricUnit

from shared.alert_journal import DatabaseAlertJournal
from shared.alerts import send_alert
from shared.db import QUERIES, Database, Tenant
from shared.errors import DatabaseUnavailable, DomainError, InvalidInput, NotFound
from shared.observability import logger, metrics
from shared.ports import EmailSender
from shared.settings import Settings
from shared.summaries.builder import PeriodSummary, build_summary
from shared.summaries.digest import digest_alert
from shared.summaries.periods import (
    KINDS,
    MONTHLY,
    WEEKLY,
    local_date,
    period_end,
    previous_month_start,
    previous_week_start,
)


class SummaryRunFailed(DomainError):
    """Some clients' summaries could not be built (the others were stored)."""

    def __init__(self, message: str, *, failed: list[UUID]) -> None:
        super().__init__(message, details={"failed_client_ids": [str(client) for client in failed]})
        self.failed = failed


def run_weekly(
    db: Database,
    *,
    settings: Settings,
    week_start: date | None = None,
    client_id: UUID | None = None,
    sender: EmailSender | None = None,
    now: datetime | None = None,
) -> list[PeriodSummary]:
    """Build the weekly summary of every active client (or of `client_id`).

    `week_start` None means the last full Monday-Sunday week before `now` (default: the
    current time) in the reporting timezone. With a `sender` (the schedule), the digest is
    emailed to the admin afterwards; a failed email never fails the run.
    """
    start = week_start or previous_week_start(now or datetime.now(UTC), settings.timezone)
    return _run(db, WEEKLY, start, settings=settings, client_id=client_id, sender=sender)


def run_monthly(
    db: Database,
    *,
    settings: Settings,
    month_start: date | None = None,
    client_id: UUID | None = None,
    sender: EmailSender | None = None,
    now: datetime | None = None,
) -> list[PeriodSummary]:
    """Build the monthly summary of every active client (or of `client_id`).

    `month_start` None means the last full calendar month before `now` in the reporting
    timezone. With a `sender`, a monthly digest is emailed to the admin.
    """
    start = month_start or previous_month_start(now or datetime.now(UTC), settings.timezone)
    return _run(db, MONTHLY, start, settings=settings, client_id=client_id, sender=sender)


def backfill(
    db: Database,
    *,
    settings: Settings,
    kind: str,
    period_start: date,
    client_id: UUID | None = None,
    now: datetime | None = None,
) -> list[PeriodSummary]:
    """(Re)generate one period for one client or every active client (admin route).

    Raises `InvalidInput` for an unknown kind, a weekly start that is not a Monday, a
    monthly start that is not the 1st, or a period that has not started yet; `NotFound`
    for an unknown client.
    """
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}")
    period_end(kind, period_start)  # validates the start
    if period_start > local_date(now or datetime.now(UTC), settings.timezone):
        raise InvalidInput("period_start must not be after today: the period has not started yet")
    return _run(db, kind, period_start, settings=settings, client_id=client_id, sender=None)


def _run(
    db: Database,
    kind: str,
    period_start: date,
    *,
    settings: Settings,
    client_id: UUID | None,
    sender: EmailSender | None,
) -> list[PeriodSummary]:
    end = period_end(kind, period_start)
    with db.transaction(tenant=Tenant.every_client()) as conn:
        clients = conn.execute(QUERIES["summary_clients"], {"client_id": client_id}).fetchall()
    if client_id is not None and not clients:
        raise NotFound("client not found")
    built: list[PeriodSummary] = []
    failed: list[dict[str, Any]] = []
    for client in clients:
        try:
            with db.transaction(tenant=Tenant.client(client["id"])) as conn:
                summary = build_summary(
                    conn,
                    kind=kind,
                    client_id=client["id"],
                    period_start=period_start,
                    settings=settings,
                    client_name=client["name"],
                )
        except DatabaseUnavailable:
            raise  # nothing else will work either; let the invocation fail and be retried
        except Exception:
            if client_id is not None:
                raise  # a single-client backfill reports its own error
            # Keep going: one client's bad data must not cost every other client its summary.
            logger.exception(
                "summary failed", kind=kind, period_start=period_start.isoformat(), client_id=str(client["id"])
            )
            metrics.add_metric(name="SummaryFailed", unit=MetricUnit.Count, value=1)
            failed.append(client)
            continue
        built.append(summary)
        metrics.add_metric(name="SummaryBuilt", unit=MetricUnit.Count, value=1)
    logger.info(
        "summaries built", kind=kind, period_start=period_start.isoformat(), built=len(built), failed=len(failed)
    )
    if sender is not None:
        alert = digest_alert(kind, period_start, end, built, [client["name"] for client in failed])
        send_alert(alert, settings=settings, sender=sender, journal=DatabaseAlertJournal(db))
    if failed:
        raise SummaryRunFailed(
            f"{len(failed)} of {len(clients)} {kind} summaries failed", failed=[client["id"] for client in failed]
        )
    return built
