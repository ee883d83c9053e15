"""The agency's margin (admin only): cost, margin and margin ratio per client, campaign and
day; the break-even CPM; what a proposed sell CPM would give; the low-margin alert.

Rules (docs/api.md "Margin ledger"):
- cost of a day = impressions x the buy CPM in force on that date / 1000, exact (computed
  when read from the per-campaign daily rollup, never stored; `shared/db/sql/ledger.sql`);
- margin = spend - cost, over the days that have both a spend (a sell CPM) and a cost (a
  buy CPM); margin ratio = that margin / the spend of those same days — a ratio of sums,
  null when that spend is 0 or there is no such day;
- break-even CPM = 1000 x revenue / (target ROAS x impressions): the sell CPM at which the
  client's ROAS equals its target (null without a target or impressions);
- everything stays exact Decimal until it leaves through `shared.numbers` (money to cents,
  unit costs to 4 places, ratios to 6).
Client users never reach any of this: only admin routes and the daily check call it, and
the buy costs are readable in all-clients transactions only (row-level security).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from aws_lambda_powertools.metrics import MetricUnit

from shared.admin.rate_card import RepricingResult, set_rate
from shared.alert_journal import ConnectionAlertJournal
from shared.alerts import Alert, send_alert
from shared.dashboard.params import DateRange
from shared.db import QUERIES, Database, Tenant
from shared.errors import InvalidInput, NotFound
from shared.metrics import ratio
from shared.numbers import money, unit_cost
from shared.numbers import ratio as ratio_text
from shared.numbers.human import money as human_money
from shared.numbers.human import percent
from shared.observability import logger, metrics
from shared.ports import EmailSender
from shared.settings import Settings

ALERT_KIND = "margin_low"
ALERT_WINDOW_DAYS = 7
MAX_TARGET_ROAS = Decimal("999999.999999")  # numeric(12, 6)


@dataclass(frozen=True, slots=True)
class Margin:
    """Exact sums of a set of days: spend, cost, and the margin over the days with both."""

    impressions: int = 0
    revenue: Decimal = Decimal(0)
    spend: Decimal | None = None
    cost: Decimal | None = None
    margin: Decimal | None = None
    margin_base: Decimal | None = None  # the spend of the days that have a cost

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Margin:
        return cls(
            impressions=int(row.get("impressions") or 0),
            revenue=Decimal(row.get("revenue") or 0),
            spend=row.get("spend"),
            cost=row.get("cost"),
            margin=row.get("margin"),
            margin_base=row.get("margin_base"),
        )

    @classmethod
    def of_day(cls, row: dict[str, Any]) -> Margin:
        """One day: its margin exists when it has both spend and cost."""
        both = row["spend"] is not None and row["cost"] is not None
        return cls(
            impressions=int(row["impressions"]),
            revenue=Decimal(row["revenue"]),
            spend=row["spend"],
            cost=row["cost"],
            margin=row["spend"] - row["cost"] if both else None,
            margin_base=row["spend"] if both else None,
        )

    def __add__(self, other: Margin) -> Margin:
        return Margin(
            impressions=self.impressions + other.impressions,
            revenue=self.revenue + other.revenue,
            spend=_add(self.spend, other.spend),
            cost=_add(self.cost, other.cost),
            margin=_add(self.margin, other.margin),
            margin_base=_add(self.margin_base, other.margin_base),
        )

    @property
    def margin_ratio(self) -> Decimal | None:
        return ratio(self.margin, self.margin_base)

    @property
    def roas(self) -> Decimal | None:
        return ratio(self.revenue, self.spend)

    def to_api(self) -> dict[str, Any]:
        return {
            "impressions": self.impressions,
            "revenue": money(self.revenue),
            "spend": money(self.spend),
            "cost": money(self.cost),
            "margin": money(self.margin),
            "margin_ratio": ratio_text(self.margin_ratio),
            "roas": ratio_text(self.roas),
        }


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None and b is None:
        return None
    return (a or Decimal(0)) + (b or Decimal(0))


def break_even_cpm(revenue: Decimal, impressions: int, target_roas: Decimal | None) -> Decimal | None:
    """1000 x revenue / (target ROAS x impressions); None without a target or impressions."""
    if target_roas is None or not impressions:
        return None
    return ratio(Decimal(1000) * revenue, target_roas * impressions)


def validate_target_roas(value: Decimal | None) -> Decimal | None:
    """A target ROAS is finite, > 0, at most 6 decimals and fits numeric(12, 6); None clears it."""
    if value is None:
        return None
    if not value.is_finite() or value <= 0:
        raise InvalidInput("target_roas must be a number greater than 0")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -6:
        raise InvalidInput("target_roas has at most 6 decimals")
    if value > MAX_TARGET_ROAS:
        raise InvalidInput(f"target_roas must be at most {MAX_TARGET_ROAS}")
    return value


def set_target_roas(db: Database, client_id: UUID, target_roas: Decimal | None) -> Decimal | None:
    """Set (or with None clear) the client's target ROAS."""
    target = validate_target_roas(target_roas)
    with db.transaction(tenant=Tenant.every_client()) as conn:
        if (
            conn.execute(QUERIES["ledger_set_target_roas"], {"client_id": client_id, "target_roas": target}).fetchone()
            is None
        ):
            raise NotFound("client not found")
    return target


def margin_report(db: Database, client_id: UUID, period: DateRange, *, today: date) -> dict[str, Any]:
    """Totals, the daily series and the per-campaign table of the period, plus the target
    ROAS, the break-even CPM and the buy CPM in force today."""
    params = {"client_id": client_id, "from": period.start, "to": period.end, "day": today}
    with db.transaction(tenant=Tenant.every_client()) as conn:
        client = conn.execute(QUERIES["ledger_target_roas"], params).fetchone()
        if client is None:
            raise NotFound("client not found")
        days = conn.execute(QUERIES["ledger_margin_daily"], params).fetchall()
        campaigns = conn.execute(QUERIES["ledger_margin_campaigns"], params).fetchall()
        current = conn.execute(QUERIES["ledger_current_buy_cpm"], params).fetchone()
    target = client["target_roas"]
    series = [(row, Margin.of_day(row)) for row in days]
    totals = sum((m for _, m in series), Margin())
    return {
        "date_from": period.start,
        "date_to": period.end,
        "target_roas": ratio_text(target),
        "current_buy_cpm": unit_cost(current["cpm"]) if current else None,
        "break_even_cpm": unit_cost(break_even_cpm(totals.revenue, totals.impressions, target)),
        "uncosted_days": sum(1 for row, _ in series if row["cost"] is None),
        "totals": totals.to_api(),
        "series": [{"date": row["date"], "buy_cpm": unit_cost(row["buy_cpm"]), **m.to_api()} for row, m in series],
        "campaigns": [{"id": row["id"], "name": row["name"], **Margin.from_row(row).to_api()} for row in campaigns],
    }


def margins_by_client(db: Database, period: DateRange) -> dict[UUID, Margin]:
    """Every client's margin over the period (clients without data are absent)."""
    params = {"from": period.start, "to": period.end, "client_id": None}
    with db.transaction(tenant=Tenant.every_client()) as conn:
        rows = conn.execute(QUERIES["ledger_margin_by_client"], params).fetchall()
    return {row["client_id"]: Margin.from_row(row) for row in rows}


def what_if(db: Database, client_id: UUID, *, cpm: Decimal, effective_date: date) -> list[dict[str, Any]]:
    """Per calendar month from `effective_date`'s, what a sell CPM effective on that date
    (until the next rate's date) would give: the client's ROAS and the agency's margin,
    beside the break-even CPM of the month. Reads only; nothing is changed."""
    params: dict[str, Any] = {"client_id": client_id, "cpm": cpm, "effective_date": effective_date}
    with db.transaction(tenant=Tenant.every_client()) as conn:
        client = conn.execute(QUERIES["ledger_target_roas"], params).fetchone()
        if client is None:
            raise NotFound("client not found")
        following = conn.execute(QUERIES["ledger_next_rate_date"], params).fetchone()
        next_date = following["next_date"] if following else None
        params |= {"date_from": effective_date, "date_to": None if next_date is None else next_date - timedelta(days=1)}
        months = conn.execute(QUERIES["ledger_what_if_months"], params).fetchall()
    target = client["target_roas"]
    return [
        {
            "month": row["month"],
            "spend": money(row["spend"]),
            "cost": money(row["cost"]),
            "margin": money(row["margin"]),
            "margin_ratio": ratio_text(ratio(row["margin"], row["margin_base"])),
            "roas": ratio_text(ratio(row["revenue"], row["spend"])),
            "break_even_cpm": unit_cost(break_even_cpm(row["revenue"], int(row["impressions"]), target)),
        }
        for row in months
    ]


def set_rate_with_outlook(
    db: Database, client_id: UUID, *, cpm: Decimal, effective_date: date, preview: bool, settings: Settings
) -> tuple[RepricingResult, list[dict[str, Any]]]:
    """The rate card's change (`rate_card.set_rate`, preview or apply) and, per month, the
    client's ROAS, the agency's margin and the break-even CPM at that rate (`what_if`)."""
    result = set_rate(db, client_id, cpm=cpm, effective_date=effective_date, preview=preview, settings=settings)
    return result, what_if(db, client_id, cpm=result.rate["cpm"], effective_date=effective_date)


def check_margins(*, settings: Settings, db: Database, sender: EmailSender, day: date) -> list[UUID]:
    """Alert once per client per day when an active client's margin ratio over the 7 days
    ending `day` is under MARGIN_ALERT_THRESHOLD. Returns the clients alerted by this run."""
    period = DateRange(day - timedelta(days=ALERT_WINDOW_DAYS - 1), day)
    params = {"from": period.start, "to": period.end, "threshold": settings.margin_alert_threshold}
    with db.transaction(tenant=Tenant.every_client()) as conn:
        candidates = conn.execute(QUERIES["ledger_margin_alert_candidates"], params).fetchall()
    alerted: list[UUID] = []
    for client in candidates:
        margin_ratio = ratio(client["margin"], client["margin_base"])
        subject = f"Low margin: {client['name']} at {percent(margin_ratio)} for the 7 days to {day.isoformat()}"
        with db.transaction(tenant=Tenant.every_client()) as conn:
            claim = conn.execute(
                QUERIES["missing_file_claim_alert"],
                {
                    "kind": ALERT_KIND,
                    "dedupe_key": f"{client['client_id']}:{day.isoformat()}",
                    "client_id": client["client_id"],
                    "subject": subject,
                },
            ).fetchone()
            if claim is None:
                continue  # already alerted for this client and day
            currency = client["currency"]
            sent = send_alert(
                Alert(
                    kind=ALERT_KIND,
                    subject=subject,
                    summary=f"{client['name']}'s margin over {period.start.isoformat()} to {day.isoformat()} is "
                    f"{percent(margin_ratio)}, under the threshold of {percent(settings.margin_alert_threshold)} "
                    "(MARGIN_ALERT_THRESHOLD).",
                    details=[
                        ("Client", f"{client['name']} ({client['slug']})"),
                        ("Period", f"{period.start.isoformat()} to {day.isoformat()}"),
                        ("Spend", human_money(client["margin_base"], currency)),
                        ("Cost", human_money(client["cost"], currency)),
                        ("Margin", human_money(client["margin"], currency)),
                    ],
                    todo=[
                        "Check the buy cost: admin portal → Clients → "
                        f"{client['name']} → Margin (GET /admin/clients/{client['client_id']}/margin); a wrong or "
                        "missing partner CPM shows there as a day-by-day buy CPM.",
                        "If the partner's price rose, raise the client's CPM: admin portal → Rate card, preview a "
                        "new rate (the preview shows the ROAS and margin it would give per month, and the "
                        "break-even CPM), then apply it.",
                        "If the low margin is expected (e.g. a promotion), nothing needs doing; this alert is sent "
                        "at most once per client per day.",
                    ],
                    client_id=client["client_id"],
                ),
                settings=settings,
                sender=sender,
                journal=ConnectionAlertJournal(conn),
            )
            conn.execute(QUERIES["missing_file_mark_sent"], {"id": claim["id"], "sent": sent})
        alerted.append(client["client_id"])
        metrics.add_metric(name="MarginAlerts", unit=MetricUnit.Count, value=1)
    logger.info("margin check done", day=day.isoformat(), low=len(candidates), alerted=len(alerted))
    return alerted
