"""Admin: the margin ledger — buy costs, margin, break-even, what-if pricing, overview column,
target ROAS and the low-margin alert (figures hand-computed in tests/api/ledger_data.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tests.api.conftest import ApiClient, ApiUser
from tests.api.ledger_data import insert_ledger_client

PERIOD = {"from": "2026-01-30", "to": "2026-02-01"}


@pytest.fixture
def ledger_client(owner_conn: Any) -> dict[str, Any]:
    return insert_ledger_client(owner_conn)


def test_margin_report_totals_series_and_campaigns_are_exact(
    api: ApiClient, admin_user: ApiUser, ledger_client: dict[str, Any]
) -> None:
    response = api.get(f"/admin/clients/{ledger_client['id']}/margin", token=admin_user.token, query=PERIOD)
    assert response.status == 200, response.body
    body = response.json()
    assert body["totals"] == {
        "impressions": 97035,
        "revenue": "450.00",
        "spend": "485.18",  # 485.175
        "cost": "335.78",  # 2 x 102.5951055 + 130.5864685 = 335.7766795
        "margin": "149.40",  # 149.3983205
        "margin_ratio": "0.307927",  # 149.3983205 / 485.175, from the sums
        "roas": "0.927500",  # 450 / 485.175 = 0.9274998…
    }
    assert body["target_roas"] == "2.000000"
    assert body["break_even_cpm"] == "2.3188"  # 1000 x 450 / (2 x 97035)
    assert body["uncosted_days"] == 0
    assert [(d["date"], d["buy_cpm"], d["spend"], d["cost"], d["margin"]) for d in body["series"]] == [
        ("2026-01-30", "3.1719", "161.73", "102.60", "59.13"),  # 161.725 - 102.5951055 = 59.1298945
        ("2026-01-31", "3.1719", "161.73", "102.60", "59.13"),
        ("2026-02-01", "4.0373", "161.73", "130.59", "31.14"),  # 161.725 - 130.5864685 = 31.1385315
    ]
    assert [(c["name"], c["spend"], c["cost"], c["margin"]) for c in body["campaigns"]] == [
        ("B", "300.00", "207.62", "92.38"),  # 20000 x (2 x 3.1719 + 4.0373) / 1000 = 207.622
        ("A", "185.18", "128.15", "57.02"),  # 12345 x 10.3811 / 1000 = 128.1546795
    ]


def test_a_day_without_buy_cost_has_cost_but_no_margin_and_is_counted(
    api: ApiClient, admin_user: ApiUser, ledger_client: dict[str, Any], owner_conn: Any
) -> None:
    # given the buy cost starts on 2026-01-31 only
    owner_conn.execute(
        "UPDATE client_buy_costs SET effective_date = '2026-01-31' WHERE client_id = %s AND cpm = 3.1719",
        (ledger_client["id"],),
    )
    body = api.get(f"/admin/clients/{ledger_client['id']}/margin", token=admin_user.token, query=PERIOD).json()
    first = body["series"][0]
    assert (first["cost"], first["margin"], first["margin_ratio"], first["buy_cpm"]) == (None, None, None, None)
    assert body["uncosted_days"] == 1
    # margin over the two costed days only: 2 x 161.725 - (102.5951055 + 130.5864685) = 90.2684260
    assert body["totals"]["margin"] == "90.27"
    assert body["totals"]["cost"] == "233.18"  # 233.181574
    assert body["totals"]["margin_ratio"] == "0.279080"  # 90.268426 / 323.45 = 0.27907999…
    assert body["totals"]["spend"] == "485.18"


def test_buy_cost_preview_then_apply_reports_the_days_it_changes(
    api: ApiClient, admin_user: ApiUser, ledger_client: dict[str, Any], owner_conn: Any
) -> None:
    url = f"/admin/clients/{ledger_client['id']}/buy-cost"
    # given a preview of 5.5 from 2026-01-31: only that day changes (02-01 has its own buy cost)
    preview = api.post(
        url, token=admin_user.token, body={"cpm": "5.5", "effective_date": "2026-01-31", "preview": True}
    )
    assert preview.status == 200, preview.body
    body = preview.json()
    assert body["applied"] is False and body["created"] is True
    assert (body["rows_changed"], body["cost_before"], body["cost_after"]) == (2, "102.60", "177.90")  # 32345 x 5.5
    assert (body["date_from"], body["date_to"]) == ("2026-01-31", "2026-01-31")
    assert body["months"] == [{"month": "2026-01", "rows": 2, "cost_before": "102.60", "cost_after": "177.90"}]
    count = "SELECT count(*) AS n FROM client_buy_costs WHERE client_id = %s"
    assert owner_conn.execute(count, (ledger_client["id"],)).fetchone()["n"] == 2  # nothing stored

    # when applied
    applied = api.post(url, token=admin_user.token, body={"cpm": 5.5, "effective_date": "2026-01-31"})
    assert applied.status == 200, applied.body
    assert applied.json()["applied"] is True and applied.json()["buy_cost"]["cpm"] == "5.5000"
    assert owner_conn.execute(count, (ledger_client["id"],)).fetchone()["n"] == 3
    timeline = api.get(url, token=admin_user.token).json()
    assert [(b["effective_date"], b["cpm"], b["effective_until"]) for b in timeline["items"]] == [
        ("2026-02-01", "4.0373", None),
        ("2026-01-31", "5.5000", "2026-01-31"),
        ("2026-01-01", "3.1719", "2026-01-30"),
    ]
    margin = api.get(f"/admin/clients/{ledger_client['id']}/margin", token=admin_user.token, query=PERIOD).json()
    assert margin["totals"]["cost"] == "411.08"  # 102.5951055 + 177.8975 + 130.5864685 = 411.0790740

    # and the same date again changes that buy cost, re-applying it changes nothing
    again = api.post(url, token=admin_user.token, body={"cpm": "5.5", "effective_date": "2026-01-31"}).json()
    assert (again["created"], again["rows_changed"], again["months"]) == (False, 0, [])


@pytest.mark.parametrize(
    "body",
    [
        {"cpm": "-1", "effective_date": "2026-01-31"},
        {"cpm": "1.00001", "effective_date": "2026-01-31"},
        {"cpm": "NaN", "effective_date": "2026-01-31"},
        {"cpm": "1", "effective_date": "2026-02-30"},
        {"cpm": "1", "effective_date": "2026-01-31", "cost": "1"},
    ],
)
def test_buy_cost_bad_input_is_a_400(
    api: ApiClient, admin_user: ApiUser, ledger_client: dict[str, Any], body: dict[str, Any]
) -> None:
    response = api.post(f"/admin/clients/{ledger_client['id']}/buy-cost", token=admin_user.token, body=body)
    assert response.status == 400, response.body


def test_rate_preview_answers_roas_margin_and_break_even_per_month(
    api: ApiClient, admin_user: ApiUser, ledger_client: dict[str, Any]
) -> None:
    url = f"/admin/clients/{ledger_client['id']}/cpm"
    body = api.post(
        url, token=admin_user.token, body={"cpm": "6", "effective_date": "2026-01-31", "preview": True}
    ).json()
    assert [m["month"] for m in body["months"]] == ["2026-01", "2026-02"]
    assert body["what_if"] == [
        {
            # January: 01-30 as stored (161.725) + 01-31 at 6 (194.07) = 355.795; cost 205.190211
            "month": "2026-01",
            "spend": "355.80",
            "cost": "205.19",
            "margin": "150.60",  # 150.604789
            "margin_ratio": "0.423291",
            "roas": "0.843182",  # 300 / 355.795
            "break_even_cpm": "2.3188",  # 1000 x 300 / (2 x 64690)
        },
        {
            "month": "2026-02",
            "spend": "194.07",
            "cost": "130.59",
            "margin": "63.48",  # 194.07 - 130.5864685 = 63.4835315
            "margin_ratio": "0.327117",
            "roas": "0.772917",  # 150 / 194.07
            "break_even_cpm": "2.3188",
        },
    ]


def test_target_roas_set_clear_and_bad_values(
    api: ApiClient, admin_user: ApiUser, ledger_client: dict[str, Any]
) -> None:
    url = f"/admin/clients/{ledger_client['id']}/target-roas"
    assert api.put(url, token=admin_user.token, body={"target_roas": "4.5"}).json()["target_roas"] == "4.500000"
    assert api.get(f"/admin/clients/{ledger_client['id']}", token=admin_user.token).json()["target_roas"] == "4.500000"
    margin = api.get(f"/admin/clients/{ledger_client['id']}/margin", token=admin_user.token, query=PERIOD).json()
    assert margin["break_even_cpm"] == "1.0306"  # 1000 x 450 / (4.5 x 97035) = 1.03058…
    assert api.put(url, token=admin_user.token, body={"target_roas": None}).json()["target_roas"] is None
    margin = api.get(f"/admin/clients/{ledger_client['id']}/margin", token=admin_user.token, query=PERIOD).json()
    assert margin["break_even_cpm"] is None
    for bad in ("0", "-2", "1.0000001", "abc"):
        assert api.put(url, token=admin_user.token, body={"target_roas": bad}).status == 400, bad
    assert api.put(url, token=admin_user.token, body={}).status == 400


def test_agency_overview_has_a_margin_column(
    api: ApiClient, admin_user: ApiUser, ledger_client: dict[str, Any], make_client: Any
) -> None:
    make_client("No Data", "no-data")
    body = api.get("/admin/overview", token=admin_user.token, query=PERIOD).json()
    by_name = {c["name"]: c for c in body["clients"]}
    assert by_name["Ledger Co"]["margin"] == {"cost": "335.78", "margin": "149.40", "margin_ratio": "0.307927"}
    assert by_name["No Data"]["margin"] == {"cost": None, "margin": None, "margin_ratio": None}


def test_margin_routes_refuse_client_users_and_bad_ranges(
    api: ApiClient, admin_user: ApiUser, make_user: Any, ledger_client: dict[str, Any]
) -> None:
    client_user = make_user(role="client", client_id=ledger_client["id"])
    cid = ledger_client["id"]
    for path in (f"/admin/clients/{cid}/margin", f"/admin/clients/{cid}/buy-cost", f"/admin/clients/{cid}/months"):
        assert api.get(path, token=client_user.token).status == 403, path
    assert (
        api.post(
            f"/admin/clients/{cid}/buy-cost", token=client_user.token, body={"cpm": "1", "effective_date": "2026-01-01"}
        ).status
        == 403
    )
    margin = f"/admin/clients/{cid}/margin"
    assert api.get(margin, token=admin_user.token, query={"from": "2026-02-02", "to": "2026-02-01"}).status == 400
    assert api.get(margin, token=admin_user.token, query={"from": "2020-01-01", "to": "2026-02-01"}).status == 400
    assert api.get(margin, token=admin_user.token, query={"from": "2026-1-1"}).status == 400
    missing = "00000000-0000-0000-0000-000000000000"
    assert api.get(f"/admin/clients/{missing}/margin", token=admin_user.token).status == 404


def test_buy_costs_are_invisible_to_a_client_tenant_even_in_sql(ledger_client: dict[str, Any], api_db: Any) -> None:
    from shared.db import Tenant

    with api_db.transaction(tenant=Tenant.client(ledger_client["id"])) as conn:
        assert conn.execute("SELECT count(*) AS n FROM client_buy_costs").fetchone()["n"] == 0
    with api_db.transaction(tenant=Tenant.every_client()) as conn:
        assert conn.execute("SELECT count(*) AS n FROM client_buy_costs").fetchone()["n"] == 2


def test_low_margin_alert_once_per_client_per_day(
    ledger_client: dict[str, Any], worker_db: Any, settings_env: dict[str, str], monkeypatch: Any, ses: Any,
    db_url: str,
) -> None:  # fmt: skip
    import boto3
    from moto.ses.models import ses_backends

    from shared.aws.ses import SesEmailSender
    from shared.ingestion.missing_files import check_missing_files
    from shared.settings import Settings

    boto3.client("ses", region_name="us-east-1").verify_email_identity(EmailAddress="alerts@example.com")
    sender = SesEmailSender(client=boto3.client("ses", region_name="us-east-1"))
    now = datetime(2026, 2, 2, 10, tzinfo=UTC)  # yesterday = 2026-02-01: 7 days 01-26 .. 02-01
    # margin ratio 0.307927: under 0.35, over 0.30
    high = Settings.from_env({**settings_env, "MARGIN_ALERT_THRESHOLD": "0.35"})
    low = Settings.from_env({**settings_env, "MARGIN_ALERT_THRESHOLD": "0.30"})

    assert check_missing_files(settings=low, db=worker_db, sender=sender, now=now).margin_alerts == []
    report = check_missing_files(settings=high, db=worker_db, sender=sender, now=now)
    assert report.margin_alerts == [ledger_client["id"]]
    again = check_missing_files(settings=high, db=worker_db, sender=sender, now=now)
    assert again.margin_alerts == []  # not spammed: claimed for (client, day)

    messages = [m for m in ses_backends["123456789012"]["us-east-1"].sent_messages if "Low margin" in str(m.subject)]
    assert len(messages) == 1
    text = messages[0].body if isinstance(messages[0].body, str) else str(messages[0].body)
    assert "Ledger Co" in messages[0].subject and "30.79%" in messages[0].subject
    assert "What to do" in text
    assert Decimal("0.10") == Settings.from_env({}).margin_alert_threshold
    assert date(2026, 2, 1).isoformat() in messages[0].subject
