"""The agency's buy cost: an effective-dated partner CPM per client, the rate card's twin.

A buy CPM applies from its `effective_date` (inclusive) until the next one's date. Cost is
computed when read (`shared.admin.margin`), never stored per metric row, so a change
rewrites nothing: it only changes which CPM the read applies. Its impact (the days and rows
whose buy CPM changes, cost before -> after, in total and per calendar month) is measured by
reading the daily cost before and after the upsert in one transaction under the client's
data lock; `preview` rolls that transaction back. The same CPM rules as the rate card
(`rate_card.validate_cpm`) and the same closed-month guard apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from shared.admin import closed_months
from shared.admin.rate_card import validate_cpm
from shared.db import QUERIES, Database, Tenant
from shared.errors import NotFound
from shared.observability import logger


@dataclass(frozen=True, slots=True)
class CostMonthImpact:
    """The days of one calendar month ("YYYY-MM") whose buy CPM a change alters (or would)."""

    month: str
    rows_changed: int
    cost_before: Decimal | None
    cost_after: Decimal | None


@dataclass(frozen=True, slots=True)
class BuyCostChange:
    """What a buy-cost change did (or, for a preview, would do)."""

    buy_cost: dict[str, Any]
    created: bool
    preview: bool
    rows_changed: int
    cost_before: Decimal | None
    cost_after: Decimal | None
    date_from: date | None
    date_to: date | None
    months: tuple[CostMonthImpact, ...] = ()


class _Rollback(Exception):
    def __init__(self, result: BuyCostChange) -> None:
        super().__init__("preview")
        self.result = result


def _sum(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def list_buy_costs(db: Database, client_id: UUID, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """The client's buy costs, newest first, each with `effective_until`."""
    params = {"client_id": client_id, "limit": limit, "offset": offset}
    with db.transaction(tenant=Tenant.every_client()) as conn:
        if conn.execute(QUERIES["admin_client_exists"], params).fetchone() is None:
            raise NotFound("client not found")
        total = conn.execute(QUERIES["ledger_count_buy_costs"], params).fetchone()["total"]  # type: ignore[index]
        rows = conn.execute(QUERIES["ledger_list_buy_costs"], params).fetchall()
    return rows, total


def set_buy_cost(db: Database, client_id: UUID, *, cpm: Decimal, effective_date: date, preview: bool) -> BuyCostChange:
    """Add (or, for an existing effective date, change) a buy CPM; report its impact."""
    cpm = validate_cpm(cpm)
    params = {"client_id": client_id, "cpm": cpm, "effective_date": effective_date, "date_from": effective_date}
    try:
        with db.transaction(tenant=Tenant.every_client()) as conn:
            if conn.execute(QUERIES["admin_client_exists"], params).fetchone() is None:
                raise NotFound("client not found")
            conn.execute(QUERIES["admin_lock_client_data"], params)
            closed_months.refuse_price_change(
                conn, client_id, effective_date=effective_date, next_date_query="ledger_next_buy_cost_date"
            )
            before = {row["date"]: row for row in conn.execute(QUERIES["ledger_daily_cost_from"], params)}
            stored = conn.execute(QUERIES["ledger_upsert_buy_cost"], params).fetchone()
            assert stored is not None
            after = conn.execute(QUERIES["ledger_daily_cost_from"], params).fetchall()
            changed = [(before[row["date"]], row) for row in after if before[row["date"]]["buy_cpm"] != row["buy_cpm"]]
            by_month: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
            for old, new in changed:
                by_month.setdefault(new["date"].isoformat()[:7], []).append((old, new))
            created = bool(stored.pop("created"))
            result = BuyCostChange(
                buy_cost=dict(stored),
                created=created,
                preview=preview,
                rows_changed=sum(new["rows"] for _, new in changed),
                cost_before=_sum([old["cost"] for old, _ in changed]),
                cost_after=_sum([new["cost"] for _, new in changed]),
                date_from=changed[0][1]["date"] if changed else None,
                date_to=changed[-1][1]["date"] if changed else None,
                months=tuple(
                    CostMonthImpact(
                        month=month,
                        rows_changed=sum(new["rows"] for _, new in days),
                        cost_before=_sum([old["cost"] for old, _ in days]),
                        cost_after=_sum([new["cost"] for _, new in days]),
                    )
                    for month, days in by_month.items()
                ),
            )
            if preview:
                raise _Rollback(result)
    except _Rollback as rolled_back:
        logger.info("buy cost previewed", client_id=str(client_id), rows=rolled_back.result.rows_changed)
        return rolled_back.result
    logger.info(
        "buy cost changed",
        client_id=str(client_id),
        effective_date=effective_date.isoformat(),
        rows=result.rows_changed,
    )
    return result
