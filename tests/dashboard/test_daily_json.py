"""The overview's fast paths equal the general ones, digit for digit and byte for byte.

- `daily_json.series_and_total` (the daily series written as JSON text) against the
  general shaping: `service._daily_series` -> `as_json` -> `list[DayOut]` validation -> the
  API's serialiser (Powertools' `json.dumps(separators=(",", ":"))`);
- `service.total_of` (the fold written out) and the total `series_and_total` sums on the
  way against the fold of `Aggregate.from_row` with `Aggregate.__add__` they replaced;
(`tests/api/test_overview_body.py`: the same through the real handler.)
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from shared.api.routes.clients import DayOut
from shared.dashboard import daily_json, service
from shared.dashboard.params import DateRange
from shared.metrics import Aggregate
from shared.numbers import as_json

DAYS = TypeAdapter(list[DayOut])
START = date(2025, 1, 1)


def as_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    """A tuple row as the general path's dict row."""
    return dict(zip((*daily_json.DAILY_COLUMNS, "currency"), row, strict=True))


def general_series(by_day: dict[date, tuple[Any, ...]], span: DateRange) -> str:
    rows = {day: as_dict(row) for day, row in by_day.items()}
    shaped = DAYS.validate_python(as_json(service._daily_series(rows, span)))
    return json.dumps(DAYS.dump_python(shaped, mode="json"), separators=(",", ":"))


def fold_total(rows: list[dict[str, Any]]) -> Aggregate:
    """`total_of` as it was: the fold of `Aggregate.from_row` with `Aggregate.__add__`."""
    if not rows:
        return service.NOTHING
    total = Aggregate()
    for row in rows:
        total = total + Aggregate.from_row(row)
    return total


counts = st.one_of(st.integers(0, 10**12), st.sampled_from([0, 1, 2, 3, 999_999, 10**15]))
# numeric sums of any scale (conversion_revenue numeric(18,6), spend from CPM x impressions / 1000).
amounts = st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e12"), places=None, allow_nan=False).filter(
    lambda d: d.is_finite() and abs(d.as_tuple().exponent) <= 24  # type: ignore[arg-type]
) | st.sampled_from([Decimal(0), Decimal("0.000000"), Decimal("0.005"), Decimal("0.004999"), Decimal("-0.001")])


@st.composite
def rows(draw: st.DrawFn, day: date = START) -> tuple[Any, ...]:
    """A dashboard_daily_totals row as the fast path fetches it (a tuple)."""
    return (
        day,
        Decimal(draw(counts)),  # sum(bigint): an integral numeric
        Decimal(draw(counts)),
        Decimal(draw(counts)),
        draw(amounts),
        draw(st.none() | amounts),  # None: no row of the day could be priced
        "USD",
    )


@st.composite
def days(draw: st.DrawFn) -> tuple[dict[date, tuple[Any, ...]], DateRange]:
    length = draw(st.integers(1, 40))
    span = DateRange(START, START + timedelta(days=length - 1))
    present = draw(st.lists(st.integers(0, length - 1), unique=True))
    return {START + timedelta(days=n): draw(rows(START + timedelta(days=n))) for n in present}, span


@settings(max_examples=300, deadline=None)
@given(days())
def test_series_json_equals_the_general_shaping(case: tuple[dict[date, tuple[Any, ...]], DateRange]) -> None:
    by_day, span = case
    try:
        expected = general_series(by_day, span)
    except InvalidOperation:  # a ratio too large for its places (1e30): both paths refuse it
        with pytest.raises(InvalidOperation):
            daily_json.daily_series(by_day, span)
        return
    text, total = daily_json.daily_series(by_day, span)
    assert text == expected
    in_order = [as_dict(by_day[day]) for day in sorted(by_day)]
    assert total == fold_total(in_order) == service.total_of(in_order)
    assert (str(total.revenue), str(total.spend)) == (
        str(fold_total(in_order).revenue),
        str(fold_total(in_order).spend),
    )


@settings(max_examples=300, deadline=None)
@given(rows())
def test_one_day_equals_the_general_shaping(row: tuple[Any, ...]) -> None:
    span = DateRange(START, START)
    try:
        expected = general_series({START: row}, span)
    except InvalidOperation:
        with pytest.raises(InvalidOperation):
            daily_json.day_json(row, START)
        return
    assert "[" + daily_json.day_json(row, START) + "]" == expected


def test_fixed_days_nulls_zeros_unpriced_and_half_way_values() -> None:
    def row(n: int, imps: int, clicks: int, conv: int, revenue: str, spend: str | None) -> tuple[Any, ...]:
        money = Decimal(spend) if spend is not None else None
        return (
            START + timedelta(days=n),
            Decimal(imps),
            Decimal(clicks),
            Decimal(conv),
            Decimal(revenue),
            money,
            "USD",
        )

    by_day = {
        START: row(0, 875187, 4960, 354, "13275.000000", "3719.5447500"),
        START + timedelta(days=1): row(1, 0, 0, 0, "0", "0"),
        START + timedelta(days=2): row(2, 1000, 3, 0, "0", None),  # unpriced: spend, cpc, cpa, roas null
        START + timedelta(days=4): row(4, 2000000, 1, 1, "0.005", "0.00005"),  # half-way values round up
    }  # day 3 has no row: an empty day
    span = DateRange(START, START + timedelta(days=4))
    text, total = daily_json.daily_series(by_day, span)
    assert text == general_series(by_day, span)
    assert total == fold_total([as_dict(by_day[day]) for day in sorted(by_day)])
    assert daily_json.daily_series({}, span)[1] == service.NOTHING
    parsed = json.loads(text)
    assert parsed[0]["ctr"] == "0.005667" and parsed[0]["cpc"] == "0.7499" and parsed[0]["roas"] == "3.568985"
    assert parsed[1]["ctr"] is None and parsed[1]["spend"] == "0.00"
    assert parsed[2]["spend"] is None and parsed[2]["cpc"] is None and parsed[2]["ctr"] == "0.003000"
    assert parsed[3] == {
        **dict.fromkeys(("ctr", "cvr", "cpc", "cpa", "roas")),
        "impressions": 0,
        "clicks": 0,
        "conversions": 0,
        "revenue": "0.00",
        "spend": "0.00",
        "date": "2025-01-04",
    }
    assert parsed[4]["revenue"] == "0.01" and parsed[4]["spend"] == "0.00" and parsed[4]["ctr"] == "0.000001"
    assert parsed[4]["roas"] == "100.000000"


@settings(max_examples=300, deadline=None)
@given(st.lists(rows(), max_size=30))
def test_total_of_equals_the_fold_of_aggregates(some: list[tuple[Any, ...]]) -> None:
    folded = fold_total([as_dict(row) for row in some])
    fast = service.total_of([as_dict(row) for row in some])
    assert fast == folded
    assert fast.to_api() == folded.to_api()
    # the same Decimal representation, not only the same value
    assert (str(fast.revenue), str(fast.spend)) == (str(folded.revenue), str(folded.spend))


def test_tuple_rows_are_checked_against_the_query_columns(api_db) -> None:
    """The fast path reads dashboard_daily_totals by position: its columns are checked."""
    from shared.db import QUERIES, Tenant

    nobody = "00000000-0000-0000-0000-000000000001"
    with api_db.transaction(tenant=Tenant.client(nobody)) as conn:
        params = {"client_id": nobody, "date_from": START, "date_to": START}
        daily_json.check_columns(conn.execute(QUERIES["dashboard_daily_totals"], params).description)
        other = conn.execute("SELECT now()::date AS date, 1::bigint AS impressions")
        with pytest.raises(RuntimeError):
            daily_json.check_columns(other.description)
