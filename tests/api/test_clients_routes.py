"""The /clients routes through the real handler: success, validation and tenant 404s."""

from __future__ import annotations

import base64
import csv
import io
import uuid
from decimal import Decimal

import pytest

from tests.dashboard.data import day, globex_client, standard_client

RANGE = {"from": day(0).isoformat(), "to": day(13).isoformat()}
AGG_KEYS = {"impressions", "clicks", "conversions", "revenue", "spend", "ctr", "cvr", "cpc", "cpa", "roas"}


@pytest.fixture
def acme(owner_conn):
    """Acme Outdoor: 3 campaigns, 7 creatives, 14 days of priced data."""
    return standard_client(owner_conn)


@pytest.fixture
def globex(owner_conn):
    """Another tenant, whose rows must never show up in Acme's answers."""
    return globex_client(owner_conn)


@pytest.fixture
def acme_user(make_user, acme):
    return make_user(role="client", client_id=acme.id)


def test_clients_list_shows_a_client_user_only_its_client_and_the_admin_all(api, acme_user, admin_user, acme, globex):
    mine = api.get("/clients", token=acme_user.token)
    assert mine.status == 200, mine.body
    assert [c["id"] for c in mine.json()["items"]] == [str(acme.id)] and mine.json()["total"] == 1
    everyone = api.get("/clients", token=admin_user.token, query={"limit": "1", "offset": "1"})
    assert everyone.status == 200
    assert everyone.json()["total"] == 2 and [c["slug"] for c in everyone.json()["items"]] == ["globex"]


def test_routes_require_a_token(api, acme):
    assert api.get("/clients").status == 401
    assert api.get(f"/clients/{acme.id}/overview", query=RANGE).status == 401
    assert api.get(f"/clients/{acme.id}/overview", token="not-a-jwt", query=RANGE).status == 401


def test_overview_shape_and_money_as_decimal_strings(api, acme_user, acme, globex):
    response = api.get(f"/clients/{acme.id}/overview", token=acme_user.token, query=RANGE)
    assert response.status == 200, response.body
    body = response.json()
    assert set(body) >= {"totals", "previous", "change", "series"}
    assert (body["from"], body["to"], body["client_id"]) == (RANGE["from"], RANGE["to"], str(acme.id))
    assert len(body["series"]) == 14 and body["series"][0]["date"] == "2026-03-02"
    assert set(body["totals"]) == AGG_KEYS
    assert isinstance(body["totals"]["impressions"], int)
    spend = body["totals"]["spend"]
    assert isinstance(spend, str) and Decimal(spend) == Decimal(spend).quantize(Decimal("0.01")) and "." in spend
    assert len(body["totals"]["ctr"].split(".")[1]) == 6
    assert body["previous"]["impressions"] == 0 and body["change"]["impressions"] is None


def test_overview_change_explains_roas_exactly_in_the_number_convention(api, acme_user, acme):
    week2 = {"from": day(7).isoformat(), "to": day(13).isoformat()}
    body = api.get(f"/clients/{acme.id}/overview", token=acme_user.token, query=week2).json()
    explained = body["change"]["roas_explained"]
    assert explained["available"] is True and explained["reason"] is None
    assert [d["metric"] for d in explained["drivers"]] == ["ctr", "cvr", "aov", "cpm"]
    # the contributions, as sent (6-place strings), sum to ln ROAS change within 2.5e-6
    total = sum(Decimal(d["contribution"]) for d in explained["drivers"])
    assert abs(total - Decimal(explained["log_change"])) <= Decimal("0.0000025")
    assert explained["change"] == body["change"]["roas"]  # the same relative change, two routes to it
    for d in explained["drivers"]:
        places = 4 if d["metric"] in ("aov", "cpm") else 6
        assert len(d["value"].split(".")[1]) == places and len(d["log_change"].split(".")[1]) == 6
    # one CPM for the whole period: the price did not move
    cpm = next(d for d in explained["drivers"] if d["metric"] == "cpm")
    assert cpm["change"] == "0.000000" and explained["message"].endswith("CPM unchanged")
    # without a comparison there is no change to explain
    none = api.get(f"/clients/{acme.id}/overview", token=acme_user.token, query={**week2, "compare": "none"})
    assert none.json()["change"] is None


def test_admin_reads_any_client(api, admin_user, acme, globex):
    response = api.get(f"/clients/{globex.id}/overview", token=admin_user.token, query=RANGE)
    assert response.status == 200 and response.json()["client_id"] == str(globex.id)


def test_unknown_client_is_404_for_the_admin_too(api, admin_user):
    response = api.get(f"/clients/{uuid.uuid4()}/overview", token=admin_user.token, query=RANGE)
    assert response.status == 404 and response.json() == {"message": "client not found"}


DATE_CASES = [
    ({"from": "2026-03-10", "to": "2026-03-01"}, "from must be on or before to"),
    ({"from": "2026-3-1", "to": "2026-03-10"}, "from must be a date in YYYY-MM-DD format"),
    ({"from": "2026-02-30", "to": "2026-03-10"}, "from must be a date in YYYY-MM-DD format"),
    ({"from": "2026-03-01", "to": "tomorrow"}, "to must be a date in YYYY-MM-DD format"),
    ({"from": "2020-01-01", "to": "2026-03-10"}, "from and to may span at most 800 days"),
    ({"from": "2026-03-01'; DROP TABLE clients; --", "to": "2026-03-10"}, "from must be a date"),
]


def test_overview_rejects_bad_date_ranges(api, acme_user, acme):
    for query, message in DATE_CASES:
        response = api.get(f"/clients/{acme.id}/overview", token=acme_user.token, query=query)
        assert response.status == 400, (query, response.body)
        assert response.json()["message"].startswith(message), (query, response.body)


def test_default_range_is_the_last_30_days(api, acme_user, acme):
    response = api.get(f"/clients/{acme.id}/overview", token=acme_user.token)
    assert response.status == 200
    assert len(response.json()["series"]) == 30


def test_drill_down_rows_sum_to_the_overview_totals(api, acme_user, acme, globex):
    totals = api.get(f"/clients/{acme.id}/overview", token=acme_user.token, query=RANGE).json()["totals"]
    for level in ("campaigns", "strategies", "placements", "creatives"):
        _check_level_sums(api, acme_user, acme, level, totals)


def _check_level_sums(api, acme_user, acme, level, totals):
    response = api.get(f"/clients/{acme.id}/{level}", token=acme_user.token, query={**RANGE, "limit": "500"})
    assert response.status == 200, response.body
    body = response.json()
    assert body["total"] == len(body["items"]) > 0
    for key in ("impressions", "clicks", "conversions"):
        assert sum(row[key] for row in body["items"]) == totals[key]
    for key in ("spend", "revenue"):
        summed = sum(Decimal(row[key]) for row in body["items"])
        assert abs(summed - Decimal(totals[key])) <= Decimal("0.005") * len(body["items"])
    parents = {
        "campaigns": set(),
        "strategies": {"campaign_id"},
        "placements": {"campaign_id", "strategy_id"},
        "creatives": {"campaign_id", "strategy_id", "placement_id"},
    }[level]
    assert all(set(row) == {"id", "name", *parents, *AGG_KEYS} for row in body["items"]), body["items"][0]
    assert (body["from"], body["to"], body["sort"], body["order"]) == (RANGE["from"], RANGE["to"], "spend", "desc")


def test_drill_down_with_parent_filter_sort_and_pages(api, acme_user, acme):
    spring = str(acme.campaigns["Spring Sale"])
    query = {**RANGE, "campaign_id": spring, "sort": "name", "order": "asc", "limit": "2"}
    first = api.get(f"/clients/{acme.id}/creatives", token=acme_user.token, query=query)
    second = api.get(f"/clients/{acme.id}/creatives", token=acme_user.token, query={**query, "offset": "2"})
    assert first.status == second.status == 200
    names = [r["name"] for r in first.json()["items"] + second.json()["items"]]
    assert names == ["Banner A", "Banner B", "Carousel", "Pre-roll 15s"]
    assert first.json()["total"] == 4
    assert all(r["campaign_id"] == spring for r in first.json()["items"])
    by_ctr = api.get(
        f"/clients/{acme.id}/strategies", token=acme_user.token, query={**RANGE, "sort": "ctr", "order": "asc"}
    ).json()["items"]
    ctrs = [Decimal(r["ctr"]) for r in by_ctr]
    assert ctrs == sorted(ctrs)


VALIDATION_CASES = [
    ("campaigns", {"sort": "password_hash"}, "sort must be one of"),
    ("campaigns", {"sort": "spend; DROP TABLE x"}, "sort must be one of"),
    ("campaigns", {"order": "sideways"}, "order must be asc or desc"),
    ("campaigns", {"limit": "501"}, "limit must be between 1 and 500"),
    ("campaigns", {"limit": "0"}, "limit must be between 1 and 500"),
    ("campaigns", {"limit": "-5"}, "limit must be a non-negative integer"),
    ("campaigns", {"offset": "1e3"}, "offset must be a non-negative integer"),
    ("strategies", {"campaign_id": "not-a-uuid"}, "campaign_id must be a UUID"),
    ("creatives", {"placement_id": "123"}, "placement_id must be a UUID"),
    ("timeseries", {"granularity": "hour"}, "granularity must be one of"),
    ("timeseries", {"creative_id": "x"}, "creative_id must be a UUID"),
    ("export.csv", {"level": "client"}, "level must be one of"),
    ("export.csv", {}, "level must be one of"),
    ("summaries/weekly", {"limit": "1000"}, "limit must be between 1 and 500"),
    ("summaries/weekly/2026-03-03", {}, "week_start must be a Monday"),
    ("summaries/monthly/2026-03-02", {}, "month_start must be the first day of a month"),
    ("summaries/monthly/March", {}, "month_start must be a date"),
    ("insights", {"from": "2026-03-10", "to": "2026-03-01"}, "from must be on or before to"),
    ("report.pdf", {"from": "x"}, "from must be a date"),
]


def test_validation_errors_are_400_with_a_clear_message(api, acme_user, acme):
    for path, query, message in VALIDATION_CASES:
        response = api.get(f"/clients/{acme.id}/{path}", token=acme_user.token, query=query)
        assert response.status == 400, (path, query, response.body)
        assert response.json()["message"].startswith(message), (path, response.body)


def test_timeseries_by_week_with_an_entity_filter(api, acme_user, acme):
    campaign = str(acme.campaigns["Brand Awareness"])
    response = api.get(
        f"/clients/{acme.id}/timeseries",
        token=acme_user.token,
        query={**RANGE, "granularity": "week", "campaign_id": campaign},
    )
    assert response.status == 200, response.body
    body = response.json()
    assert [p["date"] for p in body["series"]] == ["2026-03-02", "2026-03-09"]
    campaigns = api.get(f"/clients/{acme.id}/campaigns", token=acme_user.token, query=RANGE).json()["items"]
    brand = next(c for c in campaigns if c["id"] == campaign)
    assert sum(p["impressions"] for p in body["series"]) == brand["impressions"]
    assert body["filters"] == {"campaign_id": campaign}


def test_summaries_routes(api, acme_user, acme, owner_conn):
    owner_conn.execute(
        "INSERT INTO weekly_summaries (client_id, week_start, week_end, impressions, clicks, days_with_data)"
        " VALUES (%s, '2026-03-02', '2026-03-08', 2000, 20, 7)",
        (acme.id,),
    )
    owner_conn.execute(
        "INSERT INTO monthly_summaries (client_id, month_start, month_end, impressions, days_with_data)"
        " VALUES (%s, '2026-03-01', '2026-03-31', 2000, 14)",
        (acme.id,),
    )
    weekly = api.get(f"/clients/{acme.id}/summaries/weekly", token=acme_user.token)
    assert weekly.status == 200 and weekly.json()["total"] == 1
    assert weekly.json()["items"][0]["totals"]["ctr"] == "0.010000"
    one = api.get(f"/clients/{acme.id}/summaries/weekly/2026-03-02", token=acme_user.token)
    assert one.status == 200 and one.json()["week_end"] == "2026-03-08"
    assert api.get(f"/clients/{acme.id}/summaries/weekly/2026-03-09", token=acme_user.token).status == 404
    monthly = api.get(f"/clients/{acme.id}/summaries/monthly", token=acme_user.token)
    assert monthly.status == 200 and monthly.json()["items"][0]["month_start"] == "2026-03-01"
    assert api.get(f"/clients/{acme.id}/summaries/monthly/2026-03-01", token=acme_user.token).status == 200


def test_insights_route(api, acme_user, acme):
    response = api.get(f"/clients/{acme.id}/insights", token=acme_user.token, query=RANGE)
    assert response.status == 200, response.body
    body = response.json()
    assert body["total"] == len(body["items"])
    assert all(isinstance(item["message"], str) for item in body["items"])


def test_export_csv_route(api, acme_user, acme):
    response = api.get(f"/clients/{acme.id}/export.csv", token=acme_user.token, query={**RANGE, "level": "campaign"})
    assert response.status == 200, response.body
    assert response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="acme-campaign-2026-03-02-2026-03-15.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.body)))
    assert {r["campaign"] for r in rows} == {"Spring Sale", "Brand Awareness", "Quiet Test"}


def test_export_neutralises_formula_like_names(api, admin_user, owner_conn):
    from tests.dashboard.data import add_client, add_metrics, add_tree

    names = ['=HYPERLINK("http://x","y")', "+1", "-2", "@x", "\tTab", "\rCR"]
    client = add_client(owner_conn, "Formula Co", "formula")
    add_tree(owner_conn, client, {name: {"S" + str(i): {"P" + str(i): ["C" + str(i)]}} for i, name in enumerate(names)})
    add_metrics(owner_conn, client, days=2)
    response = api.get(f"/clients/{client.id}/export.csv", token=admin_user.token, query={**RANGE, "level": "campaign"})
    assert response.status == 200, response.body
    cells = sorted(row["campaign"] for row in csv.DictReader(io.StringIO(response.body, newline="")))
    assert cells == sorted("'" + name for name in names)


def test_report_pdf_is_base64_binary_with_the_clients_figures(api, acme_user, acme, globex):
    from pypdf import PdfReader

    response = api.get(f"/clients/{acme.id}/report.pdf", token=acme_user.token, query=RANGE)
    assert response.status == 200, response.body
    assert response.raw["isBase64Encoded"] is True
    assert response.headers["Content-Type"] == "application/pdf"
    pdf = base64.b64decode(response.body)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    totals = api.get(f"/clients/{acme.id}/overview", token=acme_user.token, query=RANGE).json()["totals"]
    assert "Acme Outdoor" in text
    assert f"{totals['impressions']:,}" in text
    assert f"{Decimal(totals['spend']):,}" in text
    assert "Globex" not in text
