"""The overview's daily series written straight to JSON text: the hot loop of a long range.

A 365-day overview shapes 730 days (the range and its comparison period). The general path
builds an `Aggregate` per day, rounds it with `Aggregate.to_api`, turns Decimals into strings
with `as_json`, validates 730 `DayOut` models and serialises them: ~15 ms of Python for a
3 ms query. This module produces the same bytes with the same Decimal operations (the
ratios are the same `Decimal / Decimal` in the current context, each value is rounded once,
half up, by its kind, `shared.numbers`), without the intermediate objects: ~1.5 us a day.

`tests/dashboard/test_daily_json.py` proves it equal to the general path (the days of
`service._daily_series` through `DayOut` and the API's serialiser) on generated days with
nulls, zeros, unpriced days and large sums.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.dashboard.params import DateRange
from shared.metrics import Aggregate
from shared.numbers import PLACES


class JsonText(str):
    """A JSON value already serialised in the API's convention (see `shared.api.prejson`)."""

    __slots__ = ()


# `dashboard_daily_totals` rows fetched as tuples (`service._daily_rows(as_tuples=True)`).
DAILY_COLUMNS = ("date", "impressions", "clicks", "conversions", "revenue", "spend")
_NUMERIC_OID = 1700  # sum(bigint) and sum(numeric) are numeric: Decimals, never floats
_DATE_OID = 1082

_CENT = PLACES["money"]
_UNIT = PLACES["unit"]
_RATIO = PLACES["ratio"]
_UP = ROUND_HALF_UP
_ZERO = Decimal(0)
_NOTHING = Aggregate(spend=_ZERO)  # = service.NOTHING: no rows, nothing spent
_quantize = Decimal.quantize


def check_columns(description: Any) -> None:
    """Refuse rows whose leading columns are not `DAILY_COLUMNS` as date and numerics."""
    names = tuple(column.name for column in (description or ())[: len(DAILY_COLUMNS)])
    types = tuple(column.type_code for column in (description or ())[: len(DAILY_COLUMNS)])
    if names != DAILY_COLUMNS or types != (_DATE_OID,) + (_NUMERIC_OID,) * (len(DAILY_COLUMNS) - 1):
        raise RuntimeError(f"dashboard_daily_totals returns {names} {types}, daily_json expects {DAILY_COLUMNS}")


def total_of(rows: list[tuple[Any, ...]]) -> Aggregate:
    """`service.total_of` of tuple rows: the same additions, in the same order."""
    if not rows:
        return _NOTHING
    impressions = clicks = conversions = 0
    revenue = _ZERO
    spend: Decimal | None = None
    for row in rows:
        impressions += int(row[1] or 0)
        clicks += int(row[2] or 0)
        conversions += int(row[3] or 0)
        revenue = revenue + Decimal(row[4] or 0)
        row_spend = row[5]
        if row_spend is not None:
            spend = (spend or _ZERO) + (Decimal(row_spend) or _ZERO)
        elif spend is not None:
            spend = (spend or _ZERO) + _ZERO
    return Aggregate(impressions=impressions, clicks=clicks, conversions=conversions, revenue=revenue, spend=spend)


# A day without rows: zero counts and spend, every ratio null (`service.NOTHING`).
_EMPTY_DAY = (
    '{"impressions":0,"clicks":0,"conversions":0,"revenue":"0.00","spend":"0.00",'
    '"ctr":null,"cvr":null,"cpc":null,"cpa":null,"roas":null,"date":"'
)
# Fields in `DayOut`'s order (AggregateOut's keys, then date): the order the API serialises.
# Every number slot is quoted; a None fills it as "None", which `series_json` turns into
# null (no other text of a day can contain it: numbers and an ISO date only).
_DAY = (
    '{"impressions":%d,"clicks":%d,"conversions":%d,"revenue":"%s","spend":"%s",'
    '"ctr":"%s","cvr":"%s","cpc":"%s","cpa":"%s","roas":"%s","date":"%s"}'
)
_NULL_SLOT = '"None"'


def _day_text(row: tuple[Any, ...] | None, day: str) -> str:
    """One day with `"None"` for each null (see `_DAY`)."""
    if row is None:
        return _EMPTY_DAY + day + '"}'
    impressions = int(row[1] or 0)
    clicks = int(row[2] or 0)
    conversions = int(row[3] or 0)
    revenue = Decimal(row[4] or 0)
    spend = row[5]
    # The values of `Aggregate.from_row(row).to_api()`: `shared.metrics.ratio` divides
    # Decimal(numerator) by Decimal(denominator) (a Decimal divided by an int converts the
    # int exactly, the same operation), None for a zero denominator; rounded once, half up.
    d_clicks = Decimal(clicks)
    d_conversions = Decimal(conversions)
    ctr = _quantize(d_clicks / impressions, _RATIO, _UP) if impressions else None
    cvr = _quantize(d_conversions / clicks, _RATIO, _UP) if clicks else None
    if spend is None:
        cpc = cpa = roas = None
    else:
        spend = Decimal(spend)
        cpc = _quantize(spend / clicks, _UNIT, _UP) if clicks else None
        cpa = _quantize(spend / conversions, _UNIT, _UP) if conversions else None
        roas = _quantize(revenue / spend, _RATIO, _UP) if spend else None
        spend = _quantize(spend, _CENT, _UP)
    return _DAY % (
        impressions,
        clicks,
        conversions,
        _quantize(revenue, _CENT, _UP),
        spend,
        ctr,
        cvr,
        cpc,
        cpa,
        roas,
        day,
    )


def day_json(row: tuple[Any, ...] | None, day: date) -> str:
    """One `DayOut` object as JSON text: `Aggregate.from_row(row).to_api()` plus the date, or
    the empty day for None. A quantized Decimal's `str` (what %s writes) is its fixed-point
    text, like `format(value, "f")`: its exponent is -2, -4 or -6, never positive, and its
    adjusted exponent is never below -6."""
    return _day_text(row, day.isoformat()).replace(_NULL_SLOT, "null")


def series_json(by_day: dict[date, tuple[Any, ...]], start: date, end: date) -> JsonText:
    """The JSON array of every day from `start` to `end` (days without a row are empty days),
    equal to `service._daily_series` once validated as `list[DayOut]` and serialised."""
    one = timedelta(days=1)
    days = []
    day = start
    get = by_day.get
    while day <= end:
        days.append(_day_text(get(day), day.isoformat()))
        day += one
    return JsonText("[" + ",".join(days).replace(_NULL_SLOT, "null") + "]")


def daily_series(by_day: dict[date, tuple[Any, ...]], span: DateRange) -> JsonText:
    """`service._daily_series` of tuple rows, as JSON text."""
    return series_json(by_day, span.start, span.end)
