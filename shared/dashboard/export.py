"""CSV export of a client's performance, built incrementally from a server-side cursor.

API Gateway needs the whole response body at once, so "streaming" here means the rows are
fetched from a named (server-side) cursor in chunks and written straight into the output
buffer: memory holds one chunk plus the CSV text, never a list of every row. The body is
capped (`MAX_EXPORT_BYTES`, under the 6 MB Lambda response limit once base64 is not
needed); a bigger export fails with a clear message instead of a truncated file.

Every text cell is neutralised against formula injection: a cell starting with `=`, `+`,
`-`, `@`, a tab or a carriage return gets a leading `'`, so spreadsheets show it as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any, Literal
from uuid import UUID

from shared.dashboard.params import DateRange, Level
from shared.dashboard.service import require_client
from shared.db import QUERIES, Database, Tenant
from shared.errors import InvalidInput
from shared.metrics import AGGREGATE_KEYS, Aggregate
from shared.numbers import as_json, human

MAX_EXPORT_BYTES = 5_000_000
CHUNK_ROWS = 2000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

EXPORT_QUERIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "daily": ("dashboard_daily_totals", ("date",)),
    Level.CAMPAIGN.value: ("dashboard_export_campaign", ("campaign",)),
    Level.STRATEGY.value: ("dashboard_export_strategy", ("campaign", "strategy")),
    Level.PLACEMENT.value: ("dashboard_export_placement", ("campaign", "strategy", "placement")),
    Level.CREATIVE.value: ("dashboard_export_creative", ("campaign", "strategy", "placement", "creative")),
}


def neutralise(value: str) -> str:
    """A text cell a spreadsheet will not evaluate as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


class _Body:
    """The CSV text, refusing to grow past the cap."""

    def __init__(self, limit: int) -> None:
        self.buffer = io.StringIO()
        self.size = 0
        self.limit = limit

    def write(self, text: str) -> int:
        self.size += len(text.encode("utf-8"))
        if self.size > self.limit:
            raise InvalidInput("the export is too large: choose a shorter date range or a coarser level")
        return self.buffer.write(text)


def export_filename(slug: str, level: str, date_range: DateRange) -> str:
    return f"{slug}-{level}-{date_range.start.isoformat()}-{date_range.end.isoformat()}.csv"


def export_csv(
    db: Database,
    *,
    client_id: UUID,
    level: Level | Literal["daily"],
    date_range: DateRange,
    max_bytes: int = MAX_EXPORT_BYTES,
    chunk_rows: int = CHUNK_ROWS,
) -> tuple[str, str]:
    """`(filename, csv text)`: one row per day (`daily`) or per entity of `level` over the
    range, with the names of its parents and every aggregate key in the number convention of
    `shared.numbers` (money to cents, CPC/CPA 4 places, ratios 6).

    Raises InvalidInput when the file would exceed `max_bytes`.
    """
    key = level if isinstance(level, str) else level.value
    query_name, label_columns = EXPORT_QUERIES[str(key)]
    body = _Body(max_bytes)
    writer = csv.writer(body, lineterminator="\r\n")
    params = {"client_id": client_id, "date_from": date_range.start, "date_to": date_range.end}
    with db.transaction(tenant=Tenant.client(client_id)) as conn:
        client = require_client(conn, client_id)
        # Amount columns name the client's currency: "spend (EUR)".
        writer.writerow([*label_columns, *(human.column_label(key, client["currency"]) for key in AGGREGATE_KEYS)])
        # A named cursor lives on the server: rows arrive chunk by chunk (itersize).
        with conn.cursor(name="dashboard_export") as cursor:
            cursor.itersize = chunk_rows
            cursor.execute(QUERIES[query_name], params)
            _write_rows(writer, cursor, label_columns)
    return export_filename(client["slug"], str(key), date_range), body.buffer.getvalue()


def _write_rows(writer: Any, rows: Iterable[dict[str, Any]], label_columns: tuple[str, ...]) -> None:
    for row in rows:
        values = as_json(Aggregate.from_row(row).to_api())
        writer.writerow([*(_cell(row[c]) for c in label_columns), *(_cell(values[k]) for k in AGGREGATE_KEYS)])
