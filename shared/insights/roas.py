"""Why ROAS moved: the exact decomposition of a ROAS change into its four drivers (SPEC §12).

ROAS = revenue / spend = 1000 x CTR x CVR x AOV / CPM, with every ratio from the period's sums
(CTR = clicks / impressions, CVR = conversions / clicks, AOV = revenue / conversions, CPM =
1000 x spend / impressions). Taking logs, the change between two periods splits exactly:

    Δln ROAS = Δln CTR + Δln CVR + Δln AOV - Δln CPM

Each driver's `contribution` is its term (the CPM's is -Δln CPM: a dearer CPM lowers ROAS),
`contribution_change` the same as a relative effect on ROAS (exp(contribution) - 1), and
`change` the driver's own relative change (what the sentence states). The logs are computed
with 40 significant digits, and Δln ROAS is the sum of the four terms (the identity above:
eight logs, not ten), so the unrounded contributions sum to it to within 1e-38, and it is
ln(ROAS ratio) to within 1e-30. `contribution_change` is exp(contribution) - 1 written as
the ratio it equals (value / previous - 1; previous / value - 1 for the CPM): a division, not
an exponential. The API rounds each to 6 places, so the rounded ones sum to the rounded
Δln ROAS within 2.5e-6 (four roundings of at most 5e-7 each, plus the total's).

A log needs a positive number on both sides: when either period has no impressions, clicks,
conversions, revenue or priced spend, there is no decomposition, only the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any

from shared.metrics import Aggregate
from shared.numbers import human, quantize

DRIVERS = ("ctr", "cvr", "aov", "cpm")
LABELS = {"ctr": "CTR", "cvr": "CVR", "aov": "AOV", "cpm": "CPM"}
# The sentence names the largest drivers until they account for this share of the movement.
NAMED_SHARE = Decimal("0.8")
LOG_CONTEXT = Context(prec=40)
# |Σ rounded contributions - rounded Δln ROAS| can reach 4 x 5e-7 + 5e-7.
ROUNDED_TOLERANCE = Decimal("0.0000025")


@dataclass(frozen=True, slots=True)
class Driver:
    """One driver's values in both periods and its exact (unrounded) log terms."""

    name: str
    previous: Decimal
    value: Decimal
    log_change: Decimal  # ln(value / previous)
    contribution: Decimal  # its term of Δln ROAS (-log_change for the CPM)

    @property
    def change(self) -> Decimal:
        return self.value / self.previous - 1

    @property
    def contribution_change(self) -> Decimal:
        """exp(contribution) - 1: the driver's ratio for CTR, CVR and AOV, its inverse for the
        CPM (exp(ln a - ln b) = a / b), less one."""
        c = LOG_CONTEXT
        if self.name == "cpm":
            return c.subtract(c.divide(self.previous, self.value), 1)
        return c.subtract(c.divide(self.value, self.previous), 1)


@dataclass(frozen=True, slots=True)
class RoasDecomposition:
    """The exact decomposition: `log_change` (Δln ROAS) and the four drivers."""

    roas_previous: Decimal
    roas: Decimal
    log_change: Decimal
    drivers: tuple[Driver, ...]

    @property
    def change(self) -> Decimal:
        return self.roas / self.roas_previous - 1


def _values(agg: Aggregate) -> dict[str, Decimal]:
    assert agg.spend is not None
    c = LOG_CONTEXT
    return {
        "ctr": c.divide(Decimal(agg.clicks), Decimal(agg.impressions)),
        "cvr": c.divide(Decimal(agg.conversions), Decimal(agg.clicks)),
        "aov": c.divide(agg.revenue, Decimal(agg.conversions)),
        "cpm": c.divide(c.multiply(Decimal(1000), agg.spend), Decimal(agg.impressions)),
        "roas": c.divide(agg.revenue, agg.spend),
    }


def missing_reason(current: Aggregate, previous: Aggregate) -> str | None:
    """Why ROAS cannot be decomposed between the periods, or None when it can."""
    for agg, period in ((current, "this period"), (previous, "the comparison period")):
        if agg.impressions <= 0:
            return f"no impressions in {period}"
        if agg.spend is None:
            return f"no priced spend in {period} (no CPM in force)"
        if agg.spend <= 0:
            return f"no spend in {period}"
        if agg.clicks <= 0:
            return f"no clicks in {period}"
        if agg.conversions <= 0:
            return f"no conversions in {period}"
        if agg.revenue <= 0:
            return f"no revenue in {period}"
    return None


def decompose(current: Aggregate, previous: Aggregate) -> RoasDecomposition | None:
    """The exact decomposition of ROAS from `previous` to `current`, or None when a period
    lacks what a log needs (see `missing_reason`)."""
    if missing_reason(current, previous) is not None:
        return None
    now, before = _values(current), _values(previous)
    c = LOG_CONTEXT
    drivers = []
    for name in DRIVERS:
        log_change = c.subtract(c.ln(now[name]), c.ln(before[name]))
        drivers.append(
            Driver(
                name=name,
                previous=before[name],
                value=now[name],
                log_change=log_change,
                contribution=c.minus(log_change) if name == "cpm" else log_change,
            )
        )
    log_change = Decimal(0)
    for driver in drivers:  # Δln ROAS = Δln CTR + Δln CVR + Δln AOV - Δln CPM
        log_change = c.add(log_change, driver.contribution)
    return RoasDecomposition(
        roas_previous=before["roas"],
        roas=now["roas"],
        log_change=log_change,
        drivers=tuple(drivers),
    )


def largest_drivers(decomposition: RoasDecomposition) -> list[Driver]:
    """The drivers by size of contribution, as many as account for `NAMED_SHARE` of the sum of
    their sizes (none when nothing moved); the CPM, the price, is always among them (last
    unless it is one of the largest)."""
    ranked = sorted(decomposition.drivers, key=lambda d: -abs(d.contribution))  # stable: fixed order on ties
    total = sum((abs(d.contribution) for d in ranked), Decimal(0))
    named: list[Driver] = []
    covered = Decimal(0)
    for driver in ranked:
        if total == 0 or covered >= NAMED_SHARE * total or human.moved(driver.change) == "unchanged":
            break
        named.append(driver)
        covered += abs(driver.contribution)
    if not any(d.name == "cpm" for d in named):
        named.append(next(d for d in decomposition.drivers if d.name == "cpm"))
    return named


def sentence(decomposition: RoasDecomposition) -> str:
    """ "ROAS -31%: CVR -24%, AOV -9.0%, CPM unchanged" (with a typographic minus) — the largest drivers, each with its own
    change (a CPM rise lowers ROAS), through the one human formatter."""
    named = largest_drivers(decomposition)
    if all(human.moved(d.change) == "unchanged" for d in decomposition.drivers):
        return f"ROAS {human.moved(decomposition.change)}: CTR, CVR, AOV and CPM all unchanged"
    parts = ", ".join(f"{LABELS[d.name]} {human.moved(d.change)}" for d in named)
    return f"ROAS {human.moved(decomposition.change)}: {parts}"


def explain_roas(current: Aggregate, previous: Aggregate) -> dict[str, Any]:
    """The API shape of the ROAS explanation (numbers rounded by kind, `shared.numbers`):
    `available`, `reason` (why not, else null), `log_change` and `change` of ROAS, `drivers`
    (ctr, cvr, aov, cpm: `previous`, `value`, `change`, `log_change`, `contribution`,
    `contribution_change`) and the insight sentence `message`."""
    decomposition = decompose(current, previous)
    if decomposition is None:
        return {
            "available": False,
            "reason": missing_reason(current, previous),
            "log_change": None,
            "change": None,
            "drivers": [],
            "largest": [],
            "message": None,
        }
    return {
        "available": True,
        "reason": None,
        "log_change": quantize(decomposition.log_change, "ratio"),
        "change": quantize(decomposition.change, "ratio"),
        "drivers": [
            {
                "metric": d.name,
                "previous": quantize(d.previous, "unit" if d.name in ("aov", "cpm") else "ratio"),
                "value": quantize(d.value, "unit" if d.name in ("aov", "cpm") else "ratio"),
                "change": quantize(d.change, "ratio"),
                "log_change": quantize(d.log_change, "ratio"),
                "contribution": quantize(d.contribution, "ratio"),
                "contribution_change": quantize(d.contribution_change, "ratio"),
            }
            for d in decomposition.drivers
        ],
        "largest": [d.name for d in largest_drivers(decomposition)],
        "message": sentence(decomposition),
    }
