"""Which campaigns and creatives make the lists: top, underperforming, ranked.

Only entities with at least `settings.ranking_min_impressions` impressions in the period
are ranked, so a creative with 12 impressions and 3 clicks cannot top anything.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shared.metrics import Aggregate
from shared.numbers import as_json, human
from shared.numbers.currency import DEFAULT_CURRENCY

TOP_N = 5
UNDERPERFORMER_CPA_FACTOR = Decimal("1.5")
UNDERPERFORMER_CTR_FACTOR = Decimal("0.5")

RANKING_RULE = (
    "entities with at least {minimum} impressions, ordered by conversions, then revenue, then clicks "
    "(highest first); rank_by gives each entity's place by conversions, revenue, ROAS, CTR and CVR"
)
UNDERPERFORMER_RULE = (
    "campaigns with at least {minimum} impressions whose CPA is at least 1.5x the client's CPA for the "
    "period, or whose CTR is at most 0.5x the client's CTR, or that spent with no conversion while the "
    "client converted"
)

Entity = tuple[dict[str, Any], Aggregate]


def eligible(entities: list[Entity], minimum: int) -> list[Entity]:
    return [(entity, agg) for entity, agg in entities if agg.impressions >= minimum and agg.impressions > 0]


def _order(agg: Aggregate) -> tuple[int, Decimal, int, int]:
    return agg.conversions, agg.revenue, agg.clicks, agg.impressions


def ranked(entities: list[Entity], minimum: int, limit: int | None = None) -> list[dict[str, Any]]:
    """Eligible entities (the first `limit`), best first, with rank and place by each metric."""
    pool = sorted(eligible(entities, minimum), key=lambda item: (_order(item[1]), item[0]["name"]), reverse=True)
    places: dict[str, dict[str, int]] = {entity["id"]: {} for entity, _ in pool}
    for metric in ("conversions", "revenue", "roas", "ctr", "cvr"):
        with_value = [(entity, getattr(agg, metric)) for entity, agg in pool if getattr(agg, metric) is not None]
        with_value.sort(key=lambda item: item[1], reverse=True)
        for place, (entity, _) in enumerate(with_value, start=1):
            places[entity["id"]][metric] = place
    return [
        {**entity, "rank": rank, **as_json(agg.to_api()), "rank_by": places[entity["id"]]}
        for rank, (entity, agg) in enumerate(pool[:limit], start=1)
    ]


def top(entities: list[Entity], minimum: int, n: int = TOP_N) -> list[dict[str, Any]]:
    return ranked(entities, minimum, limit=n)


def underperformers(
    entities: list[Entity], client_total: Aggregate, minimum: int, currency: str = DEFAULT_CURRENCY
) -> list[dict[str, Any]]:
    """Eligible entities failing the rule in UNDERPERFORMER_RULE, biggest spenders first."""
    found = []
    for entity, agg in eligible(entities, minimum):
        reasons = []
        if (
            agg.cpa is not None
            and client_total.cpa is not None
            and agg.cpa >= UNDERPERFORMER_CPA_FACTOR * client_total.cpa
        ):
            reasons.append(
                f"CPA {human.unit_cost(agg.cpa, currency)} vs {human.unit_cost(client_total.cpa, currency)} "
                "for the client"
            )
        if (
            agg.ctr is not None
            and client_total.ctr is not None
            and agg.ctr <= UNDERPERFORMER_CTR_FACTOR * client_total.ctr
        ):
            reasons.append(f"CTR {human.percent(agg.ctr)} vs {human.percent(client_total.ctr)} for the client")
        if agg.conversions == 0 and agg.spend and client_total.conversions > 0:
            reasons.append(f"spent {human.money(agg.spend, currency)} with no conversion")
        if reasons:
            found.append((agg.spend or Decimal(0), {**entity, **as_json(agg.to_api()), "reasons": reasons}))
    found.sort(key=lambda item: (item[0], item[1]["name"]), reverse=True)
    return [item for _, item in found]
