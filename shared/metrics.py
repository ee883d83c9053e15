"""Performance metrics: exact sums and the ratios derived from them.

Ratios are always computed from sums (never averaged), with `None` for a zero denominator.
Money stays unrounded Decimal until `to_api()`, which rounds each key by its kind at the edge
(`shared.numbers`: money to cents, unit costs to 4 places, ratios to 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.numbers import Kind, kind_of, quantize

CENT = Decimal("0.01")
RATIO_PLACES = Decimal("0.000001")
AGGREGATE_KEYS = ("impressions", "clicks", "conversions", "revenue", "spend", "ctr", "cvr", "cpc", "cpa", "roas")
RATE_KEYS = ("ctr", "cvr")  # ratios whose change is also given in percentage points


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None) -> Decimal | None:
    """numerator / denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return Decimal(numerator) / Decimal(denominator)


def round_money(value: Decimal | None) -> Decimal | None:
    """Round to cents, half up (the billing convention)."""
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def spend_for(impressions: int, cpm: Decimal) -> Decimal:
    """Exact spend for a row: impressions / 1000 x CPM."""
    return Decimal(impressions) * cpm / 1000


@dataclass(frozen=True, slots=True)
class Aggregate:
    """Summed counts and money over any set of rows; derived ratios come from the sums.

    `spend` is None when none of the rows could be priced (no CPM in force).
    """

    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    revenue: Decimal = Decimal(0)
    spend: Decimal | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Aggregate:
        """Build from a SQL row with keys impressions, clicks, conversions, revenue, spend."""
        return cls(
            impressions=int(row.get("impressions") or 0),
            clicks=int(row.get("clicks") or 0),
            conversions=int(row.get("conversions") or 0),
            revenue=Decimal(row.get("revenue") or 0),
            spend=None if row.get("spend") is None else Decimal(row["spend"]),
        )

    def __add__(self, other: Aggregate) -> Aggregate:
        if self.spend is None and other.spend is None:
            spend = None
        else:
            spend = (self.spend or Decimal(0)) + (other.spend or Decimal(0))
        return Aggregate(
            impressions=self.impressions + other.impressions,
            clicks=self.clicks + other.clicks,
            conversions=self.conversions + other.conversions,
            revenue=self.revenue + other.revenue,
            spend=spend,
        )

    @property
    def ctr(self) -> Decimal | None:
        return ratio(self.clicks, self.impressions)

    @property
    def cvr(self) -> Decimal | None:
        return ratio(self.conversions, self.clicks)

    @property
    def cpc(self) -> Decimal | None:
        return ratio(self.spend, self.clicks)

    @property
    def cpa(self) -> Decimal | None:
        return ratio(self.spend, self.conversions)

    @property
    def roas(self) -> Decimal | None:
        return ratio(self.revenue, self.spend)

    def values(self) -> dict[str, Any]:
        """Every aggregate key with exact (unrounded) values."""
        return {key: getattr(self, key) for key in AGGREGATE_KEYS}

    def to_api(self) -> dict[str, Any]:
        """The API shape: counts as ints, money to cents, CPC/CPA to 4 places, ratios to 6."""
        # Kinds looked up once per process: a 365-day overview shapes ~730 of these.
        return {key: quantize(getattr(self, key), kind) for key, kind in _API_KINDS}


_API_KINDS: tuple[tuple[str, Kind], ...] = tuple((key, kind_of(key) or "ratio") for key in AGGREGATE_KEYS)


def _round(value: Decimal | None, places: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def relative_change(current: Decimal | int | None, previous: Decimal | int | None) -> Decimal | None:
    """(current - previous) / previous; None when previous is 0 or either is missing."""
    if current is None or previous is None or previous == 0:
        return None
    return (Decimal(current) - Decimal(previous)) / Decimal(previous)


def compare(current: Aggregate, previous: Aggregate) -> dict[str, Any]:
    """Period-over-period change for every key; rates also in percentage points.

    Returns `{key: relative change}` plus `{key}_pp` for CTR and CVR (the difference of the
    two fractions x 100), all rounded to 6 places for the API.
    """
    now, before = current.values(), previous.values()
    change: dict[str, Any] = {}
    for key in AGGREGATE_KEYS:
        change[key] = _round(relative_change(now[key], before[key]), RATIO_PLACES)
    for key in RATE_KEYS:
        if now[key] is None or before[key] is None:
            change[f"{key}_pp"] = None
        else:
            change[f"{key}_pp"] = _round((now[key] - before[key]) * 100, RATIO_PLACES)
    return change
