"""The API's one-statement reads (migration 1301): each SQL function sets the tenant it needs
for itself, answers exactly what the query it wraps answers in a tenant-scoped transaction,
and leaves the caller's tenant as it found it.

`dashboard_campaigns_call` is compared with `dashboard_campaigns` for every sort key and
direction, on pages, on ties (two campaigns with identical numbers), zero clicks (null CPC,
CPA, CVR) and an unpriced campaign (null spend), so the function's data-driven ORDER BY is
the query's `ORDER BY <key> <direction> NULLS LAST, id`.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from psycopg import errors as pg_errors

from shared.dashboard.params import SORT_KEYS, Sort
from shared.db import QUERIES, Tenant
from tests.dashboard.data import FIRST_DAY, add_client, add_metrics, add_tree, day

CAMPAIGN_COLUMNS = ("total", "currency", "id", "name", "impressions", "clicks", "conversions", "revenue", "spend")


@pytest.fixture
def varied(owner_conn: Any) -> Any:
    """Six campaigns: two identical twins, one with no clicks, one unpriced, two ordinary."""
    client = add_client(owner_conn, "Varied Co", "varied")
    add_tree(
        owner_conn,
        client,
        {
            "Twin One": {"S1": {"P1": ["Twin"]}},
            "Twin Two": {"S2": {"P2": ["Twin"]}},
            "No Clicks": {"S3": {"P3": ["Silent"]}},
            "Unpriced": {"S4": {"P4": ["Free"]}},
            "Zeta": {"S5": {"P5": ["Z1", "Z2"]}},
            "alpha lower": {"S6": {"P6": ["A1"]}},
        },
    )
    add_metrics(owner_conn, client)
    owner_conn.execute(
        "UPDATE daily_metrics SET clicks = 0, conversions = 0 WHERE campaign_id = %s",
        (client.campaigns["No Clicks"],),
    )
    owner_conn.execute(
        "UPDATE daily_metrics SET client_setting_id = NULL, cpm = NULL, spend = NULL WHERE campaign_id = %s",
        (client.campaigns["Unpriced"],),
    )
    return client


def _query_rows(api_db: Any, client_id: Any, params: dict[str, Any], sort: Sort) -> list[dict[str, Any]]:
    with api_db.transaction(tenant=Tenant.client(client_id)) as conn:
        rows = conn.execute(QUERIES["dashboard_campaigns"].format(**sort.order_by()), params).fetchall()
    return [{key: row[key] for key in CAMPAIGN_COLUMNS} for row in rows]


def _call_rows(api_db: Any, params: dict[str, Any], sort: Sort) -> list[dict[str, Any]]:
    rows = api_db.call(QUERIES["dashboard_campaigns_call"], {**params, "sort": sort.key, "descending": sort.descending})
    return [{key: row[key] for key in CAMPAIGN_COLUMNS} for row in rows]


def test_campaign_breakdown_equals_the_query_for_every_sort_and_page(api_db: Any, varied: Any, globex: Any) -> None:
    seen_orders = set()
    for key in SORT_KEYS:
        for descending in (True, False):
            sort = Sort(key, descending=descending)
            for limit, offset in ((50, 0), (2, 0), (2, 2), (2, 4), (3, 5), (10, 10)):
                params = {
                    "client_id": varied.id,
                    "date_from": FIRST_DAY,
                    "date_to": day(13),
                    "limit": limit,
                    "offset": offset,
                }
                expected = _query_rows(api_db, varied.id, params, sort)
                assert _call_rows(api_db, params, sort) == expected, (key, descending, limit, offset)
                if limit == 50:
                    assert expected[0]["total"] == 6
                    seen_orders.add(tuple(row["name"] for row in expected))
    assert len(seen_orders) >= 4  # the sorts really differ on this data (not one order checked 22 times)
    # the varied data has what the ordering must handle: nulls and ties
    rows = _call_rows(
        api_db,
        {"client_id": varied.id, "date_from": FIRST_DAY, "date_to": day(13), "limit": 50, "offset": 0},
        Sort("spend"),
    )
    by_name = {row["name"]: row for row in rows}
    assert by_name["Unpriced"]["spend"] is None
    assert by_name["No Clicks"]["clicks"] == 0
    assert by_name["Twin One"]["impressions"] == by_name["Twin Two"]["impressions"]
    assert all(row["currency"] == "USD" for row in rows)
    assert not {row["id"] for row in rows} & set(globex.campaigns.values())


def test_campaign_breakdown_of_an_empty_range_or_unknown_client(api_db: Any, varied: Any) -> None:
    for client_id, start in ((varied.id, date(2020, 1, 1)), (uuid.uuid4(), FIRST_DAY)):
        params = {"client_id": client_id, "date_from": start, "date_to": start, "limit": 50, "offset": 0}
        expected = _query_rows(api_db, client_id, params, Sort())
        assert _call_rows(api_db, params, Sort()) == expected
        assert len(expected) == 1 and expected[0]["total"] == 0 and expected[0]["id"] is None


def test_campaign_breakdown_refuses_an_unknown_sort_key(api_db: Any, varied: Any) -> None:
    params = {"client_id": varied.id, "date_from": FIRST_DAY, "date_to": day(13), "limit": 50, "offset": 0}
    for bad in ("id", "name desc", "spend; drop table clients", ""):
        with pytest.raises(pg_errors.InvalidParameterValue, match="unknown sort key"):
            api_db.call(QUERIES["dashboard_campaigns_call"], {**params, "sort": bad, "descending": True})


def test_daily_totals_equal_the_query(api_db: Any, acme: Any, globex: Any) -> None:
    for client_id in (acme.id, globex.id, uuid.uuid4()):
        for start, end in ((FIRST_DAY, day(13)), (day(3), day(5)), (day(-30), day(-1)), (day(10), day(40))):
            params = {"client_id": client_id, "date_from": start, "date_to": end}
            with api_db.transaction(tenant=Tenant.client(client_id)) as conn:
                expected = conn.execute(QUERIES["dashboard_daily_totals"], params).fetchall()
                through = conn.execute(QUERIES["dashboard_data_through"], {"client_id": client_id}).fetchone()
            called = api_db.call(QUERIES["dashboard_daily_totals_call"], params)
            assert called == [{**row, "data_through": through["data_through"]} for row in expected]
            tuples = api_db.call(QUERIES["dashboard_daily_totals_call"], params, tuples=True)
            assert tuples == [(*row.values(), through["data_through"]) for row in expected]
    acme_days = api_db.call(
        QUERIES["dashboard_daily_totals_call"], {"client_id": acme.id, "date_from": FIRST_DAY, "date_to": day(13)}
    )
    globex_days = api_db.call(
        QUERIES["dashboard_daily_totals_call"], {"client_id": globex.id, "date_from": FIRST_DAY, "date_to": day(13)}
    )
    assert len(acme_days) == len(globex_days) == 14
    assert acme_days[0]["data_through"] == day(13)
    assert [row["impressions"] for row in acme_days] != [row["impressions"] for row in globex_days]


def _tenant(conn: Any) -> tuple[str, str]:
    row = conn.execute(
        "SELECT current_setting('app.client_id', true) AS client_id, current_setting('app.all_clients', true) AS all"
    ).fetchone()
    return row["client_id"], row["all"]


def test_the_functions_leave_the_callers_tenant_as_it_was(api_db: Any, acme: Any, globex: Any) -> None:
    span = {"date_from": FIRST_DAY, "date_to": day(13)}
    calls = [
        (QUERIES["dashboard_daily_totals_call"], {"client_id": acme.id, **span}),
        (
            QUERIES["dashboard_campaigns_call"],
            {"client_id": acme.id, **span, "sort": "spend", "descending": True, "limit": 50, "offset": 0},
        ),
        (QUERIES["auth_session_state"], {"user_id": uuid.uuid4(), "family_id": uuid.uuid4()}),
    ]
    for tenant in (Tenant.client(globex.id), Tenant.every_client()):
        with api_db.transaction(tenant=tenant) as conn:
            before = _tenant(conn)
            globex_rows = conn.execute(
                "SELECT count(*) AS n FROM daily_metrics WHERE client_id = %s", (globex.id,)
            ).fetchone()["n"]
            for query, params in calls:
                conn.execute(query, params).fetchall()
                assert _tenant(conn) == before, query
            # the caller still sees exactly what its own tenant sees
            assert (
                conn.execute("SELECT count(*) AS n FROM daily_metrics WHERE client_id = %s", (globex.id,)).fetchone()[
                    "n"
                ]
                == globex_rows
                > 0
            )
            acme_rows = conn.execute("SELECT count(*) AS n FROM daily_metrics WHERE client_id = %s", (acme.id,))
            assert (acme_rows.fetchone()["n"] > 0) is tenant.all_clients


def test_a_plain_statement_without_a_tenant_sees_no_clients_rows(api_db: Any, acme: Any) -> None:
    """`Database.call` sets no tenant: a query that is not one of the tenant-setting functions
    sees nothing (row-level security denies by default), so a misuse leaks nothing."""
    assert api_db.call("SELECT count(*) AS n FROM daily_metrics")[0]["n"] == 0
    assert api_db.call("SELECT count(*) AS n FROM clients")[0]["n"] == 0
    with api_db.transaction(tenant=Tenant.client(acme.id)) as conn:
        assert conn.execute("SELECT count(*) AS n FROM daily_metrics").fetchone()["n"] > 0
