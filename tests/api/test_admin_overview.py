"""GET /admin/overview: every client's KPIs and health in one request, against hand-computed figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from tests.api.conftest import ApiClient, ApiUser
from tests.conftest import LANDING_BUCKET

PERIOD = {"from": "2026-11-01", "to": "2026-11-10"}


def _client(conn: Any, name: str, slug: str, *, status: str = "active", created: str = "2026-10-01") -> UUID:
    return conn.execute(
        "INSERT INTO clients (name, slug, status, created_at) VALUES (%s, %s, %s, %s) RETURNING id",
        (name, slug, status, created),
    ).fetchone()["id"]


def _creative(conn: Any, client_id: UUID) -> dict[str, UUID]:
    campaign = conn.execute(
        "INSERT INTO campaigns (client_id, name) VALUES (%s, 'C') RETURNING id", (client_id,)
    ).fetchone()["id"]
    strategy = conn.execute(
        "INSERT INTO strategies (client_id, campaign_id, name) VALUES (%s, %s, 'S') RETURNING id",
        (client_id, campaign),
    ).fetchone()["id"]
    placement = conn.execute(
        "INSERT INTO placements (client_id, strategy_id, name) VALUES (%s, %s, 'P') RETURNING id",
        (client_id, strategy),
    ).fetchone()["id"]
    creative = conn.execute(
        "INSERT INTO creatives (client_id, placement_id, name) VALUES (%s, %s, 'K') RETURNING id",
        (client_id, placement),
    ).fetchone()["id"]
    return {
        "client_id": client_id,
        "campaign": campaign,
        "strategy": strategy,
        "placement": placement,
        "creative": creative,
    }


def _day(conn: Any, ids: dict[str, UUID], day: date, *, cpm: Decimal | None, impressions: int = 1000) -> None:
    conn.execute(
        "INSERT INTO daily_metrics (client_id, date, campaign_id, strategy_id, placement_id, creative_id,"
        " impressions, clicks, conversions, conversion_revenue, cpm, spend)"
        " VALUES (%(client_id)s, %(day)s, %(campaign)s, %(strategy)s, %(placement)s, %(creative)s,"
        " %(impressions)s, 10, 2, 50.00, %(cpm)s, %(spend)s)",
        {
            **ids,
            "day": day,
            "impressions": impressions,
            "cpm": cpm,
            "spend": None if cpm is None else impressions * cpm / 1000,
        },
    )


def _run(conn: Any, key: str, status: str, *, age: str, client_ids: list[UUID] | None = None) -> UUID:
    return conn.execute(
        "INSERT INTO ingestion_logs (file_name, bucket, object_key, status, client_ids, message, started_at, finished_at)"
        " VALUES (%s, %s, %s, %s, %s, 'm', now() - %s::interval, now() - %s::interval) RETURNING id",
        (f"{LANDING_BUCKET}/{key}", LANDING_BUCKET, key, status, client_ids or [], age, age),
    ).fetchone()["id"]


@pytest.fixture
def agency(owner_conn: Any) -> dict[str, Any]:
    conn = owner_conn
    acme = _client(conn, "Acme", "acme")
    beta = _client(conn, "Beta", "beta")
    gamma = _client(conn, "Gamma", "gamma")  # active, never any data
    delta = _client(conn, "Delta", "delta", status="disabled")  # disabled, no data: not expected to send
    four = Decimal("4.0000")
    a = _creative(conn, acme)
    _day(conn, a, date(2026, 10, 30), cpm=four)  # before the period: not in the KPIs
    for n in range(1, 11):
        day = date(2026, 11, n)
        if n in (4, 7):
            continue  # missing days
        _day(conn, a, day, cpm=None if n in (9, 10) else four)  # 9th and 10th unpriced
    b = _creative(conn, beta)
    for n in range(1, 11):
        _day(conn, b, date(2026, 11, n), cpm=Decimal("2.5000"), impressions=2000)

    runs = {
        "acme_loaded": _run(conn, "clients/acme/a.csv", "success", age="3 days", client_ids=[acme]),
        "beta_loaded": _run(conn, "partner/b.csv", "partial", age="1 day", client_ids=[beta]),
        # acme: one unresolved failure attributed by id; one by its clients/acme/ key.
        "acme_failed": _run(conn, "partner/a-bad.csv", "failed", age="2 days", client_ids=[acme]),
        "acme_failed_by_key": _run(conn, "clients/acme/late.csv", "failed", age="1 hour"),
        # beta: a failure that a later load of the same object resolved, and one 8 days old.
        "beta_resolved": _run(conn, "clients/beta/fixed.csv", "failed", age="2 days"),
        "beta_fixed": _run(conn, "clients/beta/fixed.csv", "success", age="1 day", client_ids=[beta]),
        "beta_old": _run(conn, "clients/beta/old.csv", "failed", age="8 days"),
        # no client could be resolved (e.g. a missing column): only the agency list shows it
        "orphan": _run(conn, "partner/daily/x_broken.csv", "failed", age="5 hours"),
    }
    return {"acme": acme, "beta": beta, "gamma": gamma, "delta": delta, "runs": runs}


def test_overview_numbers_and_health_match_hand_computed_ones(
    api: ApiClient, admin_user: ApiUser, agency: dict[str, Any]
) -> None:
    response = api.get("/admin/overview", token=admin_user.token, query=PERIOD)
    assert response.status == 200, response.body
    body = response.json()
    runs = agency["runs"]
    assert (body["date_from"], body["date_to"], body["expected_to"]) == ("2026-11-01", "2026-11-10", "2026-11-10")

    # problems first: acme (failed runs), gamma (missing days), then beta (healthy), delta (disabled)
    assert [c["slug"] for c in body["clients"]] == ["acme", "gamma", "beta", "delta"]
    by_slug = {c["slug"]: c for c in body["clients"]}

    acme = by_slug["acme"]
    # 8 days x 1000 impressions; 6 priced days x 1000 x 4.00 / 1000 = 24.00 spend
    # (ratios: test_kpi_ratios_come_from_sums, independent of their decimal places)
    assert {key: acme["kpis"][key] for key in ("impressions", "clicks", "conversions", "revenue", "spend")} == {
        "impressions": 8000,
        "clicks": 80,
        "conversions": 16,
        "revenue": "400.00",
        "spend": "24.00",
    }
    health = acme["health"]
    assert health["missing_days"] == 2
    assert health["missing_dates"] == ["2026-11-07", "2026-11-04"]
    assert (health["unpriced_rows"], health["unpriced_from"], health["unpriced_to"]) == (2, "2026-11-09", "2026-11-10")
    assert health["failed_runs"] == 2
    assert health["last_failed_run_id"] == str(runs["acme_failed_by_key"])
    assert health["data_through"] == "2026-11-10"
    assert health["last_load"]["run_id"] == str(runs["acme_loaded"])
    assert health["last_load"]["status"] == "success"
    assert [(p["code"], p["fix"]) for p in acme["problems"]] == [
        ("failed_runs", "ingestion"),
        ("missing_days", "uploads"),
        ("unpriced_rows", "rate_card"),
    ]
    assert acme["problems"][0]["run_id"] == str(runs["acme_failed_by_key"])
    assert acme["problems"][1]["day"] == "2026-11-07"
    assert acme["problems"][2]["day"] == "2026-11-09"
    assert [p["message"] for p in acme["problems"]] == [
        "2 failed files in the last 7 days",
        "2 days without data, latest Nov 7, 2026",
        "2 rows without a CPM from Nov 9, 2026",
    ]

    beta = by_slug["beta"]
    assert beta["kpis"]["impressions"] == 20000
    assert beta["kpis"]["spend"] == "50.00"  # 20 000 x 2.50 / 1000
    assert beta["health"]["failed_runs"] == 0  # one resolved by a later load, one older than 7 days
    assert beta["health"]["missing_days"] == 0
    assert beta["health"]["last_load"]["run_id"] == str(runs["beta_fixed"])
    assert beta["problems"] == []

    gamma = by_slug["gamma"]
    assert gamma["kpis"]["impressions"] == 0
    assert gamma["kpis"]["spend"] is None and gamma["kpis"]["ctr"] is None
    assert gamma["health"]["missing_days"] == 10
    assert gamma["health"]["last_load"] is None and gamma["health"]["data_through"] is None
    assert [p["code"] for p in gamma["problems"]] == ["missing_days"]

    delta = by_slug["delta"]
    assert delta["health"]["missing_days"] == 0 and delta["problems"] == []

    # the agency list: every unresolved failure of the last 7 days, newest first, attributed or not
    assert [run["id"] for run in body["failed_runs"]] == [
        str(runs["acme_failed_by_key"]),
        str(runs["orphan"]),
        str(runs["acme_failed"]),
    ]
    assert body["totals"] == {"clients": 4, "clients_with_problems": 2, "failed_runs": 3}


def test_kpi_ratios_come_from_sums(api: ApiClient, admin_user: ApiUser, agency: dict[str, Any]) -> None:
    acme = next(
        c
        for c in api.get("/admin/overview", token=admin_user.token, query=PERIOD).json()["clients"]
        if c["slug"] == "acme"
    )
    kpis = acme["kpis"]
    assert Decimal(kpis["ctr"]) == Decimal("0.01")
    assert Decimal(kpis["cvr"]) == Decimal("0.2")
    assert Decimal(kpis["cpc"]) == Decimal("0.3")  # 24.00 / 80
    assert Decimal(kpis["cpa"]) == Decimal("1.5")  # 24.00 / 16
    assert Decimal(kpis["roas"]).quantize(Decimal("0.0001")) == Decimal("16.6667")  # 400 / 24


def test_missing_days_stop_at_yesterday(api: ApiClient, admin_user: ApiUser, owner_conn: Any) -> None:
    # given a client with data up to the day before yesterday, asked for a period ending today
    client = _client(owner_conn, "Fresh", "fresh", created="2020-01-01")
    ids = _creative(owner_conn, client)
    today = date.today()
    for n in range(2, 6):
        _day(owner_conn, ids, today - timedelta(days=n), cpm=Decimal("1"))
    query = {"from": (today - timedelta(days=5)).isoformat(), "to": today.isoformat()}
    # when
    body = api.get("/admin/overview", token=admin_user.token, query=query).json()
    # then only yesterday is missing: today's file is not due yet
    (fresh,) = body["clients"]
    assert body["expected_to"] == (today - timedelta(days=1)).isoformat()
    assert fresh["health"]["missing_dates"] == [(today - timedelta(days=1)).isoformat()]


def test_each_client_carries_its_currency(api: ApiClient, admin_user: ApiUser) -> None:
    # given a client billed in euros and one in the default currency
    for name, currency in (("Euro Co", "EUR"), ("Dollar Co", None)):
        body = {"name": name} | ({"currency": currency} if currency else {})
        assert api.post("/admin/clients", body=body, token=admin_user.token).status in (200, 201)
    # when
    clients = api.get("/admin/overview", token=admin_user.token).json()["clients"]
    # then the portal can label each client's amounts with its own currency
    assert {c["name"]: c["currency"] for c in clients} == {"Euro Co": "EUR", "Dollar Co": "USD"}


def test_default_period_is_the_last_30_days(api: ApiClient, admin_user: ApiUser) -> None:
    body = api.get("/admin/overview", token=admin_user.token).json()
    yesterday = date.today() - timedelta(days=1)
    assert body["date_to"] == yesterday.isoformat()
    assert body["date_from"] == (yesterday - timedelta(days=29)).isoformat()
    assert body["clients"] == [] and body["failed_runs"] == []


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"from": "2026-11-10", "to": "2026-11-01"}, 400),
        ({"from": "2020-01-01", "to": "2026-11-01"}, 400),  # longer than MAX_DATE_SPAN_DAYS
        ({"from": "yesterday"}, 400),
        ({"to": "2026-02-30"}, 400),
    ],
)
def test_bad_periods_are_4xx(api: ApiClient, admin_user: ApiUser, query: dict[str, str], status: int) -> None:
    response = api.get("/admin/overview", token=admin_user.token, query=query)
    assert response.status == status, response.body
    assert "message" in response.json()


def test_only_the_admin_sees_the_overview(api: ApiClient, client_user: ApiUser) -> None:
    assert api.get("/admin/overview", token=client_user.token, query=PERIOD).status == 403
    assert api.get("/admin/overview", query=PERIOD).status == 401
