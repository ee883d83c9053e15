"""The weekly summary: exact totals, deltas, lists, completeness, idempotency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.db import Tenant
from shared.errors import InvalidInput
from shared.summaries import build_weekly
from tests.summaries.data import make_client

WEEK = date(2026, 3, 2)


@pytest.fixture
def acme(owner_conn):
    client = make_client(owner_conn, "acme", cpm="4.2500")
    # this week (2026-03-02 .. 03-08)
    client.add(date(2026, 3, 2), 12_345, 87, 4, "123.45", campaign="Spring Sale", creative="A")
    client.add(date(2026, 3, 5), 20_000, 150, 6, "300.10", campaign="Spring Sale", creative="B")
    client.add(date(2026, 3, 8), 7_655, 13, 0, "0", campaign="Brand", creative="C")
    # the week before, and a day after: neither is part of this week's totals
    client.add(date(2026, 2, 24), 32_000, 200, 8, "400.00", campaign="Spring Sale", creative="A")
    client.add(date(2026, 3, 9), 99_999, 999, 99, "999.99", campaign="Spring Sale", creative="A")
    return client


def _build(worker_db, settings, client_id, week=WEEK):
    with worker_db.transaction(tenant=Tenant.client(client_id)) as conn:
        return build_weekly(conn, client_id=client_id, week_start=week, settings=settings)


def test_weekly_totals_and_deltas_are_exact(owner_conn, worker_db, settings, acme):
    summary = _build(worker_db, settings, acme.id)

    row = owner_conn.execute("SELECT * FROM weekly_summaries WHERE client_id = %s", (acme.id,)).fetchone()
    # 40,000 impressions x 4.25 / 1000 = 170.00 exactly, though each row's spend has 5 decimals
    assert (row["impressions"], row["clicks"], row["conversions"]) == (40_000, 250, 10)
    assert row["revenue"] == Decimal("423.55")
    assert row["spend"] == Decimal("170.0000000")
    assert (row["ctr"], row["cvr"], row["cpc"], row["cpa"], row["roas"]) == (
        Decimal("0.006250"),
        Decimal("0.040000"),
        Decimal("0.6800"),
        Decimal("17.0000"),
        Decimal("2.4915"),
    )
    assert (row["week_start"], row["week_end"], row["days_with_data"]) == (WEEK, date(2026, 3, 8), 3)
    # week over week: counts and spend +25%, ratios unchanged, ROAS 2.4915 vs 2.9412
    change = row["deltas"]["change"]
    assert change["impressions"] == change["spend"] == change["conversions"] == "0.250000"
    assert change["revenue"] == "0.058875"
    assert change["ctr"] == change["cvr"] == change["cpa"] == "0.000000"
    assert change["ctr_pp"] == "0.000000"
    assert change["roas"] == "-0.152900"
    assert row["deltas"]["previous"]["spend"] == "136.00"
    assert row["deltas"]["previous_period"] == {"start": "2026-02-23", "end": "2026-03-01"}
    assert row["details"]["completeness"] == {
        "days_with_data": 3,
        "days_in_period": 7,
        "ratio": "0.428571",
        "missing_dates": ["2026-03-03", "2026-03-04", "2026-03-06", "2026-03-07"],
    }
    # the returned summary matches what was stored
    assert summary.totals.spend == Decimal("170")
    assert summary.id == row["id"]
    assert summary.to_dict()["totals"]["roas"] == "2.491471"


def test_top_campaigns_underperformers_and_top_creatives(owner_conn, worker_db, settings, acme):
    _build(worker_db, settings, acme.id)
    row = owner_conn.execute("SELECT * FROM weekly_summaries").fetchone()

    assert [(c["name"], c["rank"], c["conversions"]) for c in row["top_campaigns"]] == [
        ("Spring Sale", 1, 10),
        ("Brand", 2, 0),
    ]
    assert row["top_campaigns"][0]["spend"] == "137.47"  # money to cents (SPEC section 8)
    assert [c["name"] for c in row["top_creatives"]] == ["B", "A", "C"]
    assert row["top_creatives"][0]["campaign_name"] == "Spring Sale"
    # Brand: CTR 0.17% <= half the client's 0.63%, and spent with no conversion
    (brand,) = row["underperformers"]
    assert brand["name"] == "Brand"
    assert brand["reasons"] == ["CTR 0.17% vs 0.63% for the client", "spent $32.53 with no conversion"]
    assert "1.5x" in row["details"]["rules"]["underperformers"]


def test_rankings_skip_entities_under_the_minimum_volume(owner_conn, worker_db, settings, acme):
    # a tiny campaign converting wildly on 999 impressions (the minimum is 1,000)
    acme.add(date(2026, 3, 4), 999, 400, 300, "9000.00", campaign="Tiny", creative="T")
    _build(worker_db, settings, acme.id)
    row = owner_conn.execute("SELECT * FROM weekly_summaries").fetchone()

    assert "Tiny" not in [c["name"] for c in row["top_campaigns"]]
    assert "T" not in [c["name"] for c in row["top_creatives"]]
    assert "Tiny" not in [c["name"] for c in row["underperformers"]]
    # but it still counts in the client's totals
    assert row["impressions"] == 40_999


def test_rebuilding_a_week_replaces_its_summary(owner_conn, worker_db, settings, acme):
    _build(worker_db, settings, acme.id)
    acme.add(date(2026, 3, 6), 10_000, 10, 1, "5.00", campaign="Brand", creative="D")
    _build(worker_db, settings, acme.id)

    rows = owner_conn.execute("SELECT impressions, days_with_data FROM weekly_summaries").fetchall()
    assert rows == [{"impressions": 50_000, "days_with_data": 4}]


def test_a_week_across_the_year_boundary(owner_conn, worker_db, settings):
    client = make_client(owner_conn, "newyear", cpm="2.0000")
    client.add(date(2026, 12, 27), 1_000, 1, 0, "0")  # Sunday of the week before
    client.add(date(2026, 12, 28), 3_000, 30, 3, "30")
    client.add(date(2026, 12, 31), 5_000, 50, 5, "50")
    client.add(date(2027, 1, 3), 7_000, 70, 7, "70")
    client.add(date(2027, 1, 4), 9_000, 90, 9, "90")  # Monday of the next week

    summary = _build(worker_db, settings, client.id, week=date(2026, 12, 28))

    row = owner_conn.execute("SELECT week_start, week_end, impressions, spend FROM weekly_summaries").fetchone()
    assert row == {
        "week_start": date(2026, 12, 28),
        "week_end": date(2027, 1, 3),
        "impressions": 15_000,
        "spend": Decimal("30.0000000"),
    }
    assert summary.previous.impressions == 1_000
    assert summary.days_with_data == 3


def test_a_week_with_no_data_and_no_rate_card(owner_conn, worker_db, settings):
    client = make_client(owner_conn, "quiet", cpm=None)
    summary = _build(worker_db, settings, client.id)

    row = owner_conn.execute("SELECT * FROM weekly_summaries").fetchone()
    assert (row["impressions"], row["spend"], row["ctr"], row["roas"], row["days_with_data"]) == (
        0,
        None,
        None,
        None,
        0,
    )
    assert row["top_campaigns"] == [] and row["underperformers"] == [] and row["insights"] == []
    assert row["deltas"]["change"]["impressions"] is None  # nothing to compare with
    assert summary.change["spend"] is None


def test_unpriced_rows_give_null_spend_metrics(owner_conn, worker_db, settings):
    client = make_client(owner_conn, "unpriced", cpm=None)
    client.add(date(2026, 3, 3), 10_000, 100, 5, "50")
    _build(worker_db, settings, client.id)
    row = owner_conn.execute("SELECT spend, cpc, cpa, roas, ctr FROM weekly_summaries").fetchone()
    assert row == {"spend": None, "cpc": None, "cpa": None, "roas": None, "ctr": Decimal("0.010000")}


def test_a_week_must_start_on_a_monday(worker_db, settings, acme):
    with pytest.raises(InvalidInput, match="Monday"):
        _build(worker_db, settings, acme.id, week=date(2026, 3, 3))


def test_totals_summed_in_python_equal_the_sql_sums(owner_conn, worker_db, settings, acme):
    from shared.db import QUERIES
    from shared.metrics import Aggregate

    summary = _build(worker_db, settings, acme.id)
    row = owner_conn.execute(
        QUERIES["summary_period_totals"], {"client_id": acme.id, "date_from": WEEK, "date_to": date(2026, 3, 8)}
    ).fetchone()
    assert summary.totals == Aggregate.from_row(row)
    assert summary.days_with_data == row["days_with_data"]
