"""Derived metrics come from sums, null on zero denominators, money rounded only at the edge."""

from __future__ import annotations

from decimal import Decimal

from shared.metrics import Aggregate, compare, relative_change, spend_for


def test_ratios_come_from_sums_not_averages():
    a = Aggregate(impressions=1000, clicks=10, conversions=1, revenue=Decimal("50"), spend=Decimal("4"))
    b = Aggregate(impressions=9000, clicks=9, conversions=0, revenue=Decimal("0"), spend=Decimal("36"))
    total = a + b
    assert total.ctr == Decimal(19) / Decimal(10000)  # not (0.01 + 0.001) / 2
    assert total.cpc == Decimal(40) / Decimal(19)
    assert total.cpa == Decimal(40)
    assert total.roas == Decimal(50) / Decimal(40)


def test_zero_denominators_give_none():
    empty = Aggregate()
    assert (empty.ctr, empty.cvr, empty.cpc, empty.cpa, empty.roas) == (None, None, None, None, None)
    unpriced = Aggregate(impressions=100, clicks=5, conversions=1, revenue=Decimal("3"))
    assert unpriced.cpc is None and unpriced.roas is None and unpriced.to_api()["spend"] is None


def test_to_api_rounds_money_to_cents_half_up():
    agg = Aggregate(impressions=1, clicks=1, conversions=1, revenue=Decimal("0.125"), spend=Decimal("0.0045"))
    out = agg.to_api()
    assert out["revenue"] == Decimal("0.13")
    assert out["spend"] == Decimal("0.00")
    assert out["ctr"] == Decimal("1.000000")


def test_spend_is_exact():
    assert spend_for(12345, Decimal("4.2500")) == Decimal("52.46625")
    assert sum(spend_for(1, Decimal("3.3333")) for _ in range(3000)) == Decimal("9.9999")


def test_relative_change_and_percentage_points():
    assert relative_change(150, 100) == Decimal("0.5")
    assert relative_change(5, 0) is None
    now = Aggregate(impressions=1000, clicks=29)
    before = Aggregate(impressions=1000, clicks=42)
    change = compare(now, before)
    assert change["ctr"] == Decimal("-0.309524")
    assert change["ctr_pp"] == Decimal("-1.300000")
    assert change["spend"] is None
