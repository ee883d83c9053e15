"""JSON and plain-English formatting shared by insights and summaries.

JSON convention for everything this package and `shared.summaries` store or return:
counts (impressions, clicks, conversions, days) are JSON integers; every other number is a
decimal string (exact sums unrounded, ratios to 10 places) so no float ever touches money.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.metrics import Aggregate

JSON_RATIO_PLACES = Decimal("1e-10")


def dec(value: Decimal | int | None) -> str | None:
    """An exact decimal string (never exponent notation), or None."""
    if value is None:
        return None
    return format(Decimal(value), "f")


def ratio_str(value: Decimal | None) -> str | None:
    """A ratio (CTR, ROAS, a relative change) as a decimal string with 10 places."""
    if value is None:
        return None
    return format(value.quantize(JSON_RATIO_PLACES, rounding=ROUND_HALF_UP).normalize(), "f")


def aggregate_json(agg: Aggregate) -> dict[str, Any]:
    """Every aggregate key: counts as ints, exact money sums and 10-place ratios as strings."""
    return {
        "impressions": agg.impressions,
        "clicks": agg.clicks,
        "conversions": agg.conversions,
        "revenue": dec(agg.revenue),
        "spend": dec(agg.spend),
        "ctr": ratio_str(agg.ctr),
        "cvr": ratio_str(agg.cvr),
        "cpc": ratio_str(agg.cpc),
        "cpa": ratio_str(agg.cpa),
        "roas": ratio_str(agg.roas),
    }


def jsonable(value: Any) -> Any:
    """Decimals to strings (recursively), for dicts already shaped for JSON."""
    if isinstance(value, Decimal):
        return dec(value)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


# ---------------------------------------------------------------- plain English


def fmt_count(value: Decimal | int) -> str:
    return f"{Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"


def fmt_money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def fmt_percent(value: Decimal) -> str:
    """A fraction as a percentage with two decimals: 0.0042 -> '0.42%'."""
    return f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def fmt_multiple(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def fmt_change(change: Decimal) -> str:
    """The size of a relative change in whole percent ('31%'), one decimal under 10%."""
    size = abs(change) * 100
    places = Decimal("0.1") if size < 10 else Decimal(1)
    return f"{size.quantize(places, rounding=ROUND_HALF_UP)}%"
