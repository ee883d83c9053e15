"""Responses are counted by status class in one place (`shared.api.app.serve`): a 4xx is never a
server error, only a real fault is. Read from the EMF lines the real handlers print."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.api import deps
from shared.db import Database
from tests.api.conftest import ApiClient, ApiUser, api_event, invoke


def _counted(capsys: pytest.CaptureFixture[str]) -> dict[str, float]:
    """The metrics flushed by the handlers since the last call, summed by name."""
    totals: dict[str, float] = {}
    for line in capsys.readouterr().out.splitlines():
        if not line.startswith("{"):
            continue
        document = json.loads(line)
        if "_aws" not in document:
            continue
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = document[metric["Name"]]
                totals[metric["Name"]] = totals.get(metric["Name"], 0) + sum(
                    value if isinstance(value, list) else [value]
                )
    return totals


def _hostile_requests(admin: ApiUser) -> list[tuple[str, dict[str, Any], int]]:
    return [
        ("api_auth", api_event("POST", "/auth/login", body={"email": "a\x00@example.com", "password": "x"}), 400),
        ("api_auth", api_event("POST", "/auth/login", raw_body="[" * 100_000), 400),
        ("api_auth", api_event("POST", "/auth/login", body={"email": "nobody@example.com", "password": "x"}), 401),
        (
            "api_auth",
            api_event("POST", "/auth/login", raw_body="x", headers={"Content-Type": "text/plain"}),
            415,
        ),
        ("api_clients", api_event("GET", "/clients", query={"limit": "²"}, token=admin.token), 400),
        ("api_clients", api_event("GET", "/clients", query={"offset": "9" * 5000}, token=admin.token), 400),
        ("api_clients", api_event("GET", "/clients"), 401),
        ("api_admin", api_event("DELETE", "/admin/clients", token=admin.token), 405),
        ("api_admin", api_event("GET", "/admin/nothing-here", token=admin.token), 404),
    ]


def test_client_errors_are_counted_as_client_errors_never_as_server_errors(
    api: ApiClient, admin_user: ApiUser, capsys: pytest.CaptureFixture[str]
) -> None:
    requests = _hostile_requests(admin_user)
    _counted(capsys)  # forget the fixtures' own logins
    for function, event, status in requests:
        response = invoke(function, event)
        assert response.status == status, (event["path"], response.body)
    counted = _counted(capsys)
    assert counted.get("ApiResponses") == len(requests)
    assert counted.get("ApiClientErrors") == len(requests)
    assert "ApiServerErrors" not in counted


def test_a_success_is_only_a_response(api: ApiClient, admin_user: ApiUser, capsys: pytest.CaptureFixture[str]) -> None:
    _counted(capsys)
    assert api.get("/clients", token=admin_user.token).status == 200
    assert _counted(capsys) == {"ApiResponses": 1}


def test_a_real_fault_is_counted_once_as_a_server_error(
    api: ApiClient, admin_user: ApiUser, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a database that cannot be reached (nothing listens on port 9)
    unreachable = Database("postgresql://dash_api@127.0.0.1:9/nothing?connect_timeout=1")
    deps.use_database(unreachable)
    _counted(capsys)
    try:
        response = api.post("/auth/login", body={"email": admin_user.email, "password": admin_user.password})
    finally:
        unreachable.close()
    assert response.status == 503, response.body
    assert _counted(capsys) == {"ApiResponses": 1, "ApiServerErrors": 1}
