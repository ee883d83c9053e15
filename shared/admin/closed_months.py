"""Closed months: the admin closes a client's month after invoicing; while it is closed, no
rate change, buy-cost change or restated file may touch its days.

Closing and reopening take the client's data lock (the lock ingestion and re-pricing take),
so a close never interleaves with a load or a re-pricing of the same client; each is logged
(`client_month_events`) with who and when. The guard for price changes is `refuse_if_closed`
(a 409 naming the month); ingestion moves a closed month's staged rows to its rejected rows
(`shared.ingestion.closed_months`).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Literal
from uuid import UUID

import psycopg

from shared.db import QUERIES, Database, Tenant
from shared.errors import Conflict, InvalidInput, NotFound
from shared.observability import logger
from shared.validation import DateBounds

MONTH_CLOSED = "month closed"  # the rejected-row reason ingestion gives
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")  # ASCII digits only
EVENTS_SHOWN = 100


def parse_month(text: str) -> date:
    """'YYYY-MM' -> the first day of that month; InvalidInput otherwise."""
    match = _MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise InvalidInput("month must be a month in YYYY-MM format (e.g. 2026-01)")
    return date(int(match.group(1)), int(match.group(2)), 1)


def refuse_if_closed(conn: psycopg.Connection[Any], client_id: UUID, *, date_from: date, date_to: date | None) -> None:
    """Raise Conflict (409) naming the first closed month that [date_from, date_to] touches
    (date_to None: open-ended). Call it under the client's data lock."""
    row = conn.execute(
        QUERIES["ledger_first_closed_month"], {"client_id": client_id, "date_from": date_from, "date_to": date_to}
    ).fetchone()
    if row is not None:
        raise Conflict(
            f"month {row['month']} is closed: a change effective from {date_from.isoformat()} would re-price it;"
            f" reopen it first (POST /admin/clients/{client_id}/months/{row['month']}/reopen)"
        )


def refuse_price_change(
    conn: psycopg.Connection[Any], client_id: UUID, *, effective_date: date, next_date_query: str
) -> None:
    """Refuse (409) a rate or buy cost effective on `effective_date` when a closed month lies
    in the days it would apply to: up to the next one's date (`next_date_query` finds it), or
    open-ended."""
    row = conn.execute(QUERIES[next_date_query], {"client_id": client_id, "effective_date": effective_date}).fetchone()
    next_date = row["next_date"] if row else None
    refuse_if_closed(
        conn, client_id, date_from=effective_date, date_to=None if next_date is None else next_date - timedelta(days=1)
    )


def _within(month: date, bounds: DateBounds) -> bool:
    return bounds.earliest.replace(day=1) <= month <= bounds.latest


def _months_between(bounds: DateBounds) -> str:
    return f"between {bounds.earliest.isoformat()[:7]} and {bounds.latest.isoformat()[:7]}"


def set_month(
    db: Database,
    client_id: UUID,
    month: date,
    *,
    action: Literal["close", "reopen"],
    actor_id: UUID,
    bounds: DateBounds,
) -> dict[str, Any]:
    """Close or reopen a month; idempotent (closing a closed month changes nothing and logs
    nothing). Returns the month's state and, when it changed, the logged event.

    A month may be closed from the month of `bounds.earliest` (`MIN_DATA_DATE`) to the month
    of `bounds.latest` (today: a month is invoiced once it has begun) — closing 9999-12 would
    refuse every later rate change. Reopening an open month outside `bounds` is refused the
    same way; a closed one is always reopened (so a mistaken close can be undone)."""
    if action == "close" and not _within(month, bounds):
        raise InvalidInput(f"month must be a month {_months_between(bounds)} (a month is closed once it has begun)")
    params = {"client_id": client_id, "month": month, "actor_id": actor_id, "action": action}
    with db.transaction(tenant=Tenant.every_client()) as conn:
        if conn.execute(QUERIES["admin_client_exists"], params).fetchone() is None:
            raise NotFound("client not found")
        conn.execute(QUERIES["admin_lock_client_data"], params)
        changed = conn.execute(
            QUERIES["ledger_close_month" if action == "close" else "ledger_reopen_month"], params
        ).fetchone()
        if not changed and not _within(month, bounds):
            raise InvalidInput(f"month must be a month {_months_between(bounds)}")
        event = conn.execute(QUERIES["ledger_insert_month_event"], params).fetchone() if changed else None
    logger.info("month " + ("closed" if action == "close" else "reopened"), client_id=str(client_id),
                month=month.isoformat()[:7], changed=bool(changed))  # fmt: skip
    return {
        "month": month.isoformat()[:7],
        "closed": action == "close",
        "changed": changed is not None,
        "event": None if event is None else {**event, "month": month.isoformat()[:7]},
    }


def list_months(db: Database, client_id: UUID) -> dict[str, Any]:
    """The client's closed months (newest first) and its close/reopen log (newest first)."""
    params = {"client_id": client_id, "limit": EVENTS_SHOWN}
    with db.transaction(tenant=Tenant.every_client()) as conn:
        if conn.execute(QUERIES["admin_client_exists"], params).fetchone() is None:
            raise NotFound("client not found")
        closed = conn.execute(QUERIES["ledger_list_closed_months"], params).fetchall()
        events = conn.execute(QUERIES["ledger_list_month_events"], params).fetchall()
    return {"closed": closed, "events": events}
