"""Overview comparison periods and the `data_through` freshness field, through the real handler
against real PostgreSQL (expected figures from independent SQL sums)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.dashboard.data import add_client, day, globex_client, standard_client
from tests.dashboard.test_service import sql_sums

WEEK2 = {"from": day(7).isoformat(), "to": day(13).isoformat()}


@pytest.fixture
def acme(owner_conn):
    return standard_client(owner_conn)


@pytest.fixture
def acme_user(make_user, acme):
    return make_user(role="client", client_id=acme.id)


def _overview(api, user, client, **query):
    return api.get(f"/clients/{client.id}/overview", token=user.token, query=query)


def test_default_comparison_is_the_previous_period_with_its_daily_series(api, acme_user, acme, owner_conn):
    response = _overview(api, acme_user, acme, **WEEK2)
    assert response.status == 200, response.body
    body = response.json()
    assert (body["compare_from"], body["compare_to"]) == (day(0).isoformat(), day(6).isoformat())
    assert (body["previous_from"], body["previous_to"]) == (body["compare_from"], body["compare_to"])
    before = sql_sums(owner_conn, acme.id, day(0), day(6))
    assert body["previous"]["impressions"] == before["impressions"]
    assert [p["date"] for p in body["previous_series"]] == [day(n).isoformat() for n in range(7)]
    assert sum(p["impressions"] for p in body["previous_series"]) == before["impressions"]
    assert set(body["previous_series"][0]) == set(body["series"][0])
    assert body["data_through"] == day(13).isoformat()


def test_custom_comparison_period_of_another_length_and_not_adjacent(api, acme_user, acme, owner_conn):
    # given a comparison of 3 days that ends well before the range, and overlaps no other day
    response = _overview(api, acme_user, acme, **WEEK2, compare_from=day(1).isoformat(), compare_to=day(3).isoformat())
    assert response.status == 200, response.body
    body = response.json()
    before = sql_sums(owner_conn, acme.id, day(1), day(3))
    now = sql_sums(owner_conn, acme.id, day(7), day(13))
    assert (body["compare_from"], body["compare_to"]) == (day(1).isoformat(), day(3).isoformat())
    assert body["previous"]["impressions"] == before["impressions"]
    assert body["totals"]["impressions"] == now["impressions"]
    expected = (Decimal(now["impressions"]) - before["impressions"]) / before["impressions"]
    assert Decimal(body["change"]["impressions"]) == expected.quantize(Decimal("0.000001"))
    assert [p["date"] for p in body["previous_series"]] == [day(n).isoformat() for n in (1, 2, 3)]
    assert len(body["series"]) == 7


def test_comparison_that_overlaps_the_range_or_lies_after_it(api, acme_user, acme, owner_conn):
    later = _overview(
        api, acme_user, acme, **{"from": day(0).isoformat(), "to": day(3).isoformat()},
        compare_from=day(2).isoformat(), compare_to=day(20).isoformat(),
    )  # fmt: skip
    assert later.status == 200, later.body
    body = later.json()
    assert body["previous"]["impressions"] == sql_sums(owner_conn, acme.id, day(2), day(20))["impressions"]
    assert body["totals"]["impressions"] == sql_sums(owner_conn, acme.id, day(0), day(3))["impressions"]
    assert len(body["previous_series"]) == 19 and body["previous_series"][-1]["impressions"] == 0


def test_a_comparison_a_year_earlier_without_data_has_zero_totals_and_null_changes(api, acme_user, acme):
    body = _overview(
        api, acme_user, acme, **WEEK2, compare_from=day(7 - 364).isoformat(), compare_to=day(13 - 364).isoformat()
    ).json()
    assert body["previous"]["impressions"] == 0 and body["change"]["impressions"] is None
    assert all(p["impressions"] == 0 for p in body["previous_series"])


def test_compare_none_has_no_previous_no_change_no_previous_series(api, acme_user, acme):
    response = _overview(api, acme_user, acme, **WEEK2, compare="none")
    assert response.status == 200, response.body
    body = response.json()
    assert body["previous"] is None and body["change"] is None and body["previous_series"] is None
    assert body["compare_from"] is None and body["compare_to"] is None
    assert body["totals"]["impressions"] > 0 and len(body["series"]) == 7
    explicit = _overview(api, acme_user, acme, **WEEK2, compare="previous").json()
    assert explicit["compare_from"] == day(0).isoformat()


BAD_COMPARISONS = [
    ({"compare_from": "2026-03-01"}, 400, "compare_to is required with compare_from"),
    ({"compare_to": "2026-03-01"}, 400, "compare_from is required with compare_to"),
    ({"compare_from": "2026-3-1", "compare_to": "2026-03-05"}, 400, "compare_from must be a date"),
    ({"compare_from": "2026-03-01", "compare_to": "2026-02-30"}, 400, "compare_to must be a date"),
    ({"compare_from": "2026-03-05", "compare_to": "2026-03-01"}, 400, "compare_from must be on or before compare_to"),
    (
        {"compare_from": "2020-01-01", "compare_to": "2026-03-01"},
        400,
        "the comparison range (compare_from, compare_to)",
    ),
    ({"compare": "yesterday"}, 400, "compare must be one of: previous, none"),
    ({"compare": "none", "compare_from": "2026-03-01", "compare_to": "2026-03-02"}, 400, "compare cannot be combined"),
]


@pytest.mark.parametrize(("query", "status", "message"), BAD_COMPARISONS)
def test_bad_comparisons_are_400_naming_the_field(api, acme_user, acme, query, status, message):
    response = _overview(api, acme_user, acme, **WEEK2, **query)
    assert response.status == status, response.body
    assert response.json()["message"].startswith(message), response.body


def test_data_through_is_null_for_a_client_without_data(api, make_user, owner_conn):
    empty = add_client(owner_conn, "Empty Co", "empty-co")
    user = make_user(role="client", client_id=empty.id)
    body = _overview(api, user, empty, **WEEK2).json()
    assert body["data_through"] is None and body["totals"]["impressions"] == 0


def test_data_through_is_the_last_day_with_data_even_outside_the_range(api, acme_user, acme, owner_conn):
    owner_conn.execute("DELETE FROM daily_metrics WHERE client_id = %s AND date > %s", (acme.id, day(10)))
    body = _overview(api, acme_user, acme, **{"from": day(0).isoformat(), "to": day(2).isoformat()}).json()
    assert body["data_through"] == day(10).isoformat()


def test_clients_list_items_carry_data_through(api, admin_user, acme, owner_conn):
    globex = globex_client(owner_conn)
    owner_conn.execute("DELETE FROM daily_metrics WHERE client_id = %s AND date > %s", (globex.id, day(4)))
    empty = add_client(owner_conn, "Zed Empty", "zed-empty")
    response = api.get("/clients", token=admin_user.token)
    assert response.status == 200, response.body
    by_id = {item["id"]: item for item in response.json()["items"]}
    assert by_id[str(acme.id)]["data_through"] == day(13).isoformat()
    assert by_id[str(globex.id)]["data_through"] == day(4).isoformat()
    assert by_id[str(empty.id)]["data_through"] is None


def test_a_client_user_sees_only_its_own_data_through(api, acme_user, acme, owner_conn):
    globex_client(owner_conn)
    items = api.get("/clients", token=acme_user.token).json()["items"]
    assert [(i["id"], i["data_through"]) for i in items] == [(str(acme.id), day(13).isoformat())]
