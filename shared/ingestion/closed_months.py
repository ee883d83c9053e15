"""The ingestion step of closed months (SPEC §12): a file's rows for a client's closed month
are refused with the reason "month closed"; the rest of the file loads.

One set-based statement (`ingest_reject_closed_months`) moves them out of staging (and
their days out of the day fingerprints, so those days are neither replaced nor recorded as
loaded). It runs under the clients' data locks, after the unchanged days were dropped: a
re-delivered file whose closed days equal what is stored changes nothing and refuses
nothing. These refusals do not count against the reject threshold — the file is fine, the
month is frozen — and make the run `partial` with its one alert, whose remedy names the
reopen route.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg

from shared.admin.closed_months import MONTH_CLOSED
from shared.db import QUERIES
from shared.ingestion.validation import RejectedRow


@dataclass(frozen=True, slots=True)
class ClosedMonthRejections:
    count: int = 0
    days: int = 0
    rows: list[RejectedRow] = field(default_factory=list)  # the first `limit`, by line


def reject_closed_months(conn: psycopg.Connection[Any], *, limit: int) -> ClosedMonthRejections:
    """Move the staged rows of closed months to rejected rows; keep at most `limit` of them."""
    row = conn.execute(QUERIES["ingest_reject_closed_months"], {"limit": limit}).fetchone()
    if row is None or not row["rejected"]:
        return ClosedMonthRejections()
    return ClosedMonthRejections(
        count=row["rejected"],
        days=row["days"],
        rows=[
            RejectedRow(line_number=line, column="date", value=day, reason=MONTH_CLOSED)
            for line, day in zip(row["line_numbers"], row["dates"], strict=True)
        ],
    )
