"""The API foundation: error format, health, OpenAPI declarations, bearer parsing, scopes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared.api.security import Principal, bearer_token, client_scope, require_admin
from shared.db import Tenant
from shared.errors import Forbidden, NotFound, Unauthenticated
from tests.api.conftest import ApiClient, api_event, invoke


def test_health_is_public(api: ApiClient) -> None:
    response = api.get("/health")
    assert response.status == 200
    assert response.json() == {"status": "ok"}


def test_unknown_route_uses_the_error_format(api: ApiClient) -> None:
    response = invoke("api_auth", api_event("GET", "/auth/nope"))
    assert response.status == 404
    assert set(response.json()) == {"message"}


def test_me_requires_a_token(api: ApiClient) -> None:
    response = api.get("/me")
    assert response.status == 401
    assert response.json() == {"message": "missing access token"}


def test_login_and_me(api: ApiClient, client_user: Any) -> None:
    response = api.get("/me", token=client_user.token)
    assert response.status == 200, response.body
    assert response.json() == {
        "id": client_user.id,
        "email": client_user.email,
        "role": "client",
        "client_id": client_user.client_id,
    }


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic abc", "bearer" + " x" * 3000, "Token abc"],
)
def test_bearer_token_rejects_malformed_headers(header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    with pytest.raises(Unauthenticated):
        bearer_token(headers)


def test_bearer_token_header_name_is_case_insensitive() -> None:
    assert bearer_token({"authorization": "Bearer abc"}) == "abc"
    assert bearer_token({"AUTHORIZATION": "bearer  abc "}) == "abc"


def _principal(role: str, client_id: uuid.UUID | None) -> Principal:
    return Principal(user_id=uuid.uuid4(), role=role, client_id=client_id, session_version=1)


def test_client_scope() -> None:
    own, other = uuid.uuid4(), uuid.uuid4()
    client = _principal("client", own)
    admin = _principal("admin", None)
    assert client_scope(client, own) == Tenant.client(own)
    assert client_scope(client, str(own)) == Tenant.client(own)
    assert client_scope(admin, other) == Tenant.client(other)
    with pytest.raises(NotFound):
        client_scope(client, other)
    with pytest.raises(NotFound):
        client_scope(client, "not-a-uuid")
    with pytest.raises(Forbidden):
        require_admin(client)
    assert require_admin(admin) is admin
