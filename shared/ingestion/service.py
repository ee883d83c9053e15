"""Ingest partner files from S3: one run per object, logged, alerted, exactly once.

`ingest_object` never raises for a bad file or an unreadable object (the run is `failed`
and the admin is alerted); it raises `DatabaseUnavailable` when the database cannot be
reached, after one alert, so Lambda retries the event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

import psycopg
from aws_lambda_powertools.metrics import MetricUnit

from shared.alert_journal import DatabaseAlertJournal
from shared.alerts import Alert, send_alert
from shared.db import QUERIES, Database, Tenant
from shared.errors import DatabaseUnavailable, StorageError
from shared.ingestion import remedies
from shared.ingestion.csv_reader import FileRejected
from shared.ingestion.limits import Deadline
from shared.ingestion.loader import LoadOutcome, LoadRefused, load_file, store_rejected_rows
from shared.ingestion.validation import RejectedRow
from shared.numbers.human import count
from shared.observability import logger, metrics
from shared.ports import EmailSender, ObjectStore
from shared.settings import Settings

INGESTIBLE_SUFFIXES = (".csv", ".csv.gz")
ALERT_REJECT_LINES = 50
_STATUS_METRICS = {
    "success": "IngestionRunsSucceeded",
    "partial": "IngestionRunsPartial",
    "duplicate": "IngestionRunsDuplicate",
}


@dataclass(frozen=True)
class IngestionResult:
    """The outcome of one object, as the handler reports it."""

    bucket: str
    key: str
    status: str  # success | partial | failed | duplicate | skipped
    run_id: UUID | None = None
    records_loaded: int = 0
    records_failed: int = 0
    message: str = ""
    checksum: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["run_id"] = None if self.run_id is None else str(self.run_id)
        return data


def is_ingestible(key: str) -> bool:
    """Only `.csv` and `.csv.gz` objects are partner files."""
    return key.lower().endswith(INGESTIBLE_SUFFIXES)


def ingest_objects(
    objects: Iterable[tuple[str, str]],
    *,
    settings: Settings,
    db: Database,
    store: ObjectStore,
    sender: EmailSender,
    today: date | None = None,
    retry_of: UUID | None = None,
    deadline: Deadline | None = None,
) -> list[IngestionResult]:
    """Ingest every (bucket, key) of an S3 event in order; other suffixes are skipped.

    `retry_of` (an admin retry) links the new runs to the run they repeat; `deadline` (the
    invocation's, for all its objects) fails a run that would outlast it."""
    results = []
    for bucket, key in objects:
        if not is_ingestible(key):
            logger.info("object skipped: not a csv file", bucket=bucket, key=key)
            results.append(IngestionResult(bucket, key, "skipped", message="not a .csv or .csv.gz object"))
            continue
        results.append(
            ingest_object(
                bucket,
                key,
                settings=settings,
                db=db,
                store=store,
                sender=sender,
                today=today,
                retry_of=retry_of,
                deadline=deadline,
            )
        )
    return results


def _today(settings: Settings) -> date:
    return datetime.now(settings.timezone).date()


def ingest_object(
    bucket: str,
    key: str,
    *,
    settings: Settings,
    db: Database,
    store: ObjectStore,
    sender: EmailSender,
    today: date | None = None,
    retry_of: UUID | None = None,
    deadline: Deadline | None = None,
) -> IngestionResult:
    """Load one object from S3 into `daily_metrics` (see SPEC §3); returns the run's outcome.

    `today` (default: now in the reporting timezone) bounds future dates; `retry_of` links
    an admin retry to the run it repeats.
    """
    file_name = f"{bucket}/{key}"
    day = today or _today(settings)
    try:
        with db.transaction(tenant=Tenant.every_client()) as conn:
            started = conn.execute(
                QUERIES["ingest_start_run"],
                {"file_name": file_name, "bucket": bucket, "object_key": key, "retry_of": retry_of},
            ).fetchone()
    except DatabaseUnavailable:
        _database_down(file_name, settings=settings, sender=sender)
        raise
    assert started is not None
    run_id: UUID = started["id"]
    log = logger.append_context_keys(run_id=str(run_id), bucket=bucket, key=key)
    with log:
        logger.info("ingestion started")
        try:
            size = store.size(bucket, key)
            if size > settings.max_file_bytes:
                raise FileRejected(
                    f"the file is {count(size)} bytes, over the size limit of {count(settings.max_file_bytes)} bytes"
                )
            body = store.open(bucket, key)
            try:
                with db.transaction(tenant=Tenant.every_client()) as conn:
                    outcome = load_file(
                        conn, body, run_id=run_id, key=key, settings=settings, today=day, deadline=deadline
                    )
            finally:
                _close(body)
        except StorageError as exc:
            return _failed(
                run_id, bucket, key, exc.message, db=db, settings=settings, sender=sender, storage_code=exc.code
            )
        except LoadRefused as exc:
            return _failed(
                run_id, bucket, key, exc.reason, db=db, settings=settings, sender=sender,
                checksum=exc.checksum, size=exc.size, rejected=exc.rejected, rejected_count=exc.rejected_count, rows=exc.rows,
            )  # fmt: skip
        except FileRejected as exc:
            return _failed(run_id, bucket, key, exc.reason, db=db, settings=settings, sender=sender)
        except DatabaseUnavailable:
            _mark_failed_quietly(run_id, "the database connection failed during the load", db=db)
            _database_down(file_name, settings=settings, sender=sender)
            raise
        except psycopg.Error as exc:
            # A statement failed (not the connection): the transaction rolled back, nothing
            # is stored. Only the SQLSTATE goes into the log message (no data, no SQL).
            logger.exception("ingestion database error", sqlstate=exc.sqlstate)
            reason = f"database error while loading (SQLSTATE {exc.sqlstate or 'unknown'}); nothing was stored"
            return _failed(run_id, bucket, key, reason, db=db, settings=settings, sender=sender)
        except Exception:
            _mark_failed_quietly(run_id, "internal error during the load; nothing was stored", db=db)
            logger.exception("ingestion crashed")
            metrics.add_metric(name="IngestionRunsFailed", unit=MetricUnit.Count, value=1)
            send_alert(
                Alert(
                    kind="ingestion_failed",
                    subject=f"Ingestion failed: {file_name}",
                    summary=f"The load of {file_name} stopped on an internal error; nothing from it was stored. "
                    "Lambda retries the event.",
                    details=[("File", file_name), ("Run", str(run_id))],
                    todo=remedies.for_crash(run_id),
                ),
                settings=settings,
                sender=sender,
                journal=DatabaseAlertJournal(db),
            )
            raise
        return _loaded(run_id, bucket, key, outcome, settings=settings, sender=sender, db=db)


def _close(body: Any) -> None:
    close = getattr(body, "close", None)
    if callable(close):
        close()


def _finish(db: Database, run_id: UUID, **values: Any) -> None:
    params: dict[str, Any] = {
        "run_id": run_id,
        "checksum": None,
        "file_size": None,
        "records_loaded": 0,
        "records_failed": 0,
        "client_ids": [],
        "date_from": None,
        "date_to": None,
    }
    params.update(values)
    with db.transaction(tenant=Tenant.every_client()) as conn:
        conn.execute(QUERIES["ingest_finish_run"], params)


def _store_rejections(db: Database, run_id: UUID, rejected: list[RejectedRow]) -> None:
    with db.transaction(tenant=Tenant.every_client()) as conn:
        store_rejected_rows(conn, run_id, rejected)


def _mark_failed_quietly(run_id: UUID, message: str, *, db: Database) -> None:
    try:
        _finish(db, run_id, status="failed", message=message)
    except Exception:  # noqa: BLE001 - best effort: the original error is what matters
        logger.warning("could not mark the run failed", run_id=str(run_id))


def _failed(
    run_id: UUID,
    bucket: str,
    key: str,
    reason: str,
    *,
    db: Database,
    settings: Settings,
    sender: EmailSender,
    storage_code: str | None = None,
    checksum: str | None = None,
    size: int | None = None,
    rejected: list[RejectedRow] | None = None,
    rejected_count: int = 0,
    rows: int = 0,
) -> IngestionResult:
    rejected = rejected or []
    message = f"failed: {reason}"
    # The failed run keeps its evidence (rejected rows); none of the file's data is stored.
    _finish(
        db, run_id, status="failed", message=message, checksum=checksum, file_size=size, records_failed=rejected_count
    )
    if rejected:
        _store_rejections(db, run_id, rejected[: ALERT_REJECT_LINES * 20])
    metrics.add_metric(name="IngestionRunsFailed", unit=MetricUnit.Count, value=1)
    logger.warning("ingestion failed", reason=reason, storage_code=storage_code, rows=rows, rejected=rejected_count)
    kind = "s3_access_denied" if storage_code == "AccessDenied" else "ingestion_failed"
    subject = f"S3 access denied: {bucket}/{key}" if kind == "s3_access_denied" else f"Ingestion failed: {bucket}/{key}"
    send_alert(
        Alert(
            kind=kind,
            subject=subject,
            summary=f"The file {bucket}/{key} was not loaded; nothing from it was stored.",
            details=[
                ("File", f"{bucket}/{key}"),
                ("Reason", reason),
                ("Data rows", count(rows)),
                ("Rejected rows", count(rejected_count)),
                ("Run", str(run_id)),
            ],
            lines=[item.describe() for item in rejected[:ALERT_REJECT_LINES]],
            todo=remedies.for_access_denied(bucket, key, run_id=run_id)
            if kind == "s3_access_denied"
            else remedies.for_failed_file(reason, run_id=run_id, rejected=rejected),
        ),
        settings=settings,
        sender=sender,
        journal=DatabaseAlertJournal(db),
    )
    return IngestionResult(bucket, key, "failed", run_id, 0, rejected_count, message, checksum)


def _loaded(
    run_id: UUID,
    bucket: str,
    key: str,
    outcome: LoadOutcome,
    *,
    settings: Settings,
    sender: EmailSender,
    db: Database,
) -> IngestionResult:
    metrics.add_metric(name="RowsIngested", unit=MetricUnit.Count, value=outcome.records_loaded)
    metrics.add_metric(name="RowsRejected", unit=MetricUnit.Count, value=outcome.rejected_count)
    metrics.add_metric(
        name=_STATUS_METRICS[outcome.status],
        unit=MetricUnit.Count,
        value=1,
    )
    logger.info(
        "ingestion loaded",
        status=outcome.status,
        records_loaded=outcome.records_loaded,
        records_rejected=outcome.rejected_count,
        unpriced_clients=len(outcome.unpriced),
        summaries_refreshed=outcome.summaries_refreshed,
        timings=outcome.timings,
    )
    file_name = f"{bucket}/{key}"
    if outcome.rejected_count and outcome.status != "duplicate":
        send_alert(
            Alert(
                kind="ingestion_partial",
                subject=f"Partial load: {count(outcome.rejected_count)} rows rejected in {file_name}",
                summary=f"{count(outcome.records_loaded)} rows of {file_name} were loaded; "
                f"{count(outcome.rejected_count)} were rejected.",
                details=[
                    ("File", file_name),
                    ("Rows loaded", count(outcome.records_loaded)),
                    ("Rows rejected", count(outcome.rejected_count)),
                    ("Run", str(run_id)),
                ],
                lines=[item.describe() for item in outcome.rejected[:ALERT_REJECT_LINES]],
                todo=remedies.for_rejected_rows(outcome.rejected, run_id=run_id),
            ),
            settings=settings,
            sender=sender,
            journal=DatabaseAlertJournal(db),
        )
    if outcome.unpriced:
        send_alert(
            Alert(
                kind="missing_cpm",
                subject=f"Missing CPM: rows without spend in {file_name}",
                summary="Rows were loaded without spend because no CPM rate is in force for their dates. "
                "Add a rate effective on or before these dates to price them.",
                details=[("File", file_name), ("Run", str(run_id))],
                lines=[
                    f"{item.client_name}: {item.date_from} to {item.date_to} ({count(item.days)} days, {count(item.rows)} rows)"
                    for item in outcome.unpriced
                ],
                todo=remedies.for_unpriced(outcome.unpriced),
            ),
            settings=settings,
            sender=sender,
            journal=DatabaseAlertJournal(db),
        )
    return IngestionResult(
        bucket,
        key,
        outcome.status,
        run_id,
        outcome.records_loaded,
        outcome.rejected_count,
        outcome.message,
        outcome.checksum,
        {phase: round(seconds, 3) for phase, seconds in outcome.timings.items()},
    )


def _database_down(file_name: str, *, settings: Settings, sender: EmailSender) -> None:
    metrics.add_metric(name="IngestionDatabaseUnavailable", unit=MetricUnit.Count, value=1)
    logger.error("ingestion database unavailable", file_name=file_name)
    send_alert(
        Alert(
            kind="database_failure",
            subject=f"Database unavailable: {file_name} not loaded yet",
            summary="The ingestion could not reach the database. The invocation fails so Lambda retries it; "
            "nothing from the file was stored.",
            details=[("File", file_name)],
            todo=remedies.for_database_down(),
        ),
        settings=settings,
        sender=sender,
    )
