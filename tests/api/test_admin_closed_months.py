"""Admin: closed months — close and reopen (logged with who and when); while closed, a rate or
buy-cost change whose days reach into the month is refused with 409 naming it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.api.conftest import ApiClient, ApiUser
from tests.api.ledger_data import insert_ledger_client


@pytest.fixture
def ledger_client(owner_conn: Any) -> dict[str, Any]:
    return insert_ledger_client(owner_conn)


def test_close_refuses_rate_and_buy_cost_changes_inside_and_reopen_lifts_it(
    api: ApiClient, admin_user: ApiUser, ledger_client: dict[str, Any], owner_conn: Any
) -> None:
    cid = ledger_client["id"]
    closed = api.post(f"/admin/clients/{cid}/months/2026-01/close", token=admin_user.token)
    assert closed.status == 200, closed.body
    assert closed.json()["closed"] is True and closed.json()["changed"] is True
    assert closed.json()["event"]["actor_email"] == admin_user.email

    spend_before = owner_conn.execute("SELECT sum(spend) AS s FROM daily_metrics").fetchone()["s"]
    # a rate effective inside January, applied or only previewed: refused, naming the month
    for preview in (True, False):
        refused = api.post(
            f"/admin/clients/{cid}/cpm",
            token=admin_user.token,
            body={"cpm": "9", "effective_date": "2026-01-15", "preview": preview},
        )
        assert refused.status == 409, refused.body
        assert "2026-01" in refused.json()["message"] and "closed" in refused.json()["message"]
    # a rate from December reaches January too (no rate after 2026-01-01 ... wait: 2026-01-01 has one)
    december = api.post(
        f"/admin/clients/{cid}/cpm", token=admin_user.token, body={"cpm": "9", "effective_date": "2025-12-15"}
    )
    assert december.status == 200, december.body  # it stops on 2025-12-31: the 2026-01-01 rate follows
    # a buy cost inside January: refused; from February (open): allowed
    refused = api.post(
        f"/admin/clients/{cid}/buy-cost", token=admin_user.token, body={"cpm": "1", "effective_date": "2026-01-31"}
    )
    assert refused.status == 409 and "2026-01" in refused.json()["message"]
    february = api.post(
        f"/admin/clients/{cid}/buy-cost", token=admin_user.token, body={"cpm": "1", "effective_date": "2026-02-01"}
    )
    assert february.status == 200, february.body
    assert owner_conn.execute("SELECT sum(spend) AS s FROM daily_metrics").fetchone()["s"] == spend_before

    # when reopened, the same change applies
    reopened = api.post(f"/admin/clients/{cid}/months/2026-01/reopen", token=admin_user.token)
    assert reopened.status == 200 and reopened.json()["closed"] is False and reopened.json()["changed"] is True
    applied = api.post(
        f"/admin/clients/{cid}/cpm", token=admin_user.token, body={"cpm": "9", "effective_date": "2026-01-15"}
    )
    assert applied.status == 200, applied.body
    assert applied.json()["rows_changed"] == 6

    months = api.get(f"/admin/clients/{cid}/months", token=admin_user.token).json()
    assert months["closed"] == []
    assert [(e["month"], e["action"], e["actor_email"]) for e in months["events"]] == [
        ("2026-01", "reopen", admin_user.email),
        ("2026-01", "close", admin_user.email),
    ]


def test_a_later_rate_bounds_the_range_but_an_open_ended_one_reaches_a_closed_month(
    api: ApiClient, admin_user: ApiUser, ledger_client: dict[str, Any]
) -> None:
    cid = ledger_client["id"]
    api.post(f"/admin/clients/{cid}/months/2026-03/close", token=admin_user.token)
    # the sell rate of 2026-01-01 is open-ended: a change of it would re-price March
    refused = api.post(
        f"/admin/clients/{cid}/cpm", token=admin_user.token, body={"cpm": "6", "effective_date": "2026-01-01"}
    )
    assert refused.status == 409 and "2026-03" in refused.json()["message"]
    # the buy cost of 2026-02-01 is open-ended too
    refused = api.post(
        f"/admin/clients/{cid}/buy-cost", token=admin_user.token, body={"cpm": "4", "effective_date": "2026-02-01"}
    )
    assert refused.status == 409 and "2026-03" in refused.json()["message"]
    # the buy cost of 2026-01-01 ends on 2026-01-31: allowed
    allowed = api.post(
        f"/admin/clients/{cid}/buy-cost", token=admin_user.token, body={"cpm": "3", "effective_date": "2026-01-01"}
    )
    assert allowed.status == 200, allowed.body


def test_close_twice_and_reopen_an_open_month_change_nothing(
    api: ApiClient, admin_user: ApiUser, ledger_client: dict[str, Any]
) -> None:
    cid = ledger_client["id"]
    assert api.post(f"/admin/clients/{cid}/months/2026-01/close", token=admin_user.token).json()["changed"] is True
    again = api.post(f"/admin/clients/{cid}/months/2026-01/close", token=admin_user.token).json()
    assert (again["changed"], again["event"]) == (False, None)
    open_month = api.post(f"/admin/clients/{cid}/months/2026-05/reopen", token=admin_user.token).json()
    assert (open_month["closed"], open_month["changed"]) == (False, False)
    months = api.get(f"/admin/clients/{cid}/months", token=admin_user.token).json()
    assert [m["month"] for m in months["closed"]] == ["2026-01"]
    assert months["closed"][0]["closed_by_email"] == admin_user.email
    assert len(months["events"]) == 1


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-00", "2026-1", "26-01", "2026-01-01", "0000-01", "\uff12\uff10\uff12\uff16-01"]
)
def test_bad_months_are_a_400(api: ApiClient, admin_user: ApiUser, ledger_client: dict[str, Any], month: str) -> None:
    response = api.post(f"/admin/clients/{ledger_client['id']}/months/{month}/close", token=admin_user.token)
    assert response.status == 400, (month, response.body)


def _month(day: date) -> str:
    return day.isoformat()[:7]


def test_a_month_is_closed_from_the_first_data_month_to_the_current_one(
    api: ApiClient, admin_user: ApiUser, ledger_client: dict[str, Any]
) -> None:
    # closing 9999-12 used to succeed, and then refused every later rate change (409)
    cid = ledger_client["id"]
    today = date.today()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    for month in ("0001-01", "1999-12", "9999-12", _month(next_month)):
        response = api.post(f"/admin/clients/{cid}/months/{month}/close", token=admin_user.token)
        assert response.status == 400, (month, response.body)
        message = response.json()["message"]
        assert message.startswith("month must be a month between 2000-01 and ") and _month(today) in message, message
    assert api.get(f"/admin/clients/{cid}/months", token=admin_user.token).json() == {"closed": [], "events": []}
    rate = {"cpm": "4.25", "effective_date": next_month.isoformat()}
    assert api.post(f"/admin/clients/{cid}/cpm", token=admin_user.token, body=rate).status == 200
    # the bounds themselves close
    for month in ("2000-01", _month(today)):
        closed = api.post(f"/admin/clients/{cid}/months/{month}/close", token=admin_user.token)
        assert closed.status == 200 and closed.json()["changed"] is True, closed.body


def test_reopen_undoes_any_closed_month_but_no_open_one_outside_the_bounds(
    api: ApiClient, admin_user: ApiUser, ledger_client: dict[str, Any], owner_conn: Any
) -> None:
    # given a far-future month closed before the bound existed
    cid = ledger_client["id"]
    owner_conn.execute(
        "INSERT INTO client_closed_months (client_id, month, closed_by) VALUES (%s, '9999-12-01', %s)",
        (cid, admin_user.id),
    )
    assert api.post(f"/admin/clients/{cid}/months/0001-01/reopen", token=admin_user.token).status == 400
    reopened = api.post(f"/admin/clients/{cid}/months/9999-12/reopen", token=admin_user.token)
    assert reopened.status == 200 and reopened.json()["changed"] is True, reopened.body
    months = api.get(f"/admin/clients/{cid}/months", token=admin_user.token).json()
    assert months["closed"] == [] and [e["action"] for e in months["events"]] == ["reopen"]
    again = api.post(f"/admin/clients/{cid}/months/9999-12/reopen", token=admin_user.token)
    assert again.status == 400 and "month must be a month between" in again.json()["message"]


def test_months_of_an_unknown_client_and_for_a_client_user(
    api: ApiClient, admin_user: ApiUser, make_user: Any, ledger_client: dict[str, Any]
) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert api.post(f"/admin/clients/{missing}/months/2026-01/close", token=admin_user.token).status == 404
    assert api.get(f"/admin/clients/{missing}/months", token=admin_user.token).status == 404
    user = make_user(role="client", client_id=ledger_client["id"])
    assert api.post(f"/admin/clients/{ledger_client['id']}/months/2026-01/close", token=user.token).status == 403
