"""The per-campaign daily rollup (migration 0702) sums exactly to daily_metrics after every
kind of write: loads, restatements, failed loads, re-pricing, deletes and moves."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from shared.admin.rate_card import set_rate
from shared.settings import Settings
from tests.ingestion.conftest import Ingest, add_client, event_bytes
from tests.ingestion.test_ingest import HEADER, good_rows

# Every (client, date, campaign) group whose rollup row differs from the sums of its
# daily_metrics rows, in either direction (a missing, extra or wrong row).
MISMATCHES = """
WITH base AS (
    SELECT client_id, date, campaign_id, count(*)::integer AS row_count, count(spend)::integer AS priced_rows,
           sum(impressions) AS impressions, sum(clicks) AS clicks, sum(conversions) AS conversions,
           sum(conversion_revenue) AS conversion_revenue, sum(spend) AS spend
    FROM daily_metrics GROUP BY client_id, date, campaign_id
), rollup AS (
    SELECT client_id, date, campaign_id, row_count, priced_rows, impressions, clicks, conversions,
           conversion_revenue, CASE WHEN priced_rows > 0 THEN spend END AS spend
    FROM daily_campaign_metrics
)
SELECT b.*, r.* FROM base b
FULL JOIN rollup r USING (client_id, date, campaign_id)
WHERE b.row_count IS DISTINCT FROM r.row_count OR b.priced_rows IS DISTINCT FROM r.priced_rows
   OR b.impressions IS DISTINCT FROM r.impressions OR b.clicks IS DISTINCT FROM r.clicks
   OR b.conversions IS DISTINCT FROM r.conversions
   OR b.conversion_revenue IS DISTINCT FROM r.conversion_revenue OR b.spend IS DISTINCT FROM r.spend
"""


def assert_exact(conn: Any) -> int:
    """No mismatch; returns how many rollup rows there are (so a test sees it is not empty)."""
    assert conn.execute(MISMATCHES).fetchall() == []
    return int(conn.execute("SELECT count(*) AS n FROM daily_campaign_metrics").fetchone()["n"])


def test_loads_and_restatements_keep_the_rollup_exact(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    # given two days loaded
    assert ingest("partner/clean.csv", event_bytes("partner_clean.csv")).status == "success"
    before = assert_exact(owner_conn)
    assert before > 0

    # when one day is restated with a single, different row
    restated = (
        HEADER + "2026-03-01,Acme Outdoor,Spring Sale,Prospecting,news-site.com,Banner 300x250,40000,100,10,999.99\n"
    )
    assert ingest("partner/restated.csv", restated).status == "success"

    # then the rollup still equals the base table, and the restated day has one row
    assert_exact(owner_conn)
    day = owner_conn.execute(
        "SELECT sum(row_count) AS n, sum(impressions) AS imps FROM daily_campaign_metrics WHERE date = '2026-03-01'"
    ).fetchone()
    assert day == {"n": 1, "imps": 40000}


def test_a_restatement_that_drops_a_campaign_removes_its_rollup_rows(
    ingest: Ingest, acme: UUID, owner_conn: Any
) -> None:
    ingest("partner/a.csv", HEADER + good_rows(9, day="2026-03-05"))  # campaigns 0, 1, 2
    assert assert_exact(owner_conn) == 3

    ingest("partner/b.csv", HEADER + good_rows(1, day="2026-03-05"))  # campaign 0 only

    assert assert_exact(owner_conn) == 1


def test_a_failed_load_leaves_the_rollup_as_it_was(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    ingest("partner/clean.csv", event_bytes("partner_clean.csv"))
    snapshot = owner_conn.execute("SELECT * FROM daily_campaign_metrics ORDER BY 1, 2, 3").fetchall()

    assert ingest("partner/dup.csv", event_bytes("bad_duplicate_key.csv")).status == "failed"

    assert owner_conn.execute("SELECT * FROM daily_campaign_metrics ORDER BY 1, 2, 3").fetchall() == snapshot
    assert_exact(owner_conn)


def test_several_clients_in_one_file_each_get_their_own_rows(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    beta = add_client(
        owner_conn, name="Beta Bikes", slug="beta-bikes", advertisers=("Beta Bikes",), rates=(("2026-01-01", "2"),)
    )
    ingest("partner/both.csv", HEADER + good_rows(6) + good_rows(4, advertiser="Beta Bikes"))

    assert assert_exact(owner_conn) == 6
    beta_rows = owner_conn.execute(
        "SELECT sum(row_count) AS n FROM daily_campaign_metrics WHERE client_id = %s", (beta,)
    ).fetchone()
    assert beta_rows["n"] == 4


def test_unpriced_rows_then_a_rate_reprices_the_rollup(
    ingest: Ingest, owner_conn: Any, worker_db: Any, settings: Settings
) -> None:
    # given rows loaded before the client had a CPM on their day
    client = add_client(
        owner_conn,
        name="Acme Outdoor",
        slug="acme-outdoor",
        advertisers=("Acme Outdoor",),
        rates=(("2026-03-02", "4"),),
    )
    assert ingest("partner/clean.csv", event_bytes("partner_clean.csv")).status == "partial"
    assert_exact(owner_conn)
    unpriced = owner_conn.execute(
        "SELECT priced_rows, spend FROM daily_campaign_metrics WHERE date = '2026-03-01'"
    ).fetchall()
    assert unpriced and all(r["priced_rows"] == 0 and r["spend"] == 0 for r in unpriced)

    # when a rate from the first day is added, then the later rate is changed
    set_rate(worker_db, client, cpm=Decimal("3.5"), effective_date=date(2026, 3, 1), preview=False, settings=settings)
    assert_exact(owner_conn)
    set_rate(
        worker_db, client, cpm=Decimal("7.1234"), effective_date=date(2026, 3, 2), preview=False, settings=settings
    )

    # then every group is priced and still sums exactly
    assert_exact(owner_conn)
    row = owner_conn.execute(
        "SELECT sum(spend) AS rollup, (SELECT sum(spend) FROM daily_metrics) AS base,"
        " bool_and(priced_rows = row_count) AS all_priced FROM daily_campaign_metrics"
    ).fetchone()
    assert row["rollup"] == row["base"] and row["all_priced"]


def test_deletes_updates_and_truncate_by_hand_keep_it_exact(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    ingest("partner/a.csv", HEADER + good_rows(12, day="2026-03-05") + good_rows(12, day="2026-03-06"))
    owner_conn.execute("SELECT set_config('app.all_clients', 'on', false)")

    owner_conn.execute("DELETE FROM daily_metrics WHERE date = '2026-03-06' AND impressions % 2 = 0")
    assert_exact(owner_conn)
    owner_conn.execute(
        "UPDATE daily_metrics SET impressions = impressions + 7, spend = NULL, cpm = NULL WHERE clicks > 4"
    )
    assert_exact(owner_conn)
    owner_conn.execute("TRUNCATE daily_metrics")
    assert assert_exact(owner_conn) == 0
