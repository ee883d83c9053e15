"""The ROAS change split into CTR, CVR, AOV and CPM (SPEC §12): hand-computed figures, the
sentence, periods without what a log needs, and a property test that the split is exact."""

from __future__ import annotations

from decimal import Context, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.insights.roas import ROUNDED_TOLERANCE, decompose, explain_roas, sentence
from shared.metrics import Aggregate

D = Decimal


def agg(impressions: int, clicks: int, conversions: int, revenue: str, spend: str | None) -> Aggregate:
    return Aggregate(
        impressions=impressions,
        clicks=clicks,
        conversions=conversions,
        revenue=D(revenue),
        spend=None if spend is None else D(spend),
    )


# The spec's example by hand: same impressions, clicks and spend; CVR 5% -> 3.8% (-24%) and
# AOV 100.00 -> 91.00 (-9%): ROAS 5.0 -> 3.458 = 0.76 x 0.91 = -30.84%.
BEFORE = agg(1_000_000, 5_000, 250, "25000", "5000")
AFTER = agg(1_000_000, 5_000, 190, "17290", "5000")


def test_the_spec_example_by_hand():
    result = explain_roas(AFTER, BEFORE)
    assert result["available"] is True and result["reason"] is None
    assert result["change"] == D("-0.308400")  # 3.458 / 5 - 1
    assert result["log_change"] == D("-0.368748")  # ln 0.6916
    by = {d["metric"]: d for d in result["drivers"]}
    assert [d["metric"] for d in result["drivers"]] == ["ctr", "cvr", "aov", "cpm"]
    assert by["cvr"]["previous"] == D("0.050000") and by["cvr"]["value"] == D("0.038000")
    assert by["cvr"]["change"] == D("-0.240000") and by["cvr"]["log_change"] == D("-0.274437")  # ln 0.76
    assert by["aov"]["previous"] == D("100.0000") and by["aov"]["value"] == D("91.0000")
    assert by["aov"]["contribution"] == D("-0.094311")  # ln 0.91
    assert by["ctr"]["contribution"] == by["cpm"]["contribution"] == D("0.000000")
    assert by["cpm"]["value"] == D("5.0000")  # 1000 x 5000 / 1,000,000
    assert result["largest"] == ["cvr", "aov", "cpm"]
    assert result["message"] == "ROAS \u221231%: CVR \u221224%, AOV \u22129.0%, CPM unchanged"


def test_a_dearer_cpm_lowers_roas_and_its_contribution_is_negative():
    # given the same delivery and outcomes bought at a CPM 25% higher (4.00 -> 5.00)
    before = agg(200_000, 1_000, 50, "4000", "800")
    after = agg(200_000, 1_000, 50, "4000", "1000")
    result = explain_roas(after, before)
    cpm = next(d for d in result["drivers"] if d["metric"] == "cpm")
    # then ROAS falls 20% (5.0 -> 4.0), all of it from the CPM: +25% CPM is a -20% effect
    assert result["change"] == D("-0.200000")
    assert cpm["change"] == D("0.250000")
    assert cpm["log_change"] == D("0.223144")  # ln 1.25
    assert cpm["contribution"] == D("-0.223144") == result["log_change"]
    assert cpm["contribution_change"] == D("-0.200000")
    assert result["largest"] == ["cpm"]
    assert result["message"] == "ROAS \u221220%: CPM +25%"


def test_offsetting_drivers_and_a_cpm_that_did_not_move():
    # CTR doubles (0.5% -> 1%), CVR halves (10% -> 5%): conversions, revenue and ROAS unchanged
    before = agg(100_000, 500, 50, "2500", "400")
    after = agg(100_000, 1_000, 50, "2500", "400")
    result = explain_roas(after, before)
    assert result["change"] == D("0.000000") and result["log_change"] == D("0.000000")
    assert result["largest"] == ["ctr", "cvr", "cpm"]
    assert result["message"] == "ROAS unchanged: CTR +100%, CVR \u221250%, CPM unchanged"


def test_nothing_moved():
    assert explain_roas(BEFORE, BEFORE)["message"] == "ROAS unchanged: CTR, CVR, AOV and CPM all unchanged"


@pytest.mark.parametrize(
    ("current", "previous", "reason"),
    [
        (agg(0, 0, 0, "0", "0"), BEFORE, "no impressions in this period"),
        (BEFORE, agg(1000, 0, 0, "0", "4.25"), "no clicks in the comparison period"),
        (agg(1000, 10, 0, "0", "4.25"), BEFORE, "no conversions in this period"),
        (BEFORE, agg(1000, 10, 2, "0", "4.25"), "no revenue in the comparison period"),
        (agg(1000, 10, 2, "30", None), BEFORE, "no priced spend in this period (no CPM in force)"),
        (BEFORE, agg(1000, 10, 2, "30", "0"), "no spend in the comparison period"),
    ],
)
def test_a_period_without_what_a_log_needs_has_a_reason_not_a_number(current, previous, reason):
    result = explain_roas(current, previous)
    assert result == {
        "available": False,
        "reason": reason,
        "log_change": None,
        "change": None,
        "drivers": [],
        "largest": [],
        "message": None,
    }
    assert decompose(current, previous) is None


counts = st.integers(min_value=1, max_value=10**9)
cents = st.integers(min_value=1, max_value=10**11).map(lambda n: Decimal(n).scaleb(-2))
# spend as stored: impressions x a 4-place CPM / 1000, unrounded (numeric(22,7))
cpms = st.integers(min_value=1, max_value=10**6).map(lambda n: Decimal(n).scaleb(-4))


@st.composite
def periods(draw) -> Aggregate:
    impressions = draw(counts)
    clicks = draw(st.integers(min_value=1, max_value=impressions))
    conversions = draw(st.integers(min_value=1, max_value=clicks))
    return Aggregate(
        impressions=impressions,
        clicks=clicks,
        conversions=conversions,
        revenue=draw(cents),
        spend=Decimal(impressions) * draw(cpms) / 1000,
    )


def _exact(agg: Aggregate) -> dict[str, Fraction]:
    assert agg.spend is not None
    return {
        "ctr": Fraction(agg.clicks, agg.impressions),
        "cvr": Fraction(agg.conversions, agg.clicks),
        "aov": Fraction(agg.revenue) / agg.conversions,
        "cpm": 1000 * Fraction(agg.spend) / agg.impressions,
        "roas": Fraction(agg.revenue) / Fraction(agg.spend),
    }


@settings(max_examples=300, deadline=None)
@given(periods(), periods())
def test_the_decomposition_is_exact_for_random_periods(current, previous):
    # the identity behind it, in exact rational arithmetic: the product of the driver ratios
    # is the ROAS ratio, with no error at all
    now, before = _exact(current), _exact(previous)
    ratios = {key: now[key] / before[key] for key in now}
    assert ratios["ctr"] * ratios["cvr"] * ratios["aov"] / ratios["cpm"] == ratios["roas"]
    # the logs (40 digits): the unrounded contributions sum to ln ROAS change within 1e-30
    split = decompose(current, previous)
    assert split is not None
    wide = Context(prec=50)
    total = Decimal(0)
    for driver in split.drivers:
        total = wide.add(total, driver.contribution)
    assert abs(wide.subtract(total, split.log_change)) <= Decimal("1e-30")
    # ...and that sum is the log of the exact ROAS ratio (checked independently at 50 digits)
    roas_ratio = ratios["roas"]
    exact_log = wide.ln(wide.divide(Decimal(roas_ratio.numerator), Decimal(roas_ratio.denominator)))
    assert abs(wide.subtract(split.log_change, exact_log)) <= Decimal("1e-30")
    # each log is the log of its exact ratio (checked independently at 50 digits)
    for driver in split.drivers:
        exact_ratio = ratios[driver.name]
        expected = wide.ln(wide.divide(Decimal(exact_ratio.numerator), Decimal(exact_ratio.denominator)))
        assert abs(wide.subtract(driver.log_change, expected)) <= Decimal("1e-30")
        # exp(contribution) - 1, the relative effect on ROAS: its exact ratio less one, to 40 digits
        effect_ratio = 1 / exact_ratio if driver.name == "cpm" else exact_ratio
        effect = wide.subtract(wide.divide(Decimal(effect_ratio.numerator), Decimal(effect_ratio.denominator)), 1)
        assert abs(wide.subtract(driver.contribution_change, effect)) <= Decimal("1e-38") * max(1, abs(effect))
    # what the API returns, rounded to 6 places, sums within the stated tolerance
    shaped = explain_roas(current, previous)
    rounded = sum((d["contribution"] for d in shaped["drivers"]), Decimal(0))
    assert abs(rounded - shaped["log_change"]) <= ROUNDED_TOLERANCE
    assert shaped["message"].startswith("ROAS ")
    assert "cpm" in shaped["largest"]


def test_the_sentence_names_the_largest_driver_first():
    # CTR -10%, CPM +40%: the CPM term (ln 1.4 = 0.336) outweighs CTR's (ln 0.9 = -0.105)
    before = agg(100_000, 1_000, 100, "5000", "500")
    after = agg(100_000, 900, 90, "4500", "700")
    split = decompose(after, before)
    assert split is not None
    assert sentence(split) == "ROAS \u221236%: CPM +40%, CTR \u221210%"


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (D("-0.3084"), "\u221231%"),
        (D("0.042"), "+4.2%"),
        (D("-0.09"), "\u22129.0%"),
        (D("0.00049"), "unchanged"),  # rounds to 0.0%
        (D("-0.0005"), "\u22120.1%"),  # half up, once
        (D("0"), "unchanged"),
        (None, "n/a"),
    ],
)
def test_moved_states_a_change_as_a_sentence_does(change, text):
    from shared.numbers import human

    assert human.moved(change) == text
