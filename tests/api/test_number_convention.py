"""SPEC section 8: one number convention in every response. Walks every GET route of the
OpenAPI document on seeded data (with stored weekly and monthly summaries, an old-style
unrounded stored document among them) and asserts the shape of each key by its kind."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from shared.api.routes.meta import openapi_document
from shared.numbers import METRIC_VALUE_KEYS, OPAQUE_KEYS, kind_of, metric_kind
from shared.summaries import build_monthly, build_weekly
from tests.dashboard.data import standard_client

SHAPES = {
    "money": re.compile(r"-?\d+\.\d{2}"),
    "unit": re.compile(r"-?\d+\.\d{4}"),
    "ratio": re.compile(r"-?\d+\.\d{6}"),
    "pp": re.compile(r"-?\d+\.\d{6}"),
    "score": re.compile(r"-?\d+\.\d{2}"),
}
QUERY = {"from": "2026-03-02", "to": "2026-03-15"}


def check(value: Any, kind: str | None, where: str, problems: list[str]) -> None:
    if value is None or kind is None:
        return
    if isinstance(value, list):
        for n, item in enumerate(value):
            check(item, kind, f"{where}[{n}]", problems)
        return
    if kind == "count":
        if not (isinstance(value, int) and not isinstance(value, bool)):
            problems.append(f"{where}: a count must be an integer, got {value!r}")
    elif not (isinstance(value, str) and SHAPES[kind].fullmatch(value)):
        problems.append(f"{where}: a {kind} must be a decimal string like {SHAPES[kind].pattern}, got {value!r}")


def walk(document: Any, where: str, problems: list[str], *, changes: bool = False) -> None:
    """Every numeric key of `document` must have the shape of its kind (shared.numbers)."""
    if isinstance(document, list):
        for n, item in enumerate(document):
            walk(item, f"{where}[{n}]", problems, changes=changes)
        return
    if not isinstance(document, dict):
        return
    metric = document.get("metric") if isinstance(document.get("metric"), str) else None
    for key, value in document.items():
        path = f"{where}.{key}"
        if key in OPAQUE_KEYS:
            continue
        if key == "currency":
            if not (isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value)):
                problems.append(f"{path}: not an ISO 4217 code: {value!r}")
            continue
        if changes and isinstance(value, dict):
            walk(value, path, problems)  # an object inside a change (the ROAS explanation), like normalise
        elif changes:
            check(value, "pp" if key.endswith("_pp") else "ratio", path, problems)
        elif key == "change" and isinstance(value, dict):
            walk(value, path, problems, changes=True)
        elif metric and key in METRIC_VALUE_KEYS and not isinstance(value, dict):
            check(value, metric_kind(metric), path, problems)
        elif isinstance(value, dict | list) and not (isinstance(value, list) and kind_of(key)):
            if isinstance(value, dict) and "values" in value and kind_of(key):
                check(value["values"], metric_kind(key), f"{path}.values", problems)
                walk({k: v for k, v in value.items() if k != "values"}, path, problems)
            else:
                walk(value, path, problems)
        else:
            check(value, kind_of(key), path, problems)
        if isinstance(value, float):
            problems.append(f"{path}: a JSON float ({value!r}) in a response")


@pytest.fixture
def seeded(owner_conn, worker_db, settings):
    acme = standard_client(owner_conn)
    owner_conn.execute("UPDATE clients SET currency = 'EUR' WHERE id = %s", (acme.id,))
    from shared.db import Tenant

    with worker_db.transaction(tenant=Tenant.client(acme.id)) as conn:
        build_weekly(conn, client_id=acme.id, week_start=date(2026, 3, 9), settings=settings)
        build_monthly(conn, client_id=acme.id, month_start=date(2026, 3, 1), settings=settings)
    # a document stored before the convention (unrounded, 10-place ratios) reads like a new one
    old = {
        "previous": {"spend": "68693.0467500", "cpa": "29.5120464877", "ctr": "0.0042", "impressions": 10},
        "change": {"spend": "0.1", "ctr_pp": "0.0123456789"},
    }
    owner_conn.execute(
        "INSERT INTO weekly_summaries (client_id, week_start, week_end, impressions, days_with_data, deltas,"
        " top_campaigns) VALUES (%s, '2026-03-02', '2026-03-08', 100, 7, %s::jsonb, %s::jsonb)",
        (acme.id, json.dumps(old), json.dumps([{"name": "Old", "spend": "1.234567", "cpc": "0.048", "rank": 1}])),
    )
    return acme


def _get_paths() -> list[str]:
    paths = openapi_document()["paths"]
    return sorted(path for path, item in paths.items() if "get" in item)


def test_every_get_route_answers_in_the_number_convention(api, admin_user, seeded):
    acme = seeded
    values = {
        "client_id": str(acme.id),
        "week_start": "2026-03-02",
        "month_start": "2026-03-01",
    }
    checked = []
    problems: list[str] = []
    for template in _get_paths():
        if template.endswith((".csv", ".pdf", "/logo")) or template in ("/openapi.json", "/health"):
            continue
        if "{" in template and not all(name in values for name in re.findall(r"{(\w+)}", template)):
            continue  # ids of other resources (users, runs): their routes hold no metrics
        path = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], template)
        declared = {p["name"] for p in openapi_document()["paths"][template]["get"].get("parameters", [])}
        query = QUERY if "from" in declared and "summaries" not in path else None
        response = api.get(path, query=query, token=admin_user.token)
        assert response.status == 200, (path, response.body)
        walk(response.json(), path, problems)
        checked.append(template)
    assert not problems, "\n".join(problems[:40])
    # the walk covered every client-scoped route, and each carries the currency
    for route in ("overview", "campaigns", "creatives", "timeseries", "insights", "summaries/weekly/{week_start}"):
        assert any(t.endswith(route) for t in checked), route
    assert api.get(f"/clients/{acme.id}/overview", query=QUERY, token=admin_user.token).json()["currency"] == "EUR"
    listed = api.get("/clients", token=admin_user.token).json()["items"]
    assert [c["currency"] for c in listed] == ["EUR"]


def test_the_walker_catches_a_break_of_the_convention():
    problems: list[str] = []
    walk(
        {"spend": "1.2", "cpc": "0.80", "ctr": 0.5, "impressions": "10", "change": {"ctr_pp": "1"}},
        "$",
        problems,
    )
    assert len(problems) == 6  # five bad shapes, one float


def test_stored_documents_are_re_rendered_in_the_convention(api, admin_user, seeded):
    body = api.get(f"/clients/{seeded.id}/summaries/weekly/2026-03-02", token=admin_user.token).json()
    assert body["deltas"]["previous"] == {"spend": "68693.05", "cpa": "29.5120", "ctr": "0.004200", "impressions": 10}
    assert body["deltas"]["change"] == {"spend": "0.100000", "ctr_pp": "0.012346"}
    assert body["top_campaigns"][0] | {} == {"name": "Old", "spend": "1.23", "cpc": "0.0480", "rank": 1}


def test_admin_sets_and_validates_the_currency(api, admin_user):
    created = api.post(
        "/admin/clients", body={"name": "Yen Co", "slug": "yen-co", "currency": "jpy"}, token=admin_user.token
    )
    assert created.status == 200 or created.status == 201, created.body
    assert created.json()["currency"] == "JPY"
    default = api.post("/admin/clients", body={"name": "Dollar Co", "slug": "dollar-co"}, token=admin_user.token)
    assert default.json()["currency"] == "USD"
    client_id = default.json()["id"]
    for bad in ("XYZ", "EURO", "", "€", 12, None):
        response = api.patch(f"/admin/clients/{client_id}", body={"currency": bad}, token=admin_user.token)
        if bad is None:
            assert response.status == 200  # null leaves it unchanged
            assert response.json()["currency"] == "USD"
        else:
            assert response.status in (400, 422), (bad, response.body)
            assert "currency" in response.body
    changed = api.patch(f"/admin/clients/{client_id}", body={"currency": "GBP"}, token=admin_user.token)
    assert changed.status == 200 and changed.json()["currency"] == "GBP"
    # the default may also be given explicitly (the admin portal always sends it)
    back = api.patch(f"/admin/clients/{client_id}", body={"currency": "usd"}, token=admin_user.token)
    assert back.status == 200 and back.json()["currency"] == "USD"


def test_every_currency_with_a_symbol_is_a_valid_code() -> None:
    from shared.numbers.currency import DEFAULT_CURRENCY, SYMBOLS, is_currency

    assert is_currency(DEFAULT_CURRENCY)
    assert [code for code in SYMBOLS if not is_currency(code)] == []
