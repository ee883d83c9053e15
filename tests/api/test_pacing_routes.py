"""`GET /clients/{id}/pacing` through the real handler (validation, tenancy, the number
convention) and the admin's monthly budget on `PATCH /admin/clients/{id}`."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.dashboard.data import Client, add_client, paced_client

D = Decimal


@pytest.fixture
def paced(owner_conn) -> Client:
    return paced_client(owner_conn)


def test_the_route_answers_in_the_number_convention(api, make_user, paced):
    user = make_user(role="client", client_id=paced.id)
    response = api.get(f"/clients/{paced.id}/pacing", token=user.token, query={"month": "2026-03"})
    assert response.status == 200, response.body
    body = response.json()
    assert body["month"] == "2026-03" and (body["from"], body["to"]) == ("2026-03-01", "2026-03-31")
    assert body["budget"] == "500.00" and body["over_under"] == "48.25" and body["pace"] == "1.096500"
    assert body["forecast_month"]["spend"] == "548.25" and body["currency"] == "USD"
    assert body["days"][0] == {"date": "2026-03-01", "kind": "actual", "spend": "29.75", "cumulative_spend": "29.75"}


def test_the_route_defaults_to_the_current_month(api, make_user, paced):
    user = make_user(role="client", client_id=paced.id)
    body = api.get(f"/clients/{paced.id}/pacing", token=user.token).json()
    assert body["month"] == date.today().strftime("%Y-%m")


@pytest.mark.parametrize(
    "month",
    [
        "2026-13",
        "2026-00",
        "2026-3",
        "26-03",
        "2026-03-01",
        "2026/03",
        "\uff12\uff10\uff12\uff16-03",  # full-width digits
        "2026-03 x",
        "1999-12",
        "9999-01",
    ],
)
def test_the_route_refuses_a_bad_month_with_400(api, make_user, paced, month):
    user = make_user(role="client", client_id=paced.id)
    response = api.get(f"/clients/{paced.id}/pacing", token=user.token, query={"month": month})
    assert response.status == 400, (month, response.body)
    assert response.json()["message"].startswith("month must be a month")


def test_a_month_a_year_ahead_is_the_limit(api, make_user, paced):
    user = make_user(role="client", client_id=paced.id)
    ahead = date.today() + timedelta(days=366)
    assert (
        api.get(f"/clients/{paced.id}/pacing", token=user.token, query={"month": ahead.strftime("%Y-%m")}).status == 200
    )
    beyond = (ahead.replace(day=28) + timedelta(days=5)).strftime("%Y-%m")
    assert api.get(f"/clients/{paced.id}/pacing", token=user.token, query={"month": beyond}).status == 400


def test_another_clients_pacing_is_not_found(api, make_user, owner_conn, paced):
    other = add_client(owner_conn, "Other", "other")
    user = make_user(role="client", client_id=other.id)
    assert api.get(f"/clients/{paced.id}/pacing", token=user.token, query={"month": "2026-03"}).status == 404
    assert api.get(f"/clients/{paced.id}/pacing", query={"month": "2026-03"}).status == 401


# ---------------------------------------------------------------- the admin's budget


def test_the_admin_sets_keeps_and_clears_the_budget(api, admin_user, owner_conn):
    client = add_client(owner_conn, "Budget Co", "budget-co")
    path = f"/admin/clients/{client.id}"
    assert api.get(path, token=admin_user.token).json()["monthly_budget"] is None
    set_ = api.patch(path, token=admin_user.token, body={"monthly_budget": "25000.50"})
    assert set_.status == 200, set_.body and set_.json()["monthly_budget"] == "25000.50"
    # a PATCH that does not name it keeps it
    renamed = api.patch(path, token=admin_user.token, body={"name": "Budget Company"})
    assert renamed.json()["monthly_budget"] == "25000.50"
    stored = owner_conn.execute("SELECT monthly_budget FROM clients WHERE id = %s", (client.id,)).fetchone()
    assert stored["monthly_budget"] == D("25000.50")
    # the client's pacing shows it, exactly
    body = api.get(f"/clients/{client.id}/pacing", token=admin_user.token).json()
    assert body["budget"] == "25000.50"
    # null clears it
    cleared = api.patch(path, token=admin_user.token, body={"monthly_budget": None})
    assert cleared.json()["monthly_budget"] is None


@pytest.mark.parametrize("budget", ["-1", "10.001", "abc", "1e400", "12345678901234567", True, [], "NaN", "Infinity"])
def test_a_bad_budget_is_refused_with_400(api, admin_user, owner_conn, budget):
    client = add_client(owner_conn, "Budget Co", "budget-co")
    response = api.patch(f"/admin/clients/{client.id}", token=admin_user.token, body={"monthly_budget": budget})
    assert response.status == 400, (budget, response.body)
    stored = owner_conn.execute("SELECT monthly_budget FROM clients WHERE id = %s", (client.id,)).fetchone()
    assert stored["monthly_budget"] is None
