"""How a number leaves the system (SPEC section 8): the one JSON convention.

- counts (impressions, clicks, conversions, days, totals of lists): JSON integers;
- money totals (spend, revenue, margin, budgets): decimal strings rounded to cents;
- unit costs (CPC, CPA, CPM, eCPM, break-even CPM, revenue per conversion): 4 decimals;
- ratios and relative changes (CTR, CVR, ROAS, every `change`): 6 decimals;
- percentage-point changes: a `_pp` key, 6 decimals.

Rounding is half up, from the exact value, once. Routes, stored summary documents, the CSV
export and the digest all go through `shape` / `normalise`; people-facing text goes through
`shared.numbers.human`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

Kind = Literal["count", "money", "unit", "ratio", "pp", "score"]

PLACES: dict[str, Decimal] = {
    "money": Decimal("0.01"),
    "unit": Decimal("0.0001"),
    "ratio": Decimal("0.000001"),
    "pp": Decimal("0.000001"),
    "score": Decimal("0.01"),
}
COUNT_KEYS = frozenset(
    {"impressions", "clicks", "conversions", "days_with_data", "days_in_period", "baseline_points", "rank"}
    | {"days_in_month", "days_elapsed", "days_remaining"}  # pacing
)
MONEY_KEYS = frozenset({"spend", "revenue", "margin", "budget", "spend_before", "spend_after"}) | frozenset(
    {"monthly_budget", "cumulative_spend", "over_under"}  # pacing
)
UNIT_KEYS = frozenset({"cpc", "cpa", "cpm", "ecpm", "break_even_cpm", "current_cpm", "revenue_per_conversion", "aov"})
# log_change / contribution: natural-log changes (the ROAS decomposition), 6 decimals like ratios.
RATIO_KEYS = frozenset(
    {"ctr", "cvr", "roas", "change", "ratio", "log_change", "contribution", "contribution_change", "pace"}
)
SCORE_KEYS = frozenset({"z"})  # a robust z-score: a measure of surprise, 2 decimals
# Objects whose numbers are not measures (places in a ranking, rule texts, ids, dates).
OPAQUE_KEYS = frozenset({"rank_by", "rules", "filters", "entity", "period", "previous_period", "months"})
# In an insight, these carry the number of its `metric`.
METRIC_VALUE_KEYS = frozenset({"value", "baseline", "previous", "weeks", "values"})


_ONE = Decimal(1)


def kind_of(key: str) -> Kind | None:
    """The kind of number a key holds, or None for a key that is not a number."""
    if key.endswith("_pp"):
        return "pp"
    if key in COUNT_KEYS:
        return "count"
    if key in MONEY_KEYS:
        return "money"
    if key in UNIT_KEYS:
        return "unit"
    if key in RATIO_KEYS:
        return "ratio"
    if key in SCORE_KEYS:
        return "score"
    return None


def quantize(value: Decimal | int | str | None, kind: Kind) -> Decimal | int | None:
    """The value rounded for its kind (half up): an int for a count, else a Decimal."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if kind == "count":
        return int(number.quantize(_ONE, rounding=ROUND_HALF_UP))
    return number.quantize(PLACES[kind], rounding=ROUND_HALF_UP)


def shape(value: Decimal | int | str | None, kind: Kind) -> int | str | None:
    """The JSON form of a number of `kind`: an int, or a fixed-point decimal string."""
    rounded = quantize(value, kind)
    if rounded is None or isinstance(rounded, int):
        return rounded
    return format(rounded, "f")


def money(value: Decimal | int | str | None) -> str | None:
    return shape(value, "money")  # type: ignore[return-value]


def unit_cost(value: Decimal | int | str | None) -> str | None:
    return shape(value, "unit")  # type: ignore[return-value]


def ratio(value: Decimal | int | str | None) -> str | None:
    return shape(value, "ratio")  # type: ignore[return-value]


def as_json(value: Any) -> Any:
    """Decimals to fixed-point strings ("1234.50", never exponent notation), recursively.

    For values already rounded by kind (`Aggregate.to_api`, `compare`); documents whose
    numbers may not be go through `normalise`.
    """
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    return value


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return True
    if isinstance(value, str):
        try:
            Decimal(value)
        except InvalidOperation:
            return False
        return value.strip() != "" and value.lower() not in ("nan", "inf", "-inf", "infinity", "-infinity")
    return False


def _apply(value: Any, kind: Kind | None) -> Any:
    if kind is None:
        return normalise(value)
    if isinstance(value, list):
        return [_apply(item, kind) for item in value]
    if isinstance(value, dict):
        return normalise(value)
    if _is_number(value):
        return shape(value if not isinstance(value, float) else str(value), kind)
    return value


def metric_kind(metric: str) -> Kind:
    """The kind of an insight's value for `metric` (impressions -> count, ctr -> ratio, ...)."""
    if metric in ("impressions", "clicks", "conversions"):
        return "count"
    return kind_of(metric) or "ratio"


def normalise(document: Any, *, changes: bool = False) -> Any:
    """A JSON document (a stored summary, an insight, a response) with every number in the
    convention, decided by its key: see the module docstring. Idempotent.

    Inside a `change` object every number is a relative change (6 decimals); in a dict with
    a `metric` (an insight), `value`/`baseline`/`previous`/`weeks` take that metric's kind;
    in a trend's `{spend: {values: [...]}}` the values take the parent key's kind.
    """
    if isinstance(document, list | tuple):
        return [normalise(item, changes=changes) for item in document]
    if isinstance(document, Decimal):
        return format(document, "f")
    if not isinstance(document, dict):
        return document
    metric = document.get("metric") if isinstance(document.get("metric"), str) else None
    shaped: dict[str, Any] = {}
    for key, value in document.items():
        if key in OPAQUE_KEYS:
            shaped[key] = as_json(value)
        elif changes:
            shaped[key] = _apply(value, "pp" if key.endswith("_pp") else "ratio")
        elif key == "change" and isinstance(value, dict):
            shaped[key] = normalise(value, changes=True)
        elif metric is not None and key in METRIC_VALUE_KEYS and not isinstance(value, dict):
            shaped[key] = _apply(value, metric_kind(metric))
        elif isinstance(value, dict) and kind_of(key) is not None and "values" in value:
            # A trend entry: {"direction", "values": [...], "change"}.
            shaped[key] = {
                **normalise({k: v for k, v in value.items() if k != "values"}),
                "values": _apply(value["values"], metric_kind(key)),
            }
        else:
            shaped[key] = _apply(value, kind_of(key))
    return shaped
