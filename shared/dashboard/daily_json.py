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
from shared.numbers import PLACES


class JsonText(str):
    """A JSON value already serialised in the API's convention (see `shared.api.prejson`)."""

    __slots__ = ()


_CENT = PLACES["money"]
_UNIT = PLACES["unit"]
_RATIO = PLACES["ratio"]
_UP = ROUND_HALF_UP
_ZERO = Decimal(0)
_quantize = Decimal.quantize

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


def _day_text(row: dict[str, Any] | None, day: date) -> str:
    """One day with `"None"` for each null (see `_DAY`)."""
    if row is None:
        return _EMPTY_DAY + day.isoformat() + '"}'
    impressions = int(row["impressions"] or 0)
    clicks = int(row["clicks"] or 0)
    conversions = int(row["conversions"] or 0)
    revenue = Decimal(row["revenue"] or 0)
    spend = row["spend"]
    # The same operations as `Aggregate.from_row(row).to_api()` (`shared.metrics.ratio`:
    # Decimal(numerator) / Decimal(denominator), None for a zero denominator).
    d_clicks = Decimal(clicks)
    d_conversions = Decimal(conversions)
    ctr = _quantize(d_clicks / Decimal(impressions), _RATIO, _UP) if impressions else None
    cvr = _quantize(d_conversions / d_clicks, _RATIO, _UP) if clicks else None
    if spend is None:
        cpc = cpa = roas = None
    else:
        spend = Decimal(spend)
        cpc = _quantize(spend / d_clicks, _UNIT, _UP) if clicks else None
        cpa = _quantize(spend / d_conversions, _UNIT, _UP) if conversions else None
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
        day.isoformat(),
    )


def day_json(row: dict[str, Any] | None, day: date) -> str:
    """One `DayOut` object as JSON text: `Aggregate.from_row(row).to_api()` plus the date, or
    the empty day for None. A quantized Decimal's `str` (what %s writes) is its fixed-point
    text, like `format(value, "f")`: its exponent is -2, -4 or -6, never positive, and its
    adjusted exponent is never below -6."""
    return _day_text(row, day).replace(_NULL_SLOT, "null")


def series_json(by_day: dict[date, dict[str, Any]], start: date, end: date) -> JsonText:
    """The JSON array of every day from `start` to `end` (days without a row are empty days),
    equal to `service._daily_series` once validated as `list[DayOut]` and serialised."""
    one = timedelta(days=1)
    days = []
    day = start
    get = by_day.get
    while day <= end:
        days.append(_day_text(get(day), day))
        day += one
    return JsonText("[" + ",".join(days).replace(_NULL_SLOT, "null") + "]")


def daily_series(by_day: dict[date, dict[str, Any]], span: DateRange) -> JsonText:
    """`service._daily_series` as JSON text (a `service.SeriesShaper`)."""
    return series_json(by_day, span.start, span.end)
