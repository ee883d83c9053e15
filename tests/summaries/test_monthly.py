"""The monthly summary: calendar months (DST, leap day), rankings and the 3-month trend."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.db import Tenant
from shared.errors import InvalidInput
from shared.summaries import build_monthly
from tests.summaries.data import make_client


def _build(worker_db, settings, client_id, month):
    with worker_db.transaction(tenant=Tenant.client(client_id)) as conn:
        return build_monthly(conn, client_id=client_id, month_start=month, settings=settings)


@pytest.fixture
def new_york(settings_env, monkeypatch):
    settings_env["REPORTING_TIMEZONE"] = "America/New_York"
    monkeypatch.setenv("REPORTING_TIMEZONE", "America/New_York")


def test_a_month_with_a_dst_change_covers_every_calendar_day(new_york, owner_conn, worker_db, settings):
    # given data on the first day, the DST change (2026-03-08) and the last day of March
    assert settings.reporting_timezone == "America/New_York"
    client = make_client(owner_conn, "acme", cpm="3.0000")
    client.add(date(2026, 2, 28), 500, 5, 0, "0")
    for day in (date(2026, 3, 1), date(2026, 3, 8), date(2026, 3, 31)):
        client.add(day, 10_000, 100, 10, "100.00")
    client.add(date(2026, 4, 1), 777, 7, 0, "0")

    summary = _build(worker_db, settings, client.id, date(2026, 3, 1))

    row = owner_conn.execute("SELECT * FROM monthly_summaries").fetchone()
    assert (row["month_start"], row["month_end"]) == (date(2026, 3, 1), date(2026, 3, 31))
    assert (row["impressions"], row["spend"], row["days_with_data"]) == (30_000, Decimal("90.0000000"), 3)
    assert row["details"]["completeness"]["days_in_period"] == 31
    assert summary.previous.impressions == 500


def test_february_of_a_leap_year_includes_the_29th(owner_conn, worker_db, settings):
    client = make_client(owner_conn, "leap", cpm="1.0000")
    client.add(date(2028, 1, 31), 2_000, 20, 2, "20")
    client.add(date(2028, 2, 28), 1_000, 10, 1, "10")
    client.add(date(2028, 2, 29), 3_000, 30, 3, "30")
    client.add(date(2028, 3, 1), 9_000, 90, 9, "90")

    summary = _build(worker_db, settings, client.id, date(2028, 2, 1))

    row = owner_conn.execute("SELECT month_end, impressions, days_with_data, deltas FROM monthly_summaries").fetchone()
    assert (row["month_end"], row["impressions"], row["days_with_data"]) == (date(2028, 2, 29), 4_000, 2)
    assert row["deltas"]["previous_period"] == {"start": "2028-01-01", "end": "2028-01-31"}
    assert row["deltas"]["change"]["impressions"] == "1.000000"
    assert summary.days_in_period == 29


def test_rankings_and_three_month_trend(owner_conn, worker_db, settings):
    client = make_client(owner_conn, "trendy", cpm="10.0000")
    # spend rises every month, conversions fall every month, ROAS goes up then down
    client.add(date(2026, 1, 10), 10_000, 100, 50, "150.00", campaign="Main", creative="Hero")
    client.add(date(2026, 2, 10), 12_000, 100, 40, "300.00", campaign="Main", creative="Hero")
    client.add(date(2026, 3, 10), 12_000, 100, 20, "100.00", campaign="Main", creative="Hero")
    client.add(date(2026, 3, 11), 6_000, 60, 10, "300.00", campaign="Second", creative="Side")
    client.add(date(2026, 3, 12), 900, 90, 5, "45.00", campaign="Tiny", creative="Speck")

    _build(worker_db, settings, client.id, date(2026, 3, 1))

    row = owner_conn.execute("SELECT * FROM monthly_summaries").fetchone()
    trend = row["trend"]
    assert trend["months"] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert trend["spend"] == {
        "direction": "up",
        "values": ["100.00", "120.00", "189.00"],
        "change": "0.890000",
    }
    assert trend["conversions"] == {"direction": "down", "values": [50, 40, 35], "change": "-0.300000"}
    assert trend["roas"]["direction"] == "flat"  # 1.50 -> 2.50 -> 2.35: no consistent direction
    assert trend["roas"]["values"] == ["1.500000", "2.500000", "2.354497"]
    # campaign rankings: Main (20 conversions) before Second (10); Tiny (900 impressions) is not ranked
    assert [(c["name"], c["rank"]) for c in row["campaign_rankings"]] == [("Main", 1), ("Second", 2)]
    assert row["campaign_rankings"][0]["rank_by"] == {"conversions": 1, "revenue": 2, "roas": 2, "ctr": 2, "cvr": 1}
    assert [c["name"] for c in row["creative_rankings"]] == ["Hero", "Side"]
    assert row["top_campaigns"] == row["campaign_rankings"]


def test_a_small_rise_is_flat(owner_conn, worker_db, settings):
    client = make_client(owner_conn, "steady", cpm="10.0000")
    for day, conversions in ((date(2026, 1, 5), 100), (date(2026, 2, 5), 101), (date(2026, 3, 5), 103)):
        client.add(day, 10_000, 500, conversions, "1000")
    _build(worker_db, settings, client.id, date(2026, 3, 1))
    trend = owner_conn.execute("SELECT trend FROM monthly_summaries").fetchone()["trend"]
    assert trend["conversions"]["direction"] == "flat"  # +3% is under the 5% rule
    assert trend["spend"]["direction"] == "flat"  # unchanged


def test_three_month_trend_without_earlier_data_has_no_direction(owner_conn, worker_db, settings):
    client = make_client(owner_conn, "fresh", cpm="10.0000")
    client.add(date(2026, 3, 10), 10_000, 100, 5, "50")
    _build(worker_db, settings, client.id, date(2026, 3, 1))
    trend = owner_conn.execute("SELECT trend FROM monthly_summaries").fetchone()["trend"]
    assert trend["spend"] == {"direction": None, "values": [None, None, "100.00"], "change": None}


def test_a_month_must_start_on_the_first(worker_db, settings, owner_conn):
    client = make_client(owner_conn, "acme")
    with pytest.raises(InvalidInput, match="1st"):
        _build(worker_db, settings, client.id, date(2026, 3, 2))
