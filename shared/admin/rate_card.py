"""The effective-dated CPM rate card and re-pricing.

Adding or changing a rate re-prices, in ONE transaction under the client's data lock (the
lock ingestion takes), every `daily_metrics` row whose rate in force changed — necessarily
rows on or after the rate's effective date — then queues and regenerates the summaries
overlapping the changed dates, so data and summaries change together or not at all.
`preview` runs exactly the same statements and rolls them back. Both report the impact in
total and per calendar month (rows changed, spend before -> after), from one grouped statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import errors as pg_errors

from shared.admin import closed_months
from shared.db import QUERIES, Database, Tenant
from shared.errors import InvalidInput, NotFound
from shared.observability import logger, metrics
from shared.settings import Settings

MAX_CPM = Decimal("999999.9999")  # numeric(10, 4)
CPM_DECIMALS = 4


@dataclass(frozen=True, slots=True)
class MonthImpact:
    """The rows of one calendar month ("YYYY-MM") a rate change re-prices (or would)."""

    month: str
    rows_changed: int
    spend_before: Decimal | None
    spend_after: Decimal | None


@dataclass(frozen=True, slots=True)
class RepricingResult:
    """What a rate change did (or, for a preview, would do)."""

    rate: dict[str, Any]
    created: bool
    rows_changed: int
    spend_before: Decimal | None
    spend_after: Decimal | None
    date_from: date | None
    date_to: date | None
    summaries_refreshed: int
    preview: bool
    months: tuple[MonthImpact, ...] = ()


class _PreviewRollback(Exception):
    """Raised inside the transaction to roll a preview back."""

    def __init__(self, result: RepricingResult) -> None:
        super().__init__("preview")
        self.result = result


def validate_cpm(value: Decimal) -> Decimal:
    """A CPM is finite, >= 0 (0 = added-value media), at most 4 decimals and fits numeric(10,4).

    Zero is allowed deliberately: bonus inventory is delivered at no charge; spend is then 0
    and ROAS null.
    """
    if not value.is_finite():
        raise InvalidInput("cpm must be a finite number")
    if value < 0:
        raise InvalidInput("cpm must not be negative")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -CPM_DECIMALS:
        raise InvalidInput(f"cpm has at most {CPM_DECIMALS} decimals")
    if value > MAX_CPM:
        raise InvalidInput(f"cpm must be at most {MAX_CPM}")
    return value


def list_rates(db: Database, client_id: UUID, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """The client's rate card, newest first, each with `effective_until`."""
    params = {"client_id": client_id, "limit": limit, "offset": offset}
    with db.transaction(tenant=Tenant.every_client()) as conn:
        if conn.execute(QUERIES["admin_client_exists"], params).fetchone() is None:
            raise NotFound("client not found")
        total = conn.execute(QUERIES["admin_count_rates"], params).fetchone()["total"]  # type: ignore[index]
        rows = conn.execute(QUERIES["admin_list_rates"], params).fetchall()
    return rows, total


def set_rate(
    db: Database,
    client_id: UUID,
    *,
    cpm: Decimal,
    effective_date: date,
    preview: bool,
    settings: Settings,
) -> RepricingResult:
    """Add (or, for an existing effective date, change) a CPM and re-price what it affects."""
    from shared.summaries.refresh import regenerate_queued  # the summaries engine (lazy: cold start)

    cpm = validate_cpm(cpm)
    try:
        # The client's own tenant: the re-pricing can only ever touch that client's rows.
        with db.transaction(tenant=Tenant.client(client_id)) as conn:
            if conn.execute(QUERIES["admin_client_exists"], {"client_id": client_id}).fetchone() is None:
                raise NotFound("client not found")
            conn.execute(QUERIES["admin_lock_client_data"], {"client_id": client_id})
            closed_months.refuse_price_change(
                conn, client_id, effective_date=effective_date, next_date_query="ledger_next_rate_date"
            )
            rate = conn.execute(
                QUERIES["admin_upsert_rate"], {"client_id": client_id, "cpm": cpm, "effective_date": effective_date}
            ).fetchone()
            assert rate is not None
            # The totals row (month NULL) first, then one row per month, oldest first.
            impact, *by_month = conn.execute(
                QUERIES["admin_reprice_from"], {"client_id": client_id, "date_from": effective_date}
            ).fetchall()
            months = tuple(
                MonthImpact(
                    month=row["month"],
                    rows_changed=row["rows_changed"],
                    spend_before=row["spend_before"],
                    spend_after=row["spend_after"],
                )
                for row in by_month
            )
            refreshed = 0
            if impact["rows_changed"]:
                queued = conn.execute(
                    QUERIES["admin_enqueue_summary_refresh"],
                    {"client_id": client_id, "date_from": impact["date_from"], "date_to": impact["date_to"]},
                ).fetchone()
                refreshed = int(queued["queued"]) if queued else 0
                if not preview:
                    refreshed = regenerate_queued(conn, settings=settings)
            created = bool(rate.pop("created"))
            result = RepricingResult(
                rate=dict(rate),
                created=created,
                rows_changed=impact["rows_changed"],
                spend_before=impact["spend_before"],
                spend_after=impact["spend_after"],
                date_from=impact["date_from"],
                date_to=impact["date_to"],
                summaries_refreshed=refreshed,
                preview=preview,
                months=months,
            )
            if preview:
                raise _PreviewRollback(result)
    except _PreviewRollback as rolled_back:
        logger.info("rate change previewed", client_id=str(client_id), rows=rolled_back.result.rows_changed)
        return rolled_back.result
    except pg_errors.NumericValueOutOfRange:
        raise InvalidInput("the resulting spend is out of range") from None
    logger.info(
        "rate changed",
        client_id=str(client_id),
        effective_date=effective_date.isoformat(),
        rows=result.rows_changed,
        summaries=result.summaries_refreshed,
    )
    metrics.add_metric(name="MetricRowsRepriced", unit="Count", value=result.rows_changed)
    return result
