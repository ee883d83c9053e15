"""The one-transaction load of a partner file: stream -> staging (COPY) -> set-based upserts.

Everything a file changes (dimensions, the replaced days of `daily_metrics`, the ingestion
log's final state, its rejected rows, the queued and regenerated summaries) commits
together or not at all.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO, ParamSpec
from uuid import UUID

import psycopg
from psycopg import errors as pg_errors

from shared.db import QUERIES
from shared.ingestion import remedies
from shared.ingestion.closed_months import reject_closed_months
from shared.ingestion.csv_reader import FileRejected, map_header, open_csv
from shared.ingestion.limits import Deadline, DeadlineExceeded, ReadLimits
from shared.ingestion.validation import ClientRef, ClientResolver, RejectedRow, RowValidator
from shared.numbers.human import count
from shared.settings import Settings
from shared.summaries.refresh import regenerate_queued

# Rejected rows kept for the log. A file can only be `partial` with at most
# reject_threshold x rows rejections; past this many we only count them (bounded memory).
MAX_KEPT_REJECTIONS = 100_000
MAX_LISTED_COLUMNS = 20  # ignored columns named in the run message (each clipped to 200 chars)
COPY_BATCH_ROWS = 2000  # lines per COPY write: fewer calls, still a small buffer
_KEY_SLUG = re.compile(r"^clients/([a-z0-9]([a-z0-9-]*[a-z0-9])?)/")

Conn = psycopg.Connection[dict[str, Any]]


class LoadRefused(FileRejected):
    """A whole-file failure found after reading: carries what was learnt about the file."""

    def __init__(
        self,
        reason: str,
        *,
        checksum: str,
        size: int,
        rows: int,
        rejected: list[RejectedRow],
        rejected_count: int,
        client_ids: list[UUID] | None = None,
    ) -> None:
        super().__init__(reason)
        self.client_ids = client_ids or []  # the clients its rows named, as far as it was read
        self.checksum = checksum
        self.size = size
        self.rows = rows
        self.rejected = rejected
        self.rejected_count = rejected_count


@dataclass
class UnpricedClient:
    client_name: str
    date_from: date
    date_to: date
    days: int
    rows: int


@dataclass
class LoadOutcome:
    """What a committed load did."""

    checksum: str
    size: int
    rows: int
    records_loaded: int
    rejected: list[RejectedRow]
    rejected_count: int
    unpriced: list[UnpricedClient]
    client_ids: list[UUID]
    date_from: date | None
    date_to: date | None
    ignored_columns: list[str]
    ctr_warnings: int
    summaries_refreshed: int
    unchanged_days: int = 0  # days whose stored rows already equal the file's
    stale_days: int = 0  # days a newer upload already holds (left alone)
    closed_month_rows: int = 0  # rows refused because their month is closed (in `rejected` too)
    status: str = "success"
    message: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase, for logs and the benchmark


def key_slug(key: str) -> str | None:
    """The client slug of an object key `clients/<slug>/...`, if it has one."""
    match = _KEY_SLUG.match(key)
    return match.group(1) if match else None


def _resolver(conn: Conn, key: str) -> ClientResolver:
    advertisers = {
        row["name_key"]: ClientRef(row["client_id"], row["status"] == "active")
        for row in conn.execute(QUERIES["ingest_client_directory"]).fetchall()
    }
    key_client = None
    slug = key_slug(key)
    if slug:
        row = conn.execute(QUERIES["ingest_client_by_slug"], {"slug": slug}).fetchone()
        if row:
            key_client = ClientRef(row["client_id"], row["status"] == "active")
    return ClientResolver(advertisers=advertisers, key_client=key_client)


def _is_blank(fields: list[str]) -> bool:
    return not any(value.strip() for value in fields)


@dataclass
class _Staged:
    """What reading the file into staging learnt."""

    checksum: str
    size: int
    valid: int
    rejected: list[RejectedRow]
    rejected_count: int
    validator: RowValidator
    ignored_columns: list[str]

    @property
    def rows(self) -> int:
        return self.valid + self.rejected_count

    def refuse(self, reason: str) -> LoadRefused:
        return LoadRefused(
            reason,
            checksum=self.checksum,
            size=self.size,
            rows=self.rows,
            rejected=self.rejected,
            rejected_count=self.rejected_count,
            client_ids=sorted(self.validator.client_ids),
        )


P = ParamSpec("P")


def _deadline_cancels(load: Callable[P, LoadOutcome]) -> Callable[P, LoadOutcome]:
    """A statement cancelled by the deadline's statement timeout is the deadline's failure."""

    @functools.wraps(load)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> LoadOutcome:
        try:
            return load(*args, **kwargs)
        except pg_errors.QueryCanceled:
            deadline = kwargs.get("deadline")
            if isinstance(deadline, Deadline) and deadline.remaining() <= 0:
                raise DeadlineExceeded() from None
            raise

    return guarded


@_deadline_cancels
def load_file(
    conn: Conn,
    body: BinaryIO,
    *,
    run_id: UUID,
    key: str,
    settings: Settings,
    today: date,
    uploaded_at: datetime,
    deadline: Deadline | None = None,
) -> LoadOutcome:
    """Load one file inside the caller's transaction (every client visible), in phases:
    stage (stream -> COPY), check (whole-file rules), compare (the newest upload per day,
    day fingerprints), replace (dimensions, the changed days of `daily_metrics`), finish
    (summaries, log row).

    `uploaded_at` orders this upload against the ones already stored: a day whose stored
    upload is newer is stale and left alone (SPEC §3). Raises `FileRejected`/`LoadRefused`
    for a whole-file failure; the caller rolls back. A file whose every day already holds
    the same rows commits as `duplicate`; one whose every day a newer upload holds, `stale`.
    `deadline` is checked while rows stream and between phases (last: just before the
    caller's commit), and bounds every later statement: past it, `DeadlineExceeded`.
    """
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    staged = _stage(conn, body, key=key, settings=settings, today=today, deadline=deadline)
    timings["read_parse_copy"] = time.perf_counter() - clock
    if deadline is not None:
        deadline.check()
        _bound_statements(conn, deadline, settings=settings)
    _check_whole_file(staged, settings=settings)
    client_ids = sorted(staged.validator.client_ids)
    conn.execute(QUERIES["ingest_lock_clients"], {"client_ids": client_ids})
    days = _compare_days(conn, staged, run_id=run_id, uploaded_at=uploaded_at)
    closed = reject_closed_months(conn, limit=MAX_KEPT_REJECTIONS - len(staged.rejected))
    if closed.count:
        staged.valid -= closed.count
        staged.rejected_count += closed.count
        staged.rejected = sorted([*staged.rejected, *closed.rows], key=lambda item: item.line_number)
    records_loaded, summaries_refreshed = 0, 0
    unpriced: list[UnpricedClient] = []
    if staged.valid > days.kept_rows:
        records_loaded, unpriced = _replace_days(
            conn, staged, run_id=run_id, uploaded_at=uploaded_at, timings=timings, clock=clock
        )
        summaries_refreshed = _refresh_summaries(conn, run_id=run_id, settings=settings)
    if staged.rejected:
        store_rejected_rows(conn, run_id, staged.rejected)
    outcome = LoadOutcome(
        checksum=staged.checksum,
        size=staged.size,
        rows=staged.rows,
        records_loaded=records_loaded,
        rejected=staged.rejected,
        rejected_count=staged.rejected_count,
        unpriced=unpriced,
        client_ids=client_ids,
        date_from=staged.validator.date_from,
        date_to=staged.validator.date_to,
        ignored_columns=staged.ignored_columns,
        ctr_warnings=staged.validator.ctr_warnings,
        summaries_refreshed=summaries_refreshed,
        unchanged_days=days.unchanged,
        stale_days=days.stale,
        closed_month_rows=closed.count,
        timings=timings,
    )
    outcome.status = _status(outcome)
    outcome.message = describe(outcome)
    _finish_run(conn, run_id, outcome)
    if deadline is not None:
        deadline.check()  # the commit follows: a run past its deadline stores nothing
    return outcome


@dataclass(frozen=True)
class _DayComparison:
    """The file's days left alone: stale (a newer upload holds them) or unchanged."""

    stale: int
    unchanged: int
    kept_rows: int  # staged rows of those days (dropped from staging)


def _compare_days(conn: Conn, staged: _Staged, *, run_id: UUID, uploaded_at: datetime) -> _DayComparison:
    """Fingerprint the file's days; drop the stale ones, then the unchanged ones (which
    this upload now holds as their newest), so only the days to replace stay staged."""
    params = {"run_id": run_id, "uploaded_at": uploaded_at}
    conn.execute(QUERIES["ingest_day_fingerprints"])
    stale_days = stale_rows = 0
    if _fetch_flag(conn, "ingest_has_stale_days", params, "stale"):
        # A key repeated inside a stale day is still a whole-file failure: look before
        # those rows leave staging (the insert's primary key only sees the kept days).
        _refuse_duplicate_keys(conn, staged)
        stale = conn.execute(QUERIES["ingest_drop_stale_days"], params).fetchone()
        stale_days, stale_rows = (int(stale["stale_days"]), int(stale["stale_rows"])) if stale else (0, 0)
    unchanged = conn.execute(QUERIES["ingest_drop_unchanged_days"], params).fetchone()
    unchanged_days, unchanged_rows = (
        (int(unchanged["unchanged_days"]), int(unchanged["unchanged_rows"])) if unchanged else (0, 0)
    )
    return _DayComparison(stale=stale_days, unchanged=unchanged_days, kept_rows=stale_rows + unchanged_rows)


def _fetch_flag(conn: Conn, query: str, params: dict[str, Any], column: str) -> bool:
    row = conn.execute(QUERIES[query], params).fetchone()
    return bool(row and row[column])


def _refuse_duplicate_keys(conn: Conn, staged: _Staged) -> None:
    duplicate = conn.execute(QUERIES["ingest_first_duplicate_key"]).fetchone()
    if duplicate is not None:
        raise staged.refuse(_duplicate_key_reason(duplicate))


def _duplicate_key_reason(duplicate: dict[str, Any] | None) -> str:
    lines = f"lines {duplicate['first_line']} and {duplicate['second_line']}" if duplicate else "twice"
    return f"the same business key (date, client, campaign, strategy, placement, creative) appears twice: {lines}"


def _status(outcome: LoadOutcome) -> str:
    """success | partial (rejected rows, or rows without a CPM) | duplicate (nothing changed)
    | stale (a newer upload holds every day of the file)."""
    if not outcome.records_loaded and (outcome.unchanged_days or outcome.stale_days) and not outcome.closed_month_rows:
        return "duplicate" if outcome.unchanged_days else "stale"
    return "partial" if outcome.rejected_count or outcome.unpriced else "success"


def _bound_statements(conn: Conn, deadline: Deadline, *, settings: Settings) -> None:
    """Cap this transaction's statement timeout at the time left: one slow statement
    cannot run the invocation past its deadline (it is cancelled, and the run fails)."""
    timeout_ms = min(max(int(deadline.remaining() * 1000), 1), settings.db_statement_timeout_ms)
    conn.execute(QUERIES["ingest_bound_statement_timeout"], {"timeout_ms": str(timeout_ms)})


def _stage(
    conn: Conn, body: BinaryIO, *, key: str, settings: Settings, today: date, deadline: Deadline | None = None
) -> _Staged:
    """Stream the file through validation into the staging table; keep the rejections."""
    resolver = _resolver(conn, key)
    stream = open_csv(
        body, key=key, max_bytes=settings.max_file_bytes, limits=ReadLimits.of(settings), deadline=deadline
    )
    header = map_header(stream.header)
    if "advertiser" not in header.columns and not resolver.has_key_client:
        raise FileRejected("no advertiser column, and the object key is not clients/<known client slug>/...")
    validator = RowValidator(header, resolver=resolver, today=today, min_date=settings.min_data_date)
    conn.execute(QUERIES["ingest_create_staging"])
    rejected: list[RejectedRow] = []
    rejected_count = 0
    valid = 0
    batch: list[str] = []
    with conn.cursor() as cur, cur.copy(QUERIES["ingest_copy_staging"]) as copy:
        for line_number, fields in stream.rows:
            if not fields:
                continue  # an empty line (bounded by MAX_FILE_ROWS): nothing to validate
            row = validator.validate(line_number, fields)
            if isinstance(row, str):
                batch.append(row)
                if len(batch) >= COPY_BATCH_ROWS:
                    copy.write("".join(batch))
                    valid += len(batch)
                    batch.clear()
            elif not _is_blank(fields):  # blank lines (or only separators) are not data rows
                rejected_count += 1
                if len(rejected) < MAX_KEPT_REJECTIONS:
                    rejected.append(row)
        copy.write("".join(batch))
        valid += len(batch)
    stream.finish()
    conn.execute(QUERIES["ingest_small_samples"])
    conn.execute(QUERIES["ingest_analyze_staging"])
    return _Staged(
        checksum=stream.hasher.checksum,
        size=stream.hasher.size,
        valid=valid,
        rejected=rejected,
        rejected_count=rejected_count,
        validator=validator,
        ignored_columns=header.unknown,
    )


def _check_whole_file(staged: _Staged, *, settings: Settings) -> None:
    if staged.rows == 0:
        raise staged.refuse("the file has a header but no data rows")
    if Decimal(staged.rejected_count) > settings.reject_threshold * staged.rows:
        raise staged.refuse(
            f"{count(staged.rejected_count)} of {count(staged.rows)} rows rejected, more than the reject threshold "
            f"({settings.reject_threshold:%} of data rows)"
        )


def _replace_days(
    conn: Conn, staged: _Staged, *, run_id: UUID, uploaded_at: datetime, timings: dict[str, float], clock: float
) -> tuple[int, list[UnpricedClient]]:
    """Upsert the dimensions, then replace every changed (client, date) of the file."""
    params = {"run_id": run_id, "uploaded_at": uploaded_at}
    conn.execute(QUERIES["ingest_map_combos"])
    for level in ("campaigns", "strategies", "placements", "creatives"):
        conn.execute(QUERIES[f"ingest_upsert_{level}"])
        conn.execute(QUERIES[f"ingest_map_{level}"])
    conn.execute(QUERIES["ingest_map_rates"])
    timings["dimensions"] = time.perf_counter() - clock - sum(timings.values())
    conn.execute(QUERIES["ingest_analyze_maps"])
    conn.execute(QUERIES["ingest_delete_restated_days"])
    try:
        # The primary key of daily_metrics (client, date, creative) rejects a
        # key repeated in the file (the file's days were just emptied): no separate pass
        # over the staged rows is needed to find duplicates in the normal case.
        with conn.transaction():
            records_loaded = conn.execute(QUERIES["ingest_insert_metrics"], params).rowcount
    except pg_errors.UniqueViolation:
        duplicate = conn.execute(QUERIES["ingest_first_duplicate_key"]).fetchone()
        raise staged.refuse(_duplicate_key_reason(duplicate)) from None
    conn.execute(QUERIES["ingest_record_day_versions"], params)
    unpriced = [
        UnpricedClient(r["client_name"], r["date_from"], r["date_to"], r["days"], r["row_count"])
        for r in conn.execute(QUERIES["ingest_unpriced_days"], params).fetchall()
    ]
    timings["replace_metrics"] = time.perf_counter() - clock - sum(timings.values())
    return records_loaded, unpriced


def _refresh_summaries(conn: Conn, *, run_id: UUID, settings: Settings) -> int:
    queued = conn.execute(QUERIES["ingest_enqueue_refresh"], {"run_id": run_id}).fetchone()
    summaries_refreshed = int(queued["queued"]) if queued else 0
    if summaries_refreshed:
        # The restated periods' summaries are rebuilt in this transaction: the new data
        # and its summaries become visible together.
        regenerate_queued(conn, settings=settings)
    return summaries_refreshed


def _finish_run(conn: Conn, run_id: UUID, outcome: LoadOutcome) -> None:
    conn.execute(
        QUERIES["ingest_finish_run"],
        {
            "run_id": run_id,
            "status": outcome.status,
            "checksum": outcome.checksum,
            "file_size": outcome.size,
            "records_loaded": outcome.records_loaded,
            "records_failed": outcome.rejected_count,
            "message": outcome.message,
            "client_ids": outcome.client_ids,
            "date_from": outcome.date_from,
            "date_to": outcome.date_to,
            "stale_days": outcome.stale_days,
            "version_id": None,
            "uploaded_at": None,
            "retried_by_lambda": False,
            "what_to_do": remedies.for_load(
                status=outcome.status,
                rejected=outcome.rejected,
                rejected_count=outcome.rejected_count,
                unpriced=outcome.unpriced,
                run_id=run_id,
            ),
        },
    )


def store_rejected_rows(conn: Conn, run_id: UUID, rejected: list[RejectedRow]) -> None:
    """Insert a run's rejected rows in one statement (COPY is refused on RLS tables)."""
    conn.execute(
        QUERIES["ingest_insert_rejected_rows"],
        {
            "run_id": run_id,
            "line_numbers": [item.line_number for item in rejected],
            "column_names": [item.column for item in rejected],
            "values": [item.value for item in rejected],
            "reasons": [item.reason for item in rejected],
        },
    )


def describe(outcome: LoadOutcome) -> str:
    """The run's log message: what loaded, what was refused, what to look at."""
    if outcome.status == "stale":
        parts = [f"stale: a newer upload already holds all {outcome.stale_days} days of this file; nothing changed"]
    elif outcome.status == "duplicate":
        days = f"{outcome.unchanged_days} days" if outcome.stale_days else f"all {outcome.unchanged_days} days"
        parts = [f"nothing changed: the stored rows already equal this file's for {days}"]
    else:
        parts = [f"{outcome.records_loaded} rows loaded"]
        if outcome.unchanged_days:
            parts.append(f"{outcome.unchanged_days} days unchanged")
    if outcome.stale_days and outcome.status != "stale":
        parts.append(f"{outcome.stale_days} days stale (a newer upload holds them; left alone)")
    if outcome.rejected_count:
        parts.append(f"{outcome.rejected_count} rows rejected")
    if outcome.closed_month_rows:
        parts.append(f"{outcome.closed_month_rows} of them in a closed month (reason: month closed)")
    for item in outcome.unpriced:
        span = item.date_from.isoformat() if item.days == 1 else f"{item.date_from} to {item.date_to}"
        parts.append(f"no CPM for client {item.client_name} on {span} ({item.rows} rows have no spend)")
    if outcome.ctr_warnings:
        parts.append(
            f"{outcome.ctr_warnings} rows whose partner CTR differs from clicks/impressions by more than 0.5 pp"
        )
    if outcome.ignored_columns:
        shown = outcome.ignored_columns[:MAX_LISTED_COLUMNS]
        more = len(outcome.ignored_columns) - len(shown)
        parts.append("ignored columns: " + ", ".join(shown) + (f" and {more} more" if more > 0 else ""))
    return "; ".join(parts)
