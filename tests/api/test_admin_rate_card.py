"""Admin: the CPM rate card and re-pricing (exactly the rows on and after the date, one transaction)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from tests.api.conftest import ApiClient, ApiUser

START = date(2026, 1, 1)
DAYS = 14
OLD_CPM = Decimal("2.0000")
NEW_CPM = Decimal("3.3333")
CHANGE_FROM = date(2026, 1, 8)


def _impressions(day: int, creative: int) -> int:
    return 1000 + 37 * day + 1001 * creative


@pytest.fixture
def priced_client(make_client: Any, owner_conn: Any) -> dict[str, Any]:
    """A client with a 2.00 CPM from START and 2 creatives x 14 days of priced metrics."""
    client = make_client("Acme", "acme")
    cid = client["id"]
    rate = owner_conn.execute(
        "INSERT INTO client_settings (client_id, cpm, effective_date) VALUES (%s, %s, %s) RETURNING id",
        (cid, OLD_CPM, START),
    ).fetchone()["id"]
    campaign = owner_conn.execute(
        "INSERT INTO campaigns (client_id, name) VALUES (%s, 'Spring') RETURNING id", (cid,)
    ).fetchone()["id"]
    strategy = owner_conn.execute(
        "INSERT INTO strategies (client_id, campaign_id, name) VALUES (%s, %s, 'S') RETURNING id", (cid, campaign)
    ).fetchone()["id"]
    placement = owner_conn.execute(
        "INSERT INTO placements (client_id, strategy_id, name) VALUES (%s, %s, 'P') RETURNING id", (cid, strategy)
    ).fetchone()["id"]
    creatives = [
        owner_conn.execute(
            "INSERT INTO creatives (client_id, placement_id, name) VALUES (%s, %s, %s) RETURNING id",
            (cid, placement, name),
        ).fetchone()["id"]
        for name in ("C1", "C2")
    ]
    for day in range(DAYS):
        for index, creative in enumerate(creatives):
            impressions = _impressions(day, index)
            owner_conn.execute(
                """INSERT INTO daily_metrics (client_id, date, campaign_id, strategy_id, placement_id, creative_id,
                       impressions, clicks, conversions, conversion_revenue, client_setting_id, cpm, spend)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, 10, 2, 50, %s, %s, %s)""",
                (cid, START + timedelta(days=day), campaign, strategy, placement, creative, impressions, rate, OLD_CPM,
                 Decimal(impressions) * OLD_CPM / 1000),
            )  # fmt: skip
    return client


def _spend_by_date(owner_conn: Any, client_id: Any) -> dict[date, tuple[Decimal, Decimal]]:
    rows = owner_conn.execute(
        "SELECT date, sum(spend) AS spend, max(cpm) AS cpm FROM daily_metrics WHERE client_id = %s GROUP BY date",
        (client_id,),
    ).fetchall()
    return {row["date"]: (row["spend"], row["cpm"]) for row in rows}


def _cents(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_preview_then_apply_reprices_exactly_the_rows_from_the_date(
    api: ApiClient, admin_user: ApiUser, priced_client: dict[str, Any], owner_conn: Any
) -> None:
    cid = priced_client["id"]
    url = f"/admin/clients/{cid}/cpm"
    before = _spend_by_date(owner_conn, cid)
    changed_days = [day for day in range(DAYS) if START + timedelta(days=day) >= CHANGE_FROM]
    impressions_changed = sum(_impressions(day, c) for day in changed_days for c in (0, 1))
    expected_before = Decimal(impressions_changed) * OLD_CPM / 1000
    expected_after = Decimal(impressions_changed) * NEW_CPM / 1000

    # given a preview
    preview = api.post(
        url, token=admin_user.token, body={"cpm": "3.3333", "effective_date": "2026-01-08", "preview": True}
    )
    assert preview.status == 200, preview.body
    body = preview.json()
    assert body["preview"] is True
    assert body["rows_changed"] == 2 * len(changed_days)
    assert body["spend_before"] == _cents(expected_before)
    assert body["spend_after"] == _cents(expected_after)
    assert body["date_from"] == "2026-01-08"
    assert body["date_to"] == "2026-01-14"
    # then nothing changed
    assert _spend_by_date(owner_conn, cid) == before
    assert (
        owner_conn.execute("SELECT count(*) AS n FROM client_settings WHERE client_id = %s", (cid,)).fetchone()["n"]
        == 1
    )

    # when applied (cpm as a JSON number this time)
    applied = api.post(url, token=admin_user.token, body={"cpm": 3.3333, "effective_date": "2026-01-08"})
    assert applied.status == 200, applied.body
    result = applied.json()
    assert result["preview"] is False
    assert result["created"] is True
    assert result["rate"]["cpm"] == "3.3333"
    assert {k: result[k] for k in ("rows_changed", "spend_before", "spend_after")} == {
        k: body[k] for k in ("rows_changed", "spend_before", "spend_after")
    }
    after = _spend_by_date(owner_conn, cid)
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        impressions = _impressions(offset, 0) + _impressions(offset, 1)
        cpm = NEW_CPM if day >= CHANGE_FROM else OLD_CPM
        assert after[day] == (Decimal(impressions) * cpm / 1000, cpm), day
    total = owner_conn.execute("SELECT sum(spend) AS s FROM daily_metrics WHERE client_id = %s", (cid,)).fetchone()["s"]
    all_impressions_before = sum(_impressions(d, c) for d in range(DAYS) for c in (0, 1)) - impressions_changed
    assert total == Decimal(all_impressions_before) * OLD_CPM / 1000 + expected_after

    # the same rate again changes nothing
    again = api.post(url, token=admin_user.token, body={"cpm": "3.3333", "effective_date": "2026-01-08"}).json()
    assert again["rows_changed"] == 0
    assert again["created"] is False
    assert again["spend_before"] is None

    # the same date with another CPM changes that rate
    changed = api.post(url, token=admin_user.token, body={"cpm": "1", "effective_date": "2026-01-08"}).json()
    assert changed["created"] is False
    assert changed["rows_changed"] == 2 * len(changed_days)
    assert changed["spend_after"] == _cents(Decimal(impressions_changed) / 1000)

    rates = api.get(url, token=admin_user.token).json()
    assert rates["total"] == 2
    assert [(r["effective_date"], r["cpm"], r["effective_until"]) for r in rates["items"]] == [
        ("2026-01-08", "1.0000", None),
        ("2026-01-01", "2.0000", "2026-01-07"),
    ]


def test_reprice_regenerates_overlapping_summaries(
    api: ApiClient, admin_user: ApiUser, priced_client: dict[str, Any], owner_conn: Any
) -> None:
    cid = priced_client["id"]
    backfill = api.post(
        "/admin/summaries",
        token=admin_user.token,
        body={"kind": "weekly", "period_start": "2026-01-05", "client_id": str(cid)},
    )
    assert backfill.status == 200, backfill.body
    before = owner_conn.execute("SELECT spend FROM weekly_summaries WHERE client_id = %s", (cid,)).fetchone()["spend"]
    result = api.post(
        f"/admin/clients/{cid}/cpm", token=admin_user.token, body={"cpm": "3.3333", "effective_date": "2026-01-08"}
    )
    assert result.status == 200, result.body
    assert result.json()["summaries_refreshed"] == 1
    after = owner_conn.execute("SELECT spend FROM weekly_summaries WHERE client_id = %s", (cid,)).fetchone()["spend"]
    week = owner_conn.execute(
        "SELECT sum(spend) AS s FROM daily_metrics WHERE client_id = %s AND date BETWEEN '2026-01-05' AND '2026-01-11'",
        (cid,),
    ).fetchone()["s"]
    assert after != before
    assert after == week
    assert owner_conn.execute("SELECT count(*) AS n FROM summary_refresh_queue").fetchone()["n"] == 0


def test_a_first_rate_prices_unpriced_rows(
    api: ApiClient, admin_user: ApiUser, priced_client: dict[str, Any], owner_conn: Any
) -> None:
    cid = priced_client["id"]
    owner_conn.execute(
        "UPDATE daily_metrics SET spend = NULL, cpm = NULL, client_setting_id = NULL WHERE client_id = %s", (cid,)
    )
    owner_conn.execute("DELETE FROM client_settings WHERE client_id = %s", (cid,))
    result = api.post(
        f"/admin/clients/{cid}/cpm", token=admin_user.token, body={"cpm": "2", "effective_date": "2025-12-01"}
    ).json()
    assert result["rows_changed"] == 2 * DAYS
    assert result["spend_before"] is None
    unpriced = owner_conn.execute("SELECT count(*) AS n FROM daily_metrics WHERE spend IS NULL").fetchone()["n"]
    assert unpriced == 0


INVALID_RATES: list[dict[str, Any]] = [
    {"cpm": "-1", "effective_date": "2026-01-01"},
    {"cpm": "1.23456", "effective_date": "2026-01-01"},
    {"cpm": "NaN", "effective_date": "2026-01-01"},
    {"cpm": "Infinity", "effective_date": "2026-01-01"},
    {"cpm": "1e3", "effective_date": "2026-01-01", "extra": True},
    {"cpm": "abc", "effective_date": "2026-01-01"},
    {"cpm": "1000000", "effective_date": "2026-01-01"},
    {"cpm": "1", "effective_date": "2026-02-30"},
    {"cpm": "1"},
    {"effective_date": "2026-01-01"},
    {"cpm": True, "effective_date": "2026-01-01"},
]


def test_rate_validation(api: ApiClient, admin_user: ApiUser, priced_client: dict[str, Any], owner_conn: Any) -> None:
    before = _spend_by_date(owner_conn, priced_client["id"])
    for body in INVALID_RATES:
        response = api.post(f"/admin/clients/{priced_client['id']}/cpm", token=admin_user.token, body=body)
        assert response.status in (400, 400), (body, response.body)
    assert owner_conn.execute("SELECT count(*) AS n FROM client_settings").fetchone()["n"] == 1
    assert _spend_by_date(owner_conn, priced_client["id"]) == before


def test_rate_card_of_unknown_client_is_404(api: ApiClient, admin_user: ApiUser) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"/admin/clients/{missing}/cpm", token=admin_user.token).status == 404
    response = api.post(
        f"/admin/clients/{missing}/cpm", token=admin_user.token, body={"cpm": "1", "effective_date": "2026-01-01"}
    )
    assert response.status == 404


def test_zero_cpm_is_allowed(api: ApiClient, admin_user: ApiUser, priced_client: dict[str, Any]) -> None:
    response = api.post(
        f"/admin/clients/{priced_client['id']}/cpm",
        token=admin_user.token,
        body={"cpm": "0", "effective_date": "2026-01-10"},
    )
    assert response.status == 200, response.body
    assert response.json()["spend_after"] == "0.00"


FEBRUARY_DAYS = (date(2026, 2, 1), date(2026, 2, 2), date(2026, 2, 3))
FEBRUARY_IMPRESSIONS = 5000  # x 2.00 or x 2.50 / 1000: exact to the cent


def _add_february(owner_conn: Any, client_id: Any) -> None:
    """One priced row per creative on each February day, copying a January row's hierarchy."""
    owner_conn.execute(
        """INSERT INTO daily_metrics (client_id, date, campaign_id, strategy_id, placement_id, creative_id,
               impressions, clicks, conversions, conversion_revenue, client_setting_id, cpm, spend)
           SELECT dm.client_id, d.day, dm.campaign_id, dm.strategy_id, dm.placement_id, dm.creative_id,
                  %(impressions)s, 10, 2, 50, dm.client_setting_id, dm.cpm, %(impressions)s * dm.cpm / 1000
           FROM daily_metrics dm CROSS JOIN unnest(%(days)s::date[]) AS d(day)
           WHERE dm.client_id = %(client_id)s AND dm.date = %(start)s""",
        {"client_id": client_id, "days": list(FEBRUARY_DAYS), "start": START, "impressions": FEBRUARY_IMPRESSIONS},
    )


def test_preview_reports_the_impact_per_month(
    api: ApiClient, admin_user: ApiUser, priced_client: dict[str, Any], owner_conn: Any
) -> None:
    cid = priced_client["id"]
    _add_february(owner_conn, cid)
    url = f"/admin/clients/{cid}/cpm"
    new_cpm = Decimal("2.5000")  # February: 5000 x 2.5 / 1000 = 12.50 a row, exact to the cent
    january_days = [day for day in range(DAYS) if START + timedelta(days=day) >= CHANGE_FROM]
    january_impressions = sum(_impressions(day, c) for day in january_days for c in (0, 1))
    february_impressions = FEBRUARY_IMPRESSIONS * 2 * len(FEBRUARY_DAYS)
    expected = [
        {
            "month": "2026-01",
            "rows": 2 * len(january_days),
            "spend_before": _cents(Decimal(january_impressions) * OLD_CPM / 1000),
            "spend_after": _cents(Decimal(january_impressions) * new_cpm / 1000),
        },
        {
            "month": "2026-02",
            "rows": 2 * len(FEBRUARY_DAYS),
            "spend_before": _cents(Decimal(february_impressions) * OLD_CPM / 1000),
            "spend_after": _cents(Decimal(february_impressions) * new_cpm / 1000),
        },
    ]
    before = _spend_by_date(owner_conn, cid)

    preview = api.post(
        url, token=admin_user.token, body={"cpm": "2.5", "effective_date": "2026-01-08", "preview": True}
    )
    assert preview.status == 200, preview.body
    body = preview.json()
    assert body["applied"] is False
    assert "id" not in body["rate"]
    assert body["months"] == expected
    # the months add up to the totals (February is exact to the cent, so no rounding gap here)
    assert body["rows_changed"] == sum(m["rows"] for m in body["months"]) == 2 * (len(january_days) + 3)
    for key in ("spend_before", "spend_after"):
        assert Decimal(body[key]) == sum(Decimal(m[key]) for m in body["months"])
    assert body["spend_after"] == _cents(Decimal(january_impressions + february_impressions) * new_cpm / 1000)
    assert body["date_from"] == "2026-01-08"
    assert body["date_to"] == "2026-02-03"
    # a preview changes nothing
    assert _spend_by_date(owner_conn, cid) == before
    assert (
        owner_conn.execute("SELECT count(*) AS n FROM client_settings WHERE client_id = %s", (cid,)).fetchone()["n"]
        == 1
    )

    # applied: the same months, now the rows that did change
    applied = api.post(url, token=admin_user.token, body={"cpm": "2.5", "effective_date": "2026-01-08"}).json()
    assert applied["applied"] is True
    assert applied["months"] == expected
    # a rate from February touches February only; repeating it touches no month at all
    feb = api.post(url, token=admin_user.token, body={"cpm": "2", "effective_date": "2026-02-01"}).json()
    assert [m["month"] for m in feb["months"]] == ["2026-02"]
    assert feb["months"][0]["spend_after"] == _cents(Decimal(february_impressions) * OLD_CPM / 1000)
    again = api.post(url, token=admin_user.token, body={"cpm": "2", "effective_date": "2026-02-01"}).json()
    assert again["rows_changed"] == 0
    assert again["months"] == []
    assert again["spend_before"] is None


def test_bad_preview_is_400_and_changes_nothing(
    api: ApiClient, admin_user: ApiUser, priced_client: dict[str, Any], owner_conn: Any
) -> None:
    before = _spend_by_date(owner_conn, priced_client["id"])
    url = f"/admin/clients/{priced_client['id']}/cpm"
    for body in INVALID_RATES:
        response = api.post(url, token=admin_user.token, body={**body, "preview": True})
        assert response.status == 400, (body, response.body)
        assert "months" not in response.json()
    not_a_flag = api.post(
        url, token=admin_user.token, body={"cpm": "1", "effective_date": "2026-01-01", "preview": "maybe"}
    )
    assert not_a_flag.status == 400, not_a_flag.body
    assert _spend_by_date(owner_conn, priced_client["id"]) == before
