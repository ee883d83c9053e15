"""Ingest partner files from S3: one run per object event, logged, alerted, exactly once.

Per (client, date) the newest upload wins, in any delivery order (SPEC §3): a re-delivered
event is `duplicate`, an older event for a key already processed is `stale`, and a
late-arriving older upload loads only the days where it is the newest. Every way a run can
end without loading is one row of `_OUTCOMES` (status, reason, alert, raise or not).

`ingest_object` never raises for a bad file or an unreadable object (the run is `failed`
and the admin is alerted); it raises `DatabaseUnavailable` when the database cannot be
reached (and re-raises a crash), after one alert, so Lambda retries the event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
from shared.ingestion.csv_reader import FileRejected, clip
from shared.ingestion.limits import Deadline, DeadlineExceeded
from shared.ingestion.loader import LoadOutcome, LoadRefused, load_file, store_rejected_rows
from shared.ingestion.objects import UploadedObject, is_folder_marker, is_ingestible
from shared.ingestion.validation import RejectedRow
from shared.numbers.human import count
from shared.observability import logger, metrics
from shared.ports import EmailSender, ObjectStore
from shared.settings import Settings

ALERT_REJECT_LINES = 50
_STATUS_METRICS = {
    "success": "IngestionRunsSucceeded",
    "partial": "IngestionRunsPartial",
    "duplicate": "IngestionRunsDuplicate",
    "stale": "IngestionRunsStale",
}


@dataclass(frozen=True)
class IngestionResult:
    """The outcome of one object, as the handler reports it."""

    bucket: str
    key: str
    status: str  # success | partial | failed | duplicate | stale | skipped
    run_id: UUID | None = None
    records_loaded: int = 0
    records_failed: int = 0
    stale_days: int = 0
    message: str = ""
    checksum: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["run_id"] = None if self.run_id is None else str(self.run_id)
        return data


class UnsupportedObject(FileRejected):
    """The object's key is not a partner file (`.csv` / `.csv.gz`, any case)."""


class ObjectAlreadySeen(Exception):
    """The event announces an upload already processed (a re-delivery): `duplicate`."""


class ObjectSuperseded(Exception):
    """A newer upload of the same key was already processed, or the object was overwritten
    since this event (its own event loads it): `stale`."""


@dataclass(frozen=True)
class _Rule:
    """How one kind of failure ends a run: its status, the log message's reason, the alert
    it sends (`file`: the failed-file alert with its remedy; `crash`, `database_down`,
    or none) and whether the invocation raises so Lambda retries the event."""

    status: str
    reason: Callable[[BaseException], str]
    alert: str | None
    raises: bool = False
    final: bool = True  # False: the same event delivered again tries again (not a duplicate)


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "reason", None) or getattr(exc, "message", None) or exc)


# The outcome table: an exception's most specific class listed here decides (its MRO is
# walked, so a new `FileRejected` subclass is a failed file with its own reason, and
# `LoadRefused` needs no place in an order).
_OUTCOMES: dict[type[BaseException], _Rule] = {
    ObjectAlreadySeen: _Rule("duplicate", _reason, alert=None),
    ObjectSuperseded: _Rule("stale", _reason, alert=None),
    UnsupportedObject: _Rule("failed", _reason, alert="unsupported"),
    # Out of time is not the file's fault: a re-delivery (with more time) tries again.
    DeadlineExceeded: _Rule("failed", _reason, alert="file", final=False),
    FileRejected: _Rule("failed", _reason, alert="file"),
    StorageError: _Rule("failed", _reason, alert="file"),
    DatabaseUnavailable: _Rule(
        "failed", lambda _: "the database connection failed during the load", alert="database_down", raises=True
    ),
    psycopg.Error: _Rule(
        "failed",
        lambda exc: (
            f"database error while loading (SQLSTATE {getattr(exc, 'sqlstate', None) or 'unknown'}); nothing was stored"
        ),
        alert="file",
    ),
    Exception: _Rule(
        "failed", lambda _: "internal error during the load; nothing was stored", alert="crash", raises=True
    ),
}


def _rule_for(exc: BaseException) -> _Rule:
    for cls in type(exc).__mro__:
        if cls in _OUTCOMES:
            return _OUTCOMES[cls]
    return _OUTCOMES[Exception]


def ingest_objects(
    objects: Iterable[UploadedObject | tuple[str, str]],
    *,
    settings: Settings,
    db: Database,
    store: ObjectStore,
    sender: EmailSender,
    today: date | None = None,
    retry_of: UUID | None = None,
    deadline: Deadline | None = None,
) -> list[IngestionResult]:
    """Ingest every object of an S3 event in order. Every object is a run (a key that is
    not `.csv`/`.csv.gz` a failed one) except console "folder" markers, which are skipped.

    `retry_of` (an admin retry) links the new runs to the run they repeat; `deadline` (the
    invocation's, for all its objects) fails a run that would outlast it."""
    results = []
    for item in objects:
        obj = item if isinstance(item, UploadedObject) else UploadedObject(bucket=item[0], key=item[1])
        if is_folder_marker(obj.key):
            logger.info("object skipped: a folder marker", bucket=obj.bucket, key=clip(obj.key))
            results.append(
                IngestionResult(bucket=obj.bucket, key=obj.key, status="skipped", message="a folder, not a file")
            )
            continue
        results.append(
            ingest_object(
                obj.bucket,
                obj.key,
                upload=obj,
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


@dataclass
class _Run:
    """The run being processed: its id and what is known of the upload it reads."""

    run_id: UUID
    bucket: str
    key: str
    version_id: str | None
    sequencer: str | None
    uploaded_at: datetime | None
    etag: str | None

    @property
    def file_name(self) -> str:
        return f"{self.bucket}/{self.key}"


def ingest_object(
    bucket: str,
    key: str,
    *,
    settings: Settings,
    db: Database,
    store: ObjectStore,
    sender: EmailSender,
    upload: UploadedObject | None = None,
    today: date | None = None,
    retry_of: UUID | None = None,
    deadline: Deadline | None = None,
) -> IngestionResult:
    """Load one object from S3 into `daily_metrics` (see SPEC §3); returns the run's outcome.

    `upload` is what the S3 event says about the object (version, sequencer, event time);
    without it the object's own metadata is used. `today` (default: now in the reporting
    timezone) bounds future dates; `retry_of` links an admin retry to the run it repeats
    (and reuses its upload identity).
    """
    upload = upload or UploadedObject(bucket=bucket, key=key)
    file_name = f"{bucket}/{key}"
    try:
        with db.transaction(tenant=Tenant.every_client()) as conn:
            started = conn.execute(
                QUERIES["ingest_start_run"],
                {
                    "file_name": file_name,
                    "bucket": bucket,
                    "object_key": key,
                    "retry_of": retry_of,
                    "version_id": upload.version_id,
                    "sequencer": upload.sequencer,
                    "uploaded_at": upload.event_time,
                },
            ).fetchone()
    except DatabaseUnavailable:
        _database_down(file_name, settings=settings, sender=sender)
        raise
    assert started is not None
    run = _Run(
        run_id=started["id"],
        bucket=bucket,
        key=key,
        version_id=started["version_id"],
        sequencer=started["sequencer"],
        uploaded_at=started["uploaded_at"],
        etag=upload.etag,
    )
    with logger.append_context_keys(run_id=str(run.run_id), bucket=bucket, key=clip(key)):
        logger.info("ingestion started", version_id=run.version_id, sequencer=run.sequencer)
        try:
            with db.transaction(tenant=Tenant.every_client()) as conn:
                outcome = _load(
                    conn,
                    run,
                    store=store,
                    settings=settings,
                    today=today or _today(settings),
                    admin_retry=bool(retry_of),
                    deadline=deadline,
                )
        except Exception as exc:  # noqa: BLE001 - every outcome is decided by the table above
            return _ended(run, exc, db=db, settings=settings, sender=sender)
        return _loaded(run, outcome, settings=settings, sender=sender, db=db)


def _load(
    conn: Any,
    run: _Run,
    *,
    store: ObjectStore,
    settings: Settings,
    today: date,
    admin_retry: bool,
    deadline: Deadline | None,
) -> LoadOutcome:
    """One transaction: the object's lock, the identity check, then the file's load."""
    identity = {
        "run_id": run.run_id,
        "bucket": run.bucket,
        "object_key": run.key,
        "version_id": run.version_id,
        "sequencer": run.sequencer,
        "admin_retry": admin_retry,
    }
    conn.execute(QUERIES["ingest_lock_object"], identity)
    if not is_ingestible(run.key):
        _check_seen(conn, identity, uploaded_at=run.uploaded_at)
        raise UnsupportedObject(
            f"not a partner file: the object key {clip(run.key)!r} does not end in .csv or .csv.gz (any case)"
        )
    info = store.head(run.bucket, run.key, version_id=run.version_id)
    run.version_id = run.version_id or info.version_id
    run.uploaded_at = run.uploaded_at or info.last_modified
    identity["version_id"] = run.version_id
    conn.execute(
        QUERIES["ingest_record_identity"],
        {"run_id": run.run_id, "version_id": run.version_id, "uploaded_at": run.uploaded_at},
    )
    _check_seen(conn, identity, uploaded_at=run.uploaded_at)
    if run.version_id is None and run.etag and info.etag and run.etag != info.etag:
        raise ObjectSuperseded(
            "stale: the object was overwritten since this event; the newer upload's own event loads it"
        )
    if info.size > settings.max_file_bytes:
        raise FileRejected(
            f"the file is {count(info.size)} bytes, over the size limit of {count(settings.max_file_bytes)} bytes"
        )
    body = store.open(run.bucket, run.key, version_id=run.version_id)
    try:
        return load_file(
            conn,
            body,
            run_id=run.run_id,
            key=run.key,
            settings=settings,
            today=today,
            uploaded_at=run.uploaded_at,
            deadline=deadline,
        )
    finally:
        _close(body)


def _check_seen(conn: Any, identity: dict[str, Any], *, uploaded_at: datetime | None) -> None:
    seen = conn.execute(QUERIES["ingest_object_seen"], {**identity, "uploaded_at": uploaded_at}).fetchone()
    if seen and seen["seen"]:
        raise ObjectAlreadySeen("duplicate: this upload was already processed (a re-delivered event); nothing changed")
    if seen and seen["newer_seen"]:
        raise ObjectSuperseded("stale: a newer upload of this object key was already processed; nothing changed")


def _close(body: Any) -> None:
    close = getattr(body, "close", None)
    if callable(close):
        close()


def _finish(db: Database, run: _Run, **values: Any) -> None:
    params: dict[str, Any] = {
        "run_id": run.run_id,
        "checksum": None,
        "file_size": None,
        "records_loaded": 0,
        "records_failed": 0,
        "client_ids": [],
        "date_from": None,
        "date_to": None,
        "stale_days": 0,
        "version_id": run.version_id,
        "uploaded_at": run.uploaded_at,
        "retried_by_lambda": False,
        "what_to_do": [],
    }
    params.update(values)
    with db.transaction(tenant=Tenant.every_client()) as conn:
        conn.execute(QUERIES["ingest_finish_run"], params)


def _ended(run: _Run, exc: Exception, *, db: Database, settings: Settings, sender: EmailSender) -> IngestionResult:
    """A run that did not load: its status, message and alert come from `_OUTCOMES`."""
    rule = _rule_for(exc)
    reason = rule.reason(exc)
    if rule.raises:
        return _raised(run, exc, rule=rule, reason=reason, db=db, settings=settings, sender=sender)
    if rule.status != "failed":
        _finish(db, run, status=rule.status, message=reason)
        metrics.add_metric(name=_STATUS_METRICS[rule.status], unit=MetricUnit.Count, value=1)
        # No alert: a re-delivered or out-of-order event changes nothing (logged, counted).
        logger.info("ingestion skipped", status=rule.status, reason=reason)
        return IngestionResult(bucket=run.bucket, key=run.key, status=rule.status, run_id=run.run_id, message=reason)
    if isinstance(exc, psycopg.Error):
        # A statement failed (not the connection): the transaction rolled back, nothing
        # is stored. Only the SQLSTATE goes into the log message (no data, no SQL).
        logger.exception("ingestion database error", sqlstate=exc.sqlstate)
    return _failed(
        run,
        reason,
        db=db,
        settings=settings,
        sender=sender,
        storage_code=exc.code if isinstance(exc, StorageError) else None,
        refused=exc if isinstance(exc, LoadRefused) else None,
        unsupported=rule.alert == "unsupported",
        final=rule.final,
    )


def _raised(
    run: _Run, exc: Exception, *, rule: _Rule, reason: str, db: Database, settings: Settings, sender: EmailSender
) -> IngestionResult:
    """The invocation fails so Lambda retries the event: the run is failed quietly (its
    retry is a new run of the same upload), one alert, then the error propagates."""
    down = rule.alert == "database_down"
    _mark_failed_quietly(
        run, reason, db=db, what_to_do=remedies.for_database_down() if down else remedies.for_crash(run.run_id)
    )
    if down:
        _database_down(run.file_name, settings=settings, sender=sender)
        raise exc
    logger.exception("ingestion crashed")
    metrics.add_metric(name="IngestionRunsFailed", unit=MetricUnit.Count, value=1)
    send_alert(
        Alert(
            kind="ingestion_failed",
            subject=f"Ingestion failed: {clip(run.file_name)}",
            summary=f"The load of {clip(run.file_name)} stopped on an internal error; nothing from it was stored. "
            "Lambda retries the event.",
            details=[("File", clip(run.file_name)), ("Run", str(run.run_id))],
            todo=remedies.for_crash(run.run_id),
        ),
        settings=settings,
        sender=sender,
        journal=DatabaseAlertJournal(db),
    )
    raise exc


def _store_rejections(db: Database, run_id: UUID, rejected: list[RejectedRow]) -> None:
    with db.transaction(tenant=Tenant.every_client()) as conn:
        store_rejected_rows(conn, run_id, rejected)


def _mark_failed_quietly(run: _Run, message: str, *, db: Database, what_to_do: list[str]) -> None:
    try:
        _finish(db, run, status="failed", message=message, retried_by_lambda=True, what_to_do=what_to_do)
    except Exception:  # noqa: BLE001 - best effort: the original error is what matters
        logger.warning("could not mark the run failed", run_id=str(run.run_id))


def _failed(
    run: _Run,
    reason: str,
    *,
    db: Database,
    settings: Settings,
    sender: EmailSender,
    storage_code: str | None = None,
    refused: LoadRefused | None = None,
    unsupported: bool = False,
    final: bool = True,
) -> IngestionResult:
    rejected = refused.rejected if refused else []
    rejected_count = refused.rejected_count if refused else 0
    rows = refused.rows if refused else 0
    checksum = refused.checksum if refused else None
    message = f"failed: {reason}"
    denied = storage_code == "AccessDenied"
    todo = _failed_file_remedy(run, reason, denied=denied, unsupported=unsupported, rejected=rejected)
    # The failed run keeps its evidence (rejected rows) and its steps; none of the file's data is stored.
    _finish(
        db,
        run,
        status="failed",
        message=message,
        checksum=checksum,
        file_size=refused.size if refused else None,
        records_failed=rejected_count,
        # The clients its rows named, as far as it was read: the agency overview and the run
        # list's client filter find the failure under them (empty before any row is read).
        client_ids=refused.client_ids if refused else [],
        retried_by_lambda=not final,
        what_to_do=todo,
    )
    if rejected:
        _store_rejections(db, run.run_id, rejected[: ALERT_REJECT_LINES * 20])
    metrics.add_metric(name="IngestionRunsFailed", unit=MetricUnit.Count, value=1)
    logger.warning("ingestion failed", reason=reason, storage_code=storage_code, rows=rows, rejected=rejected_count)
    file_name = clip(run.file_name)
    send_alert(
        Alert(
            kind="s3_access_denied" if denied else "ingestion_failed",
            subject=f"S3 access denied: {file_name}" if denied else f"Ingestion failed: {file_name}",
            summary=f"The file {file_name} was not loaded; nothing from it was stored.",
            details=[
                ("File", file_name),
                ("Reason", reason),
                ("Data rows", count(rows)),
                ("Rejected rows", count(rejected_count)),
                ("Run", str(run.run_id)),
            ],
            lines=[item.describe() for item in rejected[:ALERT_REJECT_LINES]],
            todo=todo,
            client_id=_sole(refused.client_ids if refused else []),
        ),
        settings=settings,
        sender=sender,
        journal=DatabaseAlertJournal(db),
    )
    return IngestionResult(
        bucket=run.bucket,
        key=run.key,
        status="failed",
        run_id=run.run_id,
        records_failed=rejected_count,
        message=message,
        checksum=checksum,
    )


def _failed_file_remedy(
    run: _Run, reason: str, *, denied: bool, unsupported: bool, rejected: list[RejectedRow]
) -> list[str]:
    if denied:
        return remedies.for_access_denied(run.bucket, run.key, run_id=run.run_id)
    if unsupported:
        return remedies.for_unsupported_object(run.bucket, run.key, run_id=run.run_id)
    return remedies.for_failed_file(reason, run_id=run.run_id, rejected=rejected)


def _loaded(
    run: _Run,
    outcome: LoadOutcome,
    *,
    settings: Settings,
    sender: EmailSender,
    db: Database,
) -> IngestionResult:
    metrics.add_metric(name="RowsIngested", unit=MetricUnit.Count, value=outcome.records_loaded)
    metrics.add_metric(name="RowsRejected", unit=MetricUnit.Count, value=outcome.rejected_count)
    metrics.add_metric(name=_STATUS_METRICS[outcome.status], unit=MetricUnit.Count, value=1)
    logger.info(
        "ingestion loaded",
        status=outcome.status,
        records_loaded=outcome.records_loaded,
        records_rejected=outcome.rejected_count,
        stale_days=outcome.stale_days,
        unpriced_clients=len(outcome.unpriced),
        summaries_refreshed=outcome.summaries_refreshed,
        timings=outcome.timings,
    )
    file_name = clip(run.file_name)
    if remedies.rejections_need_action(outcome.status, outcome.rejected_count):
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
                    ("Run", str(run.run_id)),
                ],
                lines=[item.describe() for item in outcome.rejected[:ALERT_REJECT_LINES]],
                todo=remedies.for_rejected_rows(outcome.rejected, run_id=run.run_id),
                client_id=_sole(outcome.client_ids),
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
                details=[("File", file_name), ("Run", str(run.run_id))],
                lines=[
                    f"{item.client_name}: {item.date_from} to {item.date_to} ({count(item.days)} days, {count(item.rows)} rows)"
                    for item in outcome.unpriced
                ],
                todo=remedies.for_unpriced(outcome.unpriced),
                client_id=_sole(outcome.client_ids),
            ),
            settings=settings,
            sender=sender,
            journal=DatabaseAlertJournal(db),
        )
    return IngestionResult(
        bucket=run.bucket,
        key=run.key,
        status=outcome.status,
        run_id=run.run_id,
        records_loaded=outcome.records_loaded,
        records_failed=outcome.rejected_count,
        stale_days=outcome.stale_days,
        message=outcome.message,
        checksum=outcome.checksum,
        timings={phase: round(seconds, 3) for phase, seconds in outcome.timings.items()},
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


def _sole(client_ids: list[UUID]) -> UUID | None:
    """The client an alert concerns when its file named exactly one (the alert log's filter)."""
    return client_ids[0] if len(client_ids) == 1 else None
