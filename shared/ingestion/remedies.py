"""What the admin does about an ingestion alert: the exact fix, then how to re-run.

Every ingestion alert ends with these steps ("What to do" in the email). They name the admin
route and the admin portal page that fix the cause, the values to enter (an advertiser name,
a column header, a CPM date) and how the file is then loaded: the retry of the failed run, or
a new upload (which replaces the days it holds, so nothing is counted twice).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from uuid import UUID

from shared.ingestion.csv_reader import FIELD_ALIASES, clip
from shared.ingestion.validation import RejectedRow

if TYPE_CHECKING:  # the loader imports this module's callers; only its type is needed here
    from shared.ingestion.loader import UnpricedClient

# csv_reader's reason: "missing required column: clicks" / "...columns: a, b" (older runs: "column(s)").
MISSING_COLUMNS = re.compile(r"^missing required columns?(?:\(s\))?: (.+)$")
UNRESOLVED_ADVERTISER = "unresolved advertiser"
MONTH_CLOSED = "month closed"  # shared.admin.closed_months.MONTH_CLOSED (the loader's step)
MAX_NAMED_VALUES = 10


def retry_step(run_id: UUID) -> str:
    return (
        f"Re-run the file: POST /admin/ingestions/{run_id}/retry (admin portal: Ingestion runs → run {run_id} → "
        "Retry), or upload the corrected file again."
    )


REUPLOAD_STEP = (
    "Then upload the file again (the partner re-sends it, or admin portal: Ingestion runs → Upload): the days it "
    "holds are replaced, so the rows already loaded are not counted twice."
)


def _advertiser_steps(rejected: Iterable[RejectedRow]) -> list[str]:
    names = sorted({clip(row.value) for row in rejected if row.reason == UNRESOLVED_ADVERTISER and row.value})
    if not names:
        return []
    shown = ", ".join(repr(name) for name in names[:MAX_NAMED_VALUES])
    more = f" and {len(names) - MAX_NAMED_VALUES} more" if len(names) > MAX_NAMED_VALUES else ""
    return [
        f"Add the advertiser {'name' if len(names) == 1 else 'names'} {shown}{more} to the client they belong to: PUT "
        "/admin/clients/{client_id}/advertisers with the client's full list of names (admin portal: Clients → "
        "the client → Advertiser names). Names match ignoring case and spaces."
    ]


def _column_steps(reason: str) -> list[str]:
    match = MISSING_COLUMNS.match(reason)
    if not match:
        return []
    fields = [name.strip() for name in match.group(1).split(",") if name.strip()]
    return [
        f"Ask the partner to include the column {field!r} (accepted headers: "
        + ", ".join(FIELD_ALIASES.get(field, (field,)))
        + "; case, spaces, underscores and dashes are ignored)."
        for field in fields
    ]


def _closed_month_steps(rejected: Iterable[RejectedRow]) -> list[str]:
    months = sorted({row.value[:7] for row in rejected if row.reason == MONTH_CLOSED and row.value})
    if not months:
        return []
    shown = ", ".join(months[:MAX_NAMED_VALUES])
    return [
        f"Rows of the closed {'month' if len(months) == 1 else 'months'} {shown} were refused (reason 'month closed'); the rest of the file loaded. If the "
        "restatement is wanted, reopen the month: POST /admin/clients/{client_id}/months/YYYY-MM/reopen (admin "
        "portal: Clients → the client → Closed months → Reopen), then upload the file again; otherwise nothing "
        "needs doing."
    ]


def for_failed_file(reason: str, *, run_id: UUID, rejected: Sequence[RejectedRow] = ()) -> list[str]:
    """The steps after a whole-file failure (nothing from the file was stored)."""
    steps = _column_steps(reason) + _advertiser_steps(rejected)
    if not steps and rejected:
        steps.append(
            "Ask the partner to correct the rejected rows (each with its line, column and reason) and send the file "
            "again; more rows were rejected than the reject threshold (REJECT_THRESHOLD) allows."
        )
    if not steps:
        steps.append(f"Ask the partner to send a corrected file; the reason says what is wrong ({clip(reason)}).")
    return [*steps, retry_step(run_id)]


def for_unsupported_object(bucket: str, key: str, *, run_id: UUID) -> list[str]:
    """The steps after an object that is not a partner file landed (nothing was read)."""
    return [
        f"If s3://{bucket}/{clip(key)} is a partner file, rename it to end in .csv or .csv.gz (any case) and upload "
        "it again; a new upload is a new run. Otherwise delete it from the landing bucket: nothing else lands there.",
        f"No retry of run {run_id} is needed: a retry would read the same object and fail the same way.",
    ]


def for_rejected_rows(rejected: Sequence[RejectedRow], *, run_id: UUID) -> list[str]:
    """The steps after a partial load (the good rows are stored; these were not)."""
    steps = _advertiser_steps(rejected) + _closed_month_steps(rejected)
    if any(row.reason not in (UNRESOLVED_ADVERTISER, MONTH_CLOSED) for row in rejected):
        steps.append(
            "Ask the partner to correct the other rejected rows (each with its line, column and reason); every "
            f"rejected row of run {run_id} is on its page (admin portal: Ingestion runs → the run) and in "
            f"GET /admin/ingestions/{run_id}/rejected-rows."
        )
    return [*steps, REUPLOAD_STEP]


def rejections_need_action(status: str, rejected_count: int) -> bool:
    """Whether a committed load's rejected rows call for an alert and steps (a duplicate or
    stale file changed nothing, whatever it would have rejected)."""
    return bool(rejected_count) and status not in ("duplicate", "stale")


def for_load(
    *,
    status: str,
    rejected: Sequence[RejectedRow],
    rejected_count: int,
    unpriced: Sequence[UnpricedClient],
    run_id: UUID,
) -> list[str]:
    """Every step a committed load's alerts give (rejected rows, then rows without a CPM), for
    the run's own record."""
    steps = for_rejected_rows(rejected, run_id=run_id) if rejections_need_action(status, rejected_count) else []
    return steps + (for_unpriced(unpriced) if unpriced else [])


def for_unpriced(unpriced: Sequence[UnpricedClient]) -> list[str]:
    """The steps after rows loaded without spend (no CPM in force for their dates)."""
    steps = [
        f"Add a CPM rate for {item.client_name} effective on or before {item.date_from}: POST "
        '/admin/clients/{client_id}/cpm {"cpm": "4.25", "effective_date": "'
        f"{item.date_from}"
        '"} (admin portal: Clients → '
        f"{item.client_name} → Rate card; preview first)."
        for item in unpriced
    ]
    return [*steps, "No re-upload is needed: adding the rate prices the stored rows and rebuilds their summaries."]


def for_access_denied(bucket: str, key: str, *, run_id: UUID) -> list[str]:
    return [
        f"Give the ingest function read access to s3://{bucket}/{key} (bucket policy, object ownership, and the "
        "KMS key if the object is encrypted with one).",
        retry_step(run_id),
    ]


def for_crash(run_id: UUID) -> list[str]:
    return [
        "Nothing yet: Lambda retries the event twice. If the retries fail too, look up this run id in the ingest "
        "function's logs.",
        retry_step(run_id),
    ]


def for_database_down() -> list[str]:
    return [
        "Nothing yet if the database recovers: Lambda retries the event, and the file loads then.",
        "If this repeats, check the RDS instance (and RDS Proxy when enabled): status, connections, storage. "
        "Once it is back, upload the file again or retry its failed run from the admin portal.",
    ]


def for_missing_file(client_name: str, client_slug: str, day: str) -> list[str]:
    return [
        f"Ask the partner whether a file with {client_name}'s rows for {day} was sent; check the admin portal's "
        "Ingestion runs for a failed file of that day.",
        f"A late file is loaded as soon as it lands (with an advertiser column naming {client_name}, or under "
        f"clients/{client_slug}/). If the client had no delivery that day, nothing needs doing.",
    ]


def for_interrupted(run_ids: Sequence[UUID]) -> list[str]:
    return [
        *(f"Retry run {run_id}: POST /admin/ingestions/{run_id}/retry." for run_id in run_ids[:MAX_NAMED_VALUES]),
        "If a file keeps timing out, split it by day and upload the parts (each replaces only its own days).",
    ]
