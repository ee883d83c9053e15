"""Insights: anomalies against a same-weekday robust baseline, trends, changes, performers."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from shared.db import Tenant
from shared.errors import InvalidInput
from shared.insights import insights_for
from shared.insights.engine import Window, anomalies, trends
from shared.metrics import Aggregate
from tests.summaries.data import make_client

START = date(2026, 1, 5)  # a Monday; ten weeks of history follow
WEEK = date(2026, 3, 9)  # the week under study (Mon 03-09 .. Sun 03-15)


def _noisy_days(client, rng, *, until=WEEK + timedelta(days=6), campaign="Spring Sale"):
    """Realistic daily delivery: weekends 30% lower, every metric with +/-10% noise."""
    day = START
    while day <= until:
        level = 0.7 if day.weekday() >= 5 else 1.0
        impressions = int(50_000 * level * rng.uniform(0.9, 1.1))
        clicks = int(impressions * 0.005 * rng.uniform(0.9, 1.1))
        conversions = int(clicks * 0.05 * rng.uniform(0.9, 1.1)) + 1
        revenue = Decimal(conversions) * Decimal(str(round(40 * rng.uniform(0.9, 1.1), 2)))
        yield day, impressions, clicks, conversions, revenue
        day += timedelta(days=1)


def _insights(worker_db, settings, client_id, date_from=WEEK, date_to=WEEK + timedelta(days=6)):
    with worker_db.transaction(tenant=Tenant.client(client_id)) as conn:
        return insights_for(conn, client_id=client_id, date_from=date_from, date_to=date_to, settings=settings)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ordinary_noise_raises_no_anomaly(owner_conn, worker_db, settings, seed):
    client = make_client(owner_conn, f"noise{seed}")
    for row in _noisy_days(client, random.Random(seed)):
        client.add(*row)
    found = _insights(worker_db, settings, client.id)
    assert [i for i in found if i["kind"] in ("anomaly", "trend")] == []


def test_a_planted_ctr_collapse_is_found_with_its_numbers(owner_conn, worker_db, settings):
    client = make_client(owner_conn, "planted")
    planted = WEEK + timedelta(days=1)  # Tuesday 2026-03-10
    for day, impressions, clicks, conversions, revenue in _noisy_days(client, random.Random(7)):
        if day == planted:
            clicks = int(impressions * 0.002)  # CTR 0.5% -> 0.2%
            conversions = max(1, int(clicks * 0.05))
        client.add(day, impressions, clicks, conversions, revenue)

    found = [i for i in _insights(worker_db, settings, client.id) if i["kind"] == "anomaly"]

    (ctr,) = [i for i in found if i["metric"] == "ctr"]
    assert ctr["date"] == "2026-03-10" and ctr["direction"] == "down" and ctr["severity"] == "high"
    assert Decimal(ctr["change"]) < Decimal("-0.5")
    assert float(ctr["z"]) <= -3.5
    assert ctr["baseline_points"] == 8
    assert ctr["message"].startswith("CTR fell 6")
    assert "on Tuesday, Mar 10, 2026 (0.20% vs a median of 0.5" in ctr["message"]
    assert "on the previous 8 Tuesdays)" in ctr["message"]
    # nothing else on other days
    assert {i["date"] for i in found} == {"2026-03-10"}


def _series(values_by_day: dict[date, Aggregate]) -> dict[date, Aggregate]:
    return values_by_day


def _ctr_series(baseline_clicks: list[int], today_clicks: int, impressions: int = 10_000) -> dict[date, Aggregate]:
    today = date(2026, 3, 10)
    series = {today: Aggregate(impressions=impressions, clicks=today_clicks)}
    for weeks_back, clicks in enumerate(baseline_clicks, start=1):
        series[today - timedelta(weeks=weeks_back)] = Aggregate(impressions=impressions, clicks=clicks)
    return series


def _ctr_anomalies(series, minimum=1000):
    day = date(2026, 3, 10)
    return [i for i in anomalies(series, date_from=day, date_to=day, min_impressions=minimum) if i["metric"] == "ctr"]


def test_a_flat_baseline_mad_zero_still_flags_a_large_change():
    # MAD = 0 and mean deviation = 0: the z-score is infinite; the 25% rule decides
    (found,) = _ctr_anomalies(_ctr_series([50] * 8, 30))
    assert found["z"] is None and found["change"] == "-0.400000"
    assert _ctr_anomalies(_ctr_series([50] * 8, 49)) == []


def test_mad_zero_with_some_spread_uses_the_mean_deviation():
    # five of eight equal: MAD = 0, but the baseline is not flat
    (found,) = _ctr_anomalies(_ctr_series([50, 50, 50, 50, 50, 40, 60, 55], 20))
    assert float(found["z"]) < -3.5


def test_a_big_change_against_a_noisy_baseline_is_not_an_anomaly():
    # +33% vs the median, but the baseline swings that much every week (|z| ~ 0.7)
    assert _ctr_anomalies(_ctr_series([40, 60, 40, 60, 40, 60, 40, 60], 67)) == []


def test_a_small_change_against_a_tight_baseline_is_not_an_anomaly():
    # |z| is huge but the change is only 10%: not worth a message
    assert _ctr_anomalies(_ctr_series([50, 50, 51, 50, 49, 50, 50, 51], 55)) == []


def test_no_anomaly_under_the_volume_floor_or_without_enough_history():
    assert _ctr_anomalies(_ctr_series([5] * 8, 1, impressions=999)) == []
    assert _ctr_anomalies(_ctr_series([50, 50, 50], 10)) == []  # 3 weeks < 4 needed


def _windows(values: list[int], days: int = 7) -> list[Window | None]:
    return [Window(Aggregate(impressions=100_000, clicks=1_000, conversions=v), days) for v in values]


@pytest.mark.parametrize(
    ("weekly_conversions", "expected"),
    [
        ([1000, 900, 800, 700], "down"),  # a steady decline, -30%
        ([700, 800, 900, 1000], "up"),
        ([1000, 1000, 700, 1000], None),  # a single dip is not a trend
        ([1000, 950, 1000, 800], None),  # not consecutive
        ([1000, 990, 980, 970], None),  # consecutive but only -3%
    ],
)
def test_trends_need_three_consecutive_moves_totalling_15_percent(weekly_conversions, expected):
    found = [
        t
        for t in trends(_windows(weekly_conversions), entity=None, date_to=date(2026, 3, 15), min_impressions=1000)
        if t["metric"] == "conversions"
    ]
    assert [t["direction"] for t in found] == ([expected] if expected else [])


def test_a_decline_in_sums_over_partial_weeks_is_not_a_trend():
    windows = _windows([1000, 900, 800, 700])
    windows[-1] = Window(windows[-1].totals, 5)  # two days of data missing
    assert [
        t
        for t in trends(windows, entity=None, date_to=date(2026, 3, 15), min_impressions=1000)
        if t["metric"] == "conversions"
    ] == []


def test_a_steady_decline_in_the_database_is_reported_as_a_trend(owner_conn, worker_db, settings):
    client = make_client(owner_conn, "decline")
    day, week_index = WEEK - timedelta(weeks=3), 0
    while day <= WEEK + timedelta(days=6):
        week_index = (day - (WEEK - timedelta(weeks=3))).days // 7
        conversions = (100, 90, 80, 70)[week_index]
        client.add(day, 10_000, 1_000, conversions, Decimal(conversions) * 10)
        day += timedelta(days=1)

    found = [
        i for i in _insights(worker_db, settings, client.id) if i["kind"] == "trend" and i["metric"] == "conversions"
    ]

    assert len(found) == 2  # the client and its one campaign
    client_level = next(i for i in found if i["entity"] is None)
    assert client_level["message"] == (
        "Conversions declined three weeks in a row, down 30% in total (700 → 630 → 560 → 490 a week)"
    )
    assert (client_level["previous"], client_level["value"], client_level["change"]) == (700, 490, "-0.300000")
    assert client_level["period"] == {"from": "2026-02-16", "to": "2026-03-15"}


def test_week_over_week_change_sentence(owner_conn, worker_db, settings):
    client = make_client(owner_conn, "spring")
    for offset in range(14):
        day = WEEK - timedelta(days=7) + timedelta(days=offset)
        client.add(day, 10_000, 42 if offset < 7 else 29, 1, "10", campaign="Spring Sale")

    found = [i for i in _insights(worker_db, settings, client.id) if i["kind"] == "change"]

    (ctr,) = [i for i in found if i["metric"] == "ctr"]
    assert ctr["message"] == "CTR for campaign Spring Sale fell 31% week over week (0.42% → 0.29%)"
    assert ctr["entity"]["name"] == "Spring Sale" and ctr["entity"]["type"] == "campaign"
    assert (ctr["previous"], ctr["value"]) == ("0.004200", "0.002900")


def test_top_and_bottom_performers_skip_tiny_entities(owner_conn, worker_db, settings):
    client = make_client(owner_conn, "perf", cpm="10.0000")
    client.add(WEEK, 20_000, 200, 20, "800", campaign="Winner")  # spend 200, ROAS 4
    client.add(WEEK, 20_000, 200, 5, "100", campaign="Laggard")  # ROAS 0.5
    client.add(WEEK, 500, 100, 50, "5000", campaign="Tiny")  # ROAS 1000 on 500 impressions

    found = {
        i["kind"]: i
        for i in _insights(worker_db, settings, client.id)
        if i["entity"] and i["entity"]["type"] == "campaign"
    }

    assert found["top_performer"]["entity"]["name"] == "Winner"
    assert found["top_performer"]["message"] == (
        "Campaign Winner was the top performer by ROAS: 4.00x against 14.57x overall (20,000 impressions)"
    )
    assert found["bottom_performer"]["entity"]["name"] == "Laggard"
    assert found["bottom_performer"]["value"] == "0.500000"


def test_a_creative_performer_is_named_with_its_campaign_and_placement(owner_conn, worker_db, settings):
    # Creative names repeat across strategies and placements ("15s video v1" on every site): the
    # prose gives the creative's path.
    client = make_client(owner_conn, "creatives", cpm="10.0000")
    client.add(WEEK, 20_000, 200, 20, "800", campaign="Winner", creative="Video v1")
    client.add(WEEK, 20_000, 200, 5, "100", campaign="Laggard", creative="Video v1")

    found = {
        i["kind"]: i
        for i in _insights(worker_db, settings, client.id)
        if i["entity"] and i["entity"]["type"] == "creative"
    }
    SEP = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "
    PATH = f"Winner{SEP}Strategy{SEP}Placement"

    assert found["top_performer"]["message"] == (
        f"Creative Video v1 ({PATH}) was the top performer by ROAS: 4.00x against 2.25x overall (20,000 impressions)"
    )
    assert found["bottom_performer"]["message"].startswith(f"Creative Video v1 (Laggard{SEP}Strategy{SEP}Placement)")


def test_insights_are_stored_in_the_weekly_summary(owner_conn, worker_db, settings):
    from shared.summaries import build_weekly

    client = make_client(owner_conn, "stored")
    for offset in range(14):
        client.add(WEEK - timedelta(days=7) + timedelta(days=offset), 10_000, 42 if offset < 7 else 29, 1, "10")
    with worker_db.transaction(tenant=Tenant.client(client.id)) as conn:
        summary = build_weekly(conn, client_id=client.id, week_start=WEEK, settings=settings)
    stored = owner_conn.execute("SELECT insights FROM weekly_summaries").fetchone()["insights"]
    assert stored == summary.insights
    assert any("week over week (0.42% → 0.29%)" in i["message"] for i in stored)


def test_another_clients_tenant_sees_no_insights(owner_conn, api_db, settings):
    acme, globex = make_client(owner_conn, "acme"), make_client(owner_conn, "globex")
    for offset in range(14):
        acme.add(WEEK - timedelta(days=7) + timedelta(days=offset), 10_000, 42 if offset < 7 else 29, 1, "10")
    with api_db.transaction(tenant=Tenant.client(globex.id)) as conn:
        found = insights_for(
            conn, client_id=acme.id, date_from=WEEK, date_to=WEEK + timedelta(days=6), settings=settings
        )
    assert found == []


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [(date(2026, 3, 10), date(2026, 3, 9)), (date(2020, 1, 1), date(2026, 3, 9))],
)
def test_invalid_ranges_are_rejected_before_any_query(date_from, date_to):
    from uuid import uuid4

    from shared.settings import Settings

    with pytest.raises(InvalidInput):
        insights_for(None, client_id=uuid4(), date_from=date_from, date_to=date_to, settings=Settings())
