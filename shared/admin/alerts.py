"""The alert log for the admin: every alert the system tried to send, newest first."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from shared.db import QUERIES, Database, Tenant
from shared.errors import InvalidInput


def list_alerts(
    db: Database,
    *,
    kind: str | None,
    status: str | None,
    run_id: UUID | None,
    client_id: UUID | None,
    date_from: date | None,
    date_to: date | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """A page of recorded alerts, filtered by kind, status, run, client and day range."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InvalidInput("from must not be after to")
    params = {
        "kind": kind,
        "status": status,
        "run_id": run_id,
        "client_id": client_id,
        "from": date_from,
        "to": date_to,
        "limit": limit,
        "offset": offset,
    }
    with db.transaction(tenant=Tenant.every_client()) as conn:
        total = conn.execute(QUERIES["admin_count_alerts"], params).fetchone()["total"]  # type: ignore[index]
        rows = conn.execute(QUERIES["admin_list_alerts"], params).fetchall()
    return rows, total
