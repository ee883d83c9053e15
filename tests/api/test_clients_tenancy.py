"""Every /clients/{client_id} operation of the published OpenAPI document answers 404 to a
client user for another client's id, exactly as for an id that does not exist."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.dashboard.data import day, globex_client, standard_client

PATH_VALUES = {"week_start": "2026-03-02", "month_start": "2026-03-01"}
QUERY = {"from": day(0).isoformat(), "to": day(13).isoformat(), "level": "campaign"}


@pytest.fixture
def client_paths(api):
    response = api.get("/openapi.json")
    assert response.status == 200, response.body
    paths = [
        (path, method.upper())
        for path, operations in response.json()["paths"].items()
        if path.startswith("/clients/{client_id}")
        for method in operations
    ]
    # Only the query parameters each operation declares (an unknown one is a 400).
    DECLARED.update(
        {
            (path, method.upper()): {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            for path, operations in response.json()["paths"].items()
            for method, operation in operations.items()
        }
    )
    return paths


DECLARED: dict[tuple[str, str], set[str]] = {}


def _query(path: str, method: str) -> dict[str, str]:
    return {name: value for name, value in QUERY.items() if name in DECLARED[(path, method)]}


def _fill(path: str, client_id: object) -> str:
    filled = path.replace("{client_id}", str(client_id))
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], filled)


def test_the_document_lists_every_client_route(client_paths):
    paths = {path for path, _ in client_paths}
    for suffix in (
        "overview",
        "campaigns",
        "strategies",
        "placements",
        "creatives",
        "timeseries",
        "summaries/weekly",
        "summaries/weekly/{week_start}",
        "summaries/monthly",
        "summaries/monthly/{month_start}",
        "insights",
        "export.csv",
        "report.pdf",
        "branding",
        "branding/logo",
    ):
        assert f"/clients/{{client_id}}/{suffix}" in paths


def test_every_client_route_is_404_for_another_clients_id(api, make_user, owner_conn, client_paths):
    acme, globex = standard_client(owner_conn), globex_client(owner_conn)
    # both clients have summaries, so a 404 cannot come from a missing summary
    for client in (acme, globex):
        owner_conn.execute(
            "INSERT INTO weekly_summaries (client_id, week_start, week_end) VALUES (%s, '2026-03-02', '2026-03-08')",
            (client.id,),
        )
        owner_conn.execute(
            "INSERT INTO monthly_summaries (client_id, month_start, month_end) VALUES (%s, '2026-03-01', '2026-03-31')",
            (client.id,),
        )
        # and logos, so a 404 cannot come from a missing logo
        owner_conn.execute(
            "INSERT INTO client_branding (client_id, logo, logo_content_type, logo_sha256)"
            " VALUES (%s, '\\x89504e47', 'image/png', repeat('a', 64))",
            (client.id,),
        )
    user = make_user(role="client", client_id=acme.id)
    missing = uuid.uuid4()
    assert len(client_paths) >= 13
    for path, method in client_paths:
        query = _query(path, method)
        own = api.request(method, _fill(path, acme.id), token=user.token, query=query)
        assert own.status == 200, (path, own.status, own.body)
        other = api.request(method, _fill(path, globex.id), token=user.token, query=query)
        absent = api.request(method, _fill(path, missing), token=user.token, query=query)
        assert other.status == absent.status == 404, (path, other.status, absent.status)
        assert other.body == absent.body, path
        assert "Globex" not in other.body


def test_a_malformed_client_id_is_404_too(api, make_user, owner_conn):
    acme = standard_client(owner_conn)
    user = make_user(role="client", client_id=acme.id)
    for bad in ("not-a-uuid", "1", "' OR 1=1 --"):
        response = api.get(f"/clients/{bad}/overview", token=user.token, query={"from": QUERY["from"]})
        assert response.status == 404, (bad, response.body)


def test_the_operations_declare_security_and_error_responses(api):
    document = api.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        if not path.startswith("/clients"):
            continue
        for operation in operations.values():
            assert operation.get("security"), path
            assert {"400", "401", "404"} <= set(operation["responses"]), path
