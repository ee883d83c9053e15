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


# A day without rows: zero counts and spend, every ratio null (`service.NOTHING`).
_EMPTY_DAY = (
    '{"impressions":0,"clicks":0,"conversions":0,"revenue":"0.00","spend":"0.00",'
    '"ctr":null,"cvr":null,"cpc":null,"cpa":null,"roas":null,"date":"'
)
# Fields in `DayOut`'s order (AggregateOut's keys, then date): the order the API serialises.
# Every number slot is quoted; a None fills it as "None", which `series_and_total` turns into
# null (no other text of a day can contain it: numbers and an ISO date only). The counts are
# written with %s: psycopg loads sum(bigint) as a Decimal of exponent 0, whose str is its
# digits, what %d writes, ~0.25 us a day faster (tests/api/test_overview_body.py, real sums).
_DAY = (
    '{"impressions":%s,"clicks":%s,"conversions":%s,"revenue":"%s","spend":"%s",'
    '"ctr":"%s","cvr":"%s","cpc":"%s","cpa":"%s","roas":"%s","date":"%s"}'
)
_NULL_SLOT = '"None"'


_ISO_DAYS: dict[date, str] = {}  # date -> "YYYY-MM-DD", a pure function kept per process
_ISO_DAYS_MAX = 20_000


def _iso(day: date) -> str:
    text = _ISO_DAYS.get(day)
    if text is None:
        if len(_ISO_DAYS) >= _ISO_DAYS_MAX:
            _ISO_DAYS.clear()
        text = _ISO_DAYS[day] = day.isoformat()
    return text


def series_and_total(by_day: dict[date, tuple[Any, ...]], start: date, end: date) -> tuple[JsonText, Aggregate]:
    """The JSON array of every day from `start` to `end` (days without a row are empty days),
    equal to `service._daily_series` once validated as `list[DayOut]` and serialised, and the
    total of those days' rows, equal to `service.total_of` of them (`by_day` holds them in date
    order, as the query returns them: the same additions in the same order).

    Each day is `Aggregate.from_row(row).to_api()`: `shared.metrics.ratio` divides
    Decimal(numerator) by Decimal(denominator) (a Decimal divided by an int converts the int
    exactly: the same operation), None for a zero denominator, each value rounded once, half
    up. A quantized Decimal's `str` (what %s writes) is its fixed-point text, like
    `format(value, "f")`: its exponent is -2, -4 or -6, never positive, and its adjusted
    exponent is never below -6.
    """
    quantize, ratio, unit, cent, up, zero = _quantize, _RATIO, _UNIT, _CENT, _UP, _ZERO
    template, empty = _DAY, _EMPTY_DAY
    one = timedelta(days=1)
    days: list[str] = []
    append = days.append
    get = by_day.get
    found = False
    # The counts stay the integral Decimals psycopg loads sum(bigint) as (`check_columns`):
    # Decimal(int(x)) of such an x is x, so dividing them is the ratio of the general path,
    # `%s` writes their digits as `%d` writes the int, and their sums are exact (int() at the end).
    total_impressions = total_clicks = total_conversions = total_revenue = zero
    total_spend: Decimal | None = None
    day = start
    while day <= end:
        row = get(day)
        if row is None:
            append(empty + _iso(day) + '"}')
            day += one
            continue
        found = True
        _, impressions, clicks, conversions, revenue, spend = row[:6]
        impressions = impressions or zero
        clicks = clicks or zero
        conversions = conversions or zero
        # Decimal(x) of a Decimal is x itself (value and exponent): `check_columns` makes the
        # money columns numeric, which psycopg loads as Decimal, so the copy is skipped.
        revenue = revenue or zero
        total_impressions += impressions
        total_clicks += clicks
        total_conversions += conversions
        total_revenue = total_revenue + revenue
        ctr = quantize(clicks / impressions, ratio, up) if impressions else None
        cvr = quantize(conversions / clicks, ratio, up) if clicks else None
        if spend is None:
            cpc = cpa = roas = None
            if total_spend is not None:
                total_spend = (total_spend or zero) + zero
        else:
            total_spend = (total_spend or zero) + (spend or zero)
            cpc = quantize(spend / clicks, unit, up) if clicks else None
            cpa = quantize(spend / conversions, unit, up) if conversions else None
            roas = quantize(revenue / spend, ratio, up) if spend else None
            spend = quantize(spend, cent, up)
        append(
            template
            % (
                impressions,
                clicks,
                conversions,
                quantize(revenue, cent, up),
                spend,
                ctr,
                cvr,
                cpc,
                cpa,
                roas,
                _iso(day),
            )
        )
        day += one
    total = (
        Aggregate(
            impressions=int(total_impressions),
            clicks=int(total_clicks),
            conversions=int(total_conversions),
            revenue=total_revenue,
            spend=total_spend,
        )
        if found
        else _NOTHING
    )
    return JsonText("[" + ",".join(days).replace(_NULL_SLOT, "null") + "]"), total


def day_json(row: tuple[Any, ...] | None, day: date) -> str:
    """One `DayOut` object as JSON text (the empty day for None)."""
    return series_and_total({day: row} if row is not None else {}, day, day)[0][1:-1]


def daily_series(by_day: dict[date, tuple[Any, ...]], span: DateRange) -> tuple[JsonText, Aggregate]:
    """`service._daily_series` of tuple rows as JSON text, and `service.total_of` of them."""
    return series_and_total(by_day, span.start, span.end)
