"""Every admin operation, taken from the OpenAPI document: 401 without a token, 403 for a client user."""

from __future__ import annotations

import re
import uuid
from typing import Any

from shared.api.routes.meta import openapi_document
from tests.api.conftest import ApiClient, ApiUser


def _admin_operations() -> list[tuple[str, str]]:
    document = openapi_document()
    operations = [
        (method.upper(), path)
        for path, item in document["paths"].items()
        if path.startswith("/admin")
        for method in item
    ]
    assert len(operations) >= 17  # SPEC §8 lists 17 admin operations; new ones are covered automatically
    return sorted(operations)


ADMIN_OPERATIONS = _admin_operations()


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


def test_client_user_gets_403_everywhere(api: ApiClient, client_user: ApiUser) -> None:
    # One test over all operations (no database work happens before the 403).
    for method, path in ADMIN_OPERATIONS:
        response = api.request(method, _concrete(path), token=client_user.token, body={})
        assert response.status == 403, (method, path, response.body)
        assert response.json() == {"message": "this operation requires the admin role"}


def test_no_token_gets_401_everywhere(api: ApiClient) -> None:
    # One test over all operations (no database work happens before the 401).
    for method, path in ADMIN_OPERATIONS:
        response = api.request(method, _concrete(path), body={})
        assert response.status == 401, (method, path, response.body)


def test_every_operation_declares_security_and_errors() -> None:
    document = openapi_document()
    public = {("/health", "get"), ("/openapi.json", "get"), ("/auth/login", "post"), ("/auth/refresh", "post")}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses: dict[str, Any] = operation["responses"]
            assert {"400", "500"} <= set(responses), (method, path)
            assert "422" not in responses, (method, path)  # invalid input is a 400 everywhere
            assert ("415" in responses) == ("requestBody" in operation), (method, path)
            if (path, method) in public:
                assert "security" not in operation, (method, path)
            else:
                assert operation.get("security") == [{"bearerAuth": []}], (method, path)
                assert {"401", "403", "404"} <= set(responses), (method, path)
            if path.startswith("/admin"):
                assert operation.get("x-required-role") == "admin", (method, path)
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_openapi_is_served_publicly_and_covers_every_area(api: ApiClient) -> None:
    response = api.get("/openapi.json")
    assert response.status == 200
    paths = response.json()["paths"]
    assert "/auth/login" in paths
    assert "/admin/clients/{client_id}/cpm" in paths
    assert "/me/password" in paths
    assert any(path.startswith("/clients") for path in paths)  # the dashboard router, when present
