"""Dashboard reads against real PostgreSQL, as the API role (RLS applies)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from shared.dashboard import service
from shared.dashboard.params import DateRange, Level, Page, Sort, parse_sort
from shared.db import Tenant
from shared.errors import InvalidInput, NotFound
from shared.settings import Settings
from tests.dashboard.data import DAYS, FIRST_DAY, day

FULL = DateRange(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1))
AGG_KEYS = ("impressions", "clicks", "conversions", "revenue", "spend", "ctr", "cvr", "cpc", "cpa", "roas")


def sql_sums(owner_conn, client_id, start, end, **where):
    extra = "".join(f" AND {column} = %({column})s" for column in where)
    return owner_conn.execute(
        "SELECT coalesce(sum(impressions), 0) AS impressions, coalesce(sum(clicks), 0) AS clicks,"
        " coalesce(sum(conversions), 0) AS conversions, coalesce(sum(conversion_revenue), 0) AS revenue,"
        " sum(spend) AS spend FROM daily_metrics"
        " WHERE client_id = %(client)s AND date BETWEEN %(start)s AND %(end)s" + extra,
        {"client": client_id, "start": start, "end": end, **where},
    ).fetchone()


def cents(value):
    return Decimal(value).quantize(Decimal("0.01"))


def test_overview_totals_previous_change_and_every_day_of_the_series(api_db, owner_conn, acme, globex):
    # given the second week, whose previous period is the first week
    week2 = DateRange(day(7), day(13))
    # when
    result = service.overview(api_db, client_id=acme.id, date_range=week2)
    # then totals are the exact sums of that client's rows only, rounded at the edge
    now, before = sql_sums(owner_conn, acme.id, day(7), day(13)), sql_sums(owner_conn, acme.id, day(0), day(6))
    assert result["totals"]["impressions"] == now["impressions"]
    assert result["totals"]["spend"] == cents(now["spend"])
    assert result["totals"]["revenue"] == cents(now["revenue"])
    assert result["totals"]["ctr"] == (Decimal(now["clicks"]) / now["impressions"]).quantize(Decimal("0.000001"))
    assert result["previous"]["impressions"] == before["impressions"]
    assert (result["previous_from"], result["previous_to"]) == (day(0).isoformat(), day(6).isoformat())
    expected_change = (Decimal(now["impressions"]) - before["impressions"]) / before["impressions"]
    assert result["change"]["impressions"] == expected_change.quantize(Decimal("0.000001"))
    assert "ctr_pp" in result["change"]
    assert [p["date"] for p in result["series"]] == [day(n).isoformat() for n in range(7, 14)]
    assert sum(p["impressions"] for p in result["series"]) == now["impressions"]
    assert result["client_id"] == str(acme.id)


def test_overview_fills_days_without_data_with_zeros_and_null_ratios(api_db, acme):
    span = DateRange(day(12), day(16))  # two days with data, three after the data ends
    result = service.overview(api_db, client_id=acme.id, date_range=span)
    assert len(result["series"]) == 5
    empty = result["series"][-1]
    assert empty["impressions"] == 0 and empty["spend"] == Decimal("0.00")
    assert empty["ctr"] is None and empty["cpc"] is None and empty["roas"] is None
    # the previous period (before the data starts... partly) and changes are present
    assert result["previous"]["impressions"] > 0


def test_overview_with_no_data_at_all_has_null_changes(api_db, acme):
    result = service.overview(api_db, client_id=acme.id, date_range=DateRange(date(2024, 1, 1), date(2024, 1, 7)))
    assert result["totals"]["impressions"] == 0
    assert result["totals"]["ctr"] is None
    explained = result["change"].pop("roas_explained")
    assert all(value is None for value in result["change"].values())
    # no fake decomposition of a change that has no ROAS on either side
    assert explained["available"] is False and explained["reason"] == "no impressions in this period"
    assert explained["drivers"] == [] and explained["message"] is None


def test_unpriced_rows_give_null_spend_and_spend_ratios(api_db, owner_conn):
    from tests.dashboard.data import add_client, add_metrics, add_tree

    client = add_client(owner_conn, "No Rate", "no-rate", cpm=None)
    add_tree(owner_conn, client, {"C": {"S": {"P": ["Ad"]}}})
    add_metrics(owner_conn, client, priced=False)
    totals = service.overview(api_db, client_id=client.id, date_range=FULL)["totals"]
    assert totals["impressions"] > 0
    assert totals["spend"] is None and totals["cpc"] is None and totals["roas"] is None


def test_another_client_or_a_missing_id_is_not_found(api_db, acme, globex):
    missing = uuid.uuid4()
    with pytest.raises(NotFound):
        service.overview(api_db, client_id=missing, date_range=FULL)
    for level in Level:
        with pytest.raises(NotFound):
            service.breakdown(
                api_db, client_id=missing, level=level, date_range=FULL, filters={}, sort=Sort(), page=Page()
            )
    with pytest.raises(NotFound):
        service.timeseries(api_db, client_id=missing, date_range=FULL, granularity="week", filters={})
    with pytest.raises(NotFound):
        service.insights(api_db, client_id=missing, date_range=FULL, settings=Settings())
    # the tenant is always the requested client: RLS alone cannot leak another client's rows
    result = service.overview(api_db, client_id=globex.id, date_range=FULL)
    assert result["client_id"] == str(globex.id) and result["totals"]["impressions"] > 0


@pytest.mark.parametrize("level", list(Level))
def test_every_drill_down_level_sums_to_the_overview_totals(api_db, acme, globex, level):
    totals = service.overview(api_db, client_id=acme.id, date_range=FULL)["totals"]
    result = service.breakdown(
        api_db, client_id=acme.id, level=level, date_range=FULL, filters={}, sort=Sort(), page=Page(limit=500)
    )
    rows = result["items"]
    assert result["total"] == len(rows) > 0
    for key in ("impressions", "clicks", "conversions"):
        assert sum(r[key] for r in rows) == totals[key]
    # money is rounded per row at the edge: the sum differs by at most half a cent per row
    for key in ("spend", "revenue"):
        assert abs(sum(r[key] for r in rows) - totals[key]) <= Decimal("0.005") * len(rows)
    names = {r["name"] for r in rows}
    assert not names & {"Globex Launch", "All", "Everywhere", "Globex Ad"}


def test_rows_carry_parent_ids_and_parent_filters_restrict_them(api_db, acme):
    spring = acme.campaigns["Spring Sale"]
    result = service.breakdown(
        api_db,
        client_id=acme.id,
        level=Level.CREATIVE,
        date_range=FULL,
        filters={"campaign_id": spring},
        sort=Sort("name", descending=False),
        page=Page(),
    )
    assert [r["name"] for r in result["items"]] == ["Banner A", "Banner B", "Carousel", "Pre-roll 15s"]
    banner = result["items"][0]
    assert banner["campaign_id"] == str(spring)
    assert banner["strategy_id"] == str(acme.strategies["Prospecting"])
    assert banner["placement_id"] == str(acme.placements["News Site"])
    by_placement = service.breakdown(
        api_db,
        client_id=acme.id,
        level=Level.CREATIVE,
        date_range=FULL,
        filters={"placement_id": acme.placements["News Site"]},
        sort=Sort(),
        page=Page(),
    )
    assert {r["name"] for r in by_placement["items"]} == {"Banner A", "Banner B"}
    series = service.timeseries(
        api_db,
        client_id=acme.id,
        date_range=FULL,
        granularity="day",
        filters={"campaign_id": spring, "strategy_id": None, "placement_id": None, "creative_id": None},
    )
    assert series["totals"]["impressions"] == sum(r["impressions"] for r in result["items"])


def test_a_parent_of_another_client_matches_nothing(api_db, acme, globex):
    result = service.breakdown(
        api_db,
        client_id=acme.id,
        level=Level.STRATEGY,
        date_range=FULL,
        filters={"campaign_id": globex.campaigns["Globex Launch"]},
        sort=Sort(),
        page=Page(),
    )
    assert result == {**result, "items": [], "total": 0}


def test_sorting_by_every_key_in_both_directions(api_db, acme):
    for key in ("name", "impressions", "clicks", "conversions", "revenue", "spend", "ctr", "cvr", "cpc", "cpa", "roas"):
        for order in ("asc", "desc"):
            sort = parse_sort(key, order)
            rows = service.breakdown(
                api_db, client_id=acme.id, level=Level.CREATIVE, date_range=FULL, filters={}, sort=sort, page=Page()
            )["items"]
            values = [r[key] for r in rows]
            # rows are sorted by the exact value; the rounded values shown are monotonic too
            assert values == sorted(values, reverse=order == "desc"), (key, order)
            assert len(values) == 7


def test_pagination_keeps_the_total_and_an_offset_past_the_end_is_empty(api_db, acme):
    def page(limit, offset):
        return service.breakdown(
            api_db,
            client_id=acme.id,
            level=Level.CREATIVE,
            date_range=FULL,
            filters={},
            sort=Sort("name", descending=False),
            page=Page(limit, offset),
        )

    first, second, past = page(3, 0), page(3, 3), page(3, 50)
    assert first["total"] == second["total"] == past["total"] == 7
    assert len(first["items"]) == 3 and len(second["items"]) == 3
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}
    assert past["items"] == []


@pytest.mark.parametrize(
    ("granularity", "expected_dates"),
    [
        ("day", 14),
        ("week", ["2026-03-02", "2026-03-09"]),
        ("month", ["2026-02-01", "2026-03-01"]),
    ],
)
def test_timeseries_granularities_cover_every_period(api_db, acme, granularity, expected_dates):
    span = DateRange(date(2026, 2, 25), day(13)) if granularity == "month" else FULL
    result = service.timeseries(api_db, client_id=acme.id, date_range=span, granularity=granularity, filters={})
    dates = [p["date"] for p in result["series"]]
    if isinstance(expected_dates, int):
        assert len(dates) == expected_dates
    else:
        assert dates == expected_dates
    total = service.overview(api_db, client_id=acme.id, date_range=span)["totals"]
    assert sum(p["impressions"] for p in result["series"]) == total["impressions"] == result["totals"]["impressions"]
    if granularity == "month":
        assert result["series"][0]["period_start"] == "2026-02-25"  # clipped to the range
        assert result["series"][0]["impressions"] == 0


def test_timeseries_weeks_start_on_monday_even_mid_week(api_db, acme):
    span = DateRange(day(2), day(9))  # Wednesday to the next Wednesday
    result = service.timeseries(api_db, client_id=acme.id, date_range=span, granularity="week", filters={})
    assert [(p["date"], p["period_start"], p["period_end"]) for p in result["series"]] == [
        ("2026-03-02", "2026-03-04", "2026-03-08"),
        ("2026-03-09", "2026-03-09", "2026-03-11"),
    ]


def test_list_clients_by_tenant(api_db, acme, globex):
    mine = service.list_clients(api_db, tenant=Tenant.client(acme.id), page=Page())
    assert [c["slug"] for c in mine["items"]] == ["acme"] and mine["total"] == 1
    everyone = service.list_clients(api_db, tenant=Tenant.every_client(), page=Page(limit=1))
    assert everyone["total"] == 2 and [c["slug"] for c in everyone["items"]] == ["acme"]


def _insert_weekly(owner_conn, client_id, week_start, impressions=5000):
    owner_conn.execute(
        "INSERT INTO weekly_summaries (client_id, week_start, week_end, impressions, clicks, conversions, revenue,"
        " spend, days_with_data, top_campaigns, insights)"
        ' VALUES (%s, %s, %s, %s, 50, 5, 100.5, 21.25, 7, \'[{"name": "Spring Sale"}]\','
        ' \'[{"message": "CTR rose"}]\')',
        (client_id, week_start, week_start + timedelta(days=6), impressions),
    )


def test_weekly_summaries_list_and_detail(api_db, owner_conn, acme, globex):
    _insert_weekly(owner_conn, acme.id, day(0))
    _insert_weekly(owner_conn, acme.id, day(7))
    _insert_weekly(owner_conn, globex.id, day(7))
    listed = service.list_summaries(api_db, client_id=acme.id, kind="weekly", page=Page(), date_from=None, date_to=None)
    assert listed["total"] == 2
    assert [s["week_start"] for s in listed["items"]] == [day(7).isoformat(), day(0).isoformat()]
    assert listed["items"][0]["totals"]["ctr"] == Decimal("0.010000")  # from the sums
    filtered = service.list_summaries(
        api_db, client_id=acme.id, kind="weekly", page=Page(), date_from=day(8), date_to=None
    )
    assert [s["week_start"] for s in filtered["items"]] == [day(7).isoformat()]
    one = service.get_summary(api_db, client_id=acme.id, kind="weekly", period_start=day(7))
    assert one["top_campaigns"] == [{"name": "Spring Sale"}]
    assert one["insights"] == [{"message": "CTR rose"}]
    assert one["totals"]["spend"] == Decimal("21.25")
    with pytest.raises(NotFound):
        service.get_summary(api_db, client_id=acme.id, kind="weekly", period_start=day(14))
    with pytest.raises(InvalidInput):
        service.get_summary(api_db, client_id=acme.id, kind="weekly", period_start=day(1))


def test_monthly_summaries_list_and_detail(api_db, owner_conn, acme):
    owner_conn.execute(
        "INSERT INTO monthly_summaries (client_id, month_start, month_end, impressions, clicks, days_with_data,"
        " trend) VALUES (%s, '2026-03-01', '2026-03-31', 1000, 0, 14, '{\"direction\": \"up\"}')",
        (acme.id,),
    )
    listed = service.list_summaries(
        api_db, client_id=acme.id, kind="monthly", page=Page(), date_from=None, date_to=None
    )
    assert listed["total"] == 1 and listed["items"][0]["month_start"] == "2026-03-01"
    assert listed["items"][0]["totals"]["cvr"] is None  # zero clicks
    one = service.get_summary(api_db, client_id=acme.id, kind="monthly", period_start=date(2026, 3, 1))
    assert one["trend"] == {"direction": "up"}
    with pytest.raises(InvalidInput):
        service.get_summary(api_db, client_id=acme.id, kind="monthly", period_start=date(2026, 3, 2))
