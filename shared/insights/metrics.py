"""The metrics insights look at: how to read each from an `Aggregate`, how much volume makes
it meaningful, which direction is good, and how to print it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from shared.metrics import Aggregate, ratio
from shared.numbers import human

# Volume floors for ratios whose denominator is not impressions: a CVR from 20 clicks or a
# revenue per conversion from 3 conversions is noise, not news.
MIN_CLICKS = 50
MIN_CONVERSIONS = 10


@dataclass(frozen=True, slots=True)
class MetricDef:
    key: str
    label: str  # as it starts a sentence
    value: Callable[[Aggregate], Decimal | None]
    # Enough volume behind one observation, given the ranking minimum impressions.
    has_volume: Callable[[Aggregate, int], bool]
    fmt: Callable[[Decimal, str], str]  # (value, currency) -> text, from shared.numbers.human
    higher_is_better: bool = True
    is_count: bool = False  # a sum that grows with days of data (vs a ratio)


def _impressions(agg: Aggregate) -> Decimal:
    return Decimal(agg.impressions)


METRICS: dict[str, MetricDef] = {
    metric.key: metric
    for metric in (
        MetricDef(
            "impressions", "Impressions", _impressions, lambda a, m: True, lambda v, c: human.count(v), is_count=True
        ),
        MetricDef(
            "conversions",
            "Conversions",
            lambda a: Decimal(a.conversions),
            lambda a, m: a.impressions >= m,
            lambda v, c: human.count(v),
            is_count=True,
        ),
        MetricDef(
            "revenue",
            "Revenue",
            lambda a: a.revenue,
            lambda a, m: a.impressions >= m,
            human.money,
            is_count=True,
        ),
        MetricDef(
            "ctr", "CTR", lambda a: a.ctr, lambda a, m: a.impressions >= max(m, 1), lambda v, c: human.percent(v)
        ),
        MetricDef("cvr", "CVR", lambda a: a.cvr, lambda a, m: a.clicks >= MIN_CLICKS, lambda v, c: human.percent(v)),
        MetricDef(
            "revenue_per_conversion",
            "Revenue per conversion",
            lambda a: ratio(a.revenue, a.conversions),
            lambda a, m: a.conversions >= MIN_CONVERSIONS,
            human.unit_cost,
        ),
        MetricDef(
            "cpa",
            "CPA",
            lambda a: a.cpa,
            lambda a, m: a.conversions >= MIN_CONVERSIONS and a.spend is not None,
            human.unit_cost,
            higher_is_better=False,
        ),
        MetricDef(
            "roas",
            "ROAS",
            lambda a: a.roas,
            lambda a, m: a.impressions >= max(m, 1) and a.spend is not None and a.spend > 0,
            lambda v, c: human.multiple(v),
        ),
    )
}
