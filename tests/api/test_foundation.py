"""The API foundation: error format, health, OpenAPI declarations, bearer parsing, scopes."""

from __future__ import annotations

import json
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


def _resolver_with(route: Any, settings: Any = None) -> Any:
    from aws_lambda_powertools.event_handler.router import Router

    from shared.api.app import create_resolver
    from shared.api.openapi import api_doc

    router = Router()
    router.get("/boom", **api_doc(public=True))(route)
    return create_resolver(router, settings=settings)


def _resolve(app: Any, event: dict[str, Any]) -> dict[str, Any]:
    from tests.api.conftest import LambdaContextStub

    return app.resolve(event, LambdaContextStub())


def test_unexpected_errors_are_a_generic_500_without_details(settings_env: Any) -> None:
    def boom() -> dict[str, str]:
        raise RuntimeError("secret detail: password=hunter2")

    result = _resolve(_resolver_with(boom), api_event("GET", "/boom"))
    assert result["statusCode"] == 500
    assert result["body"] == '{"message":"internal error"}'


def test_powertools_refusing_a_content_type_is_a_415_not_a_500(settings_env: Any) -> None:
    # the strict input layer answers first on every registered route; this is the net under it
    from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType

    refused = RequestUnsupportedContentType("Unsupported content type", errors=[])
    result = _resolve(_resolver_with(_raiser(refused)), api_event("GET", "/boom"))
    assert result["statusCode"] == 415
    assert json.loads(result["body"]) == {"message": "the request body must be JSON (Content-Type: application/json)"}


def _raiser(error: Exception) -> Any:
    def raising() -> dict[str, str]:  # no parameters: Powertools would treat them as query params
        raise error

    return raising


def test_domain_errors_map_through_the_table(settings_env: Any) -> None:
    from shared.errors import Conflict, DatabaseUnavailable, InvalidInput, TooManyRequests

    cases = [
        (InvalidInput("bad thing"), 400, {"message": "bad thing"}, None),
        (Conflict("taken"), 409, {"message": "taken"}, None),
        (TooManyRequests("slow down", retry_after=42), 429, {"message": "slow down"}, "42"),
        (
            DatabaseUnavailable("db host 10.0.0.1 down"),
            503,
            {"message": "service temporarily unavailable, retry later"},
            "5",
        ),
    ]
    for error, status, body, retry_after in cases:
        result = _resolve(_resolver_with(_raiser(error)), api_event("GET", "/boom"))
        assert result["statusCode"] == status
        assert json.loads(result["body"]) == body
        headers = {
            **(result.get("headers") or {}),
            **{k: v[0] for k, v in (result.get("multiValueHeaders") or {}).items()},
        }
        assert headers.get("Retry-After") == retry_after


def test_database_down_is_503(api: ApiClient, client_user: Any) -> None:
    from shared.api import deps
    from shared.db import Database

    deps.use_database(Database("host=127.0.0.1 port=9 dbname=nothing connect_timeout=1"))
    response = api.get("/me", token=client_user.token)
    assert response.status == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json() == {"message": "service temporarily unavailable, retry later"}


def test_cors_only_for_configured_origins(settings_env: Any) -> None:
    from shared.settings import Settings

    configured = Settings(cors_origins=["https://dash.example.com"])

    def ok() -> dict[str, str]:
        return {"ok": "yes"}

    app = _resolver_with(ok, settings=configured)
    allowed = _resolve(app, api_event("GET", "/boom", headers={"Origin": "https://dash.example.com"}))
    headers = {k: v[0] for k, v in (allowed.get("multiValueHeaders") or {}).items()} | (allowed.get("headers") or {})
    assert headers["Access-Control-Allow-Origin"] == "https://dash.example.com"
    other = _resolve(app, api_event("GET", "/boom", headers={"Origin": "https://evil.example.com"}))
    other_headers = {k: v[0] for k, v in (other.get("multiValueHeaders") or {}).items()} | (other.get("headers") or {})
    assert "Access-Control-Allow-Origin" not in other_headers
    none = _resolve(
        _resolver_with(ok, settings=Settings()),
        api_event("GET", "/boom", headers={"Origin": "https://dash.example.com"}),
    )
    assert "Access-Control-Allow-Origin" not in ((none.get("headers") or {}) | (none.get("multiValueHeaders") or {}))


def test_cors_preflight_needs_no_token(settings_env: Any) -> None:
    from shared.api.app import create_resolver
    from shared.api.routes import admin
    from shared.settings import Settings

    app = create_resolver(admin.router, settings=Settings(cors_origins=["https://dash.example.com"]))
    event = api_event(
        "OPTIONS",
        "/admin/clients",
        headers={"Origin": "https://dash.example.com", "Access-Control-Request-Method": "POST"},
    )
    result = _resolve(app, event)
    headers = {k: v[0] for k, v in (result.get("multiValueHeaders") or {}).items()} | (result.get("headers") or {})
    assert result["statusCode"] == 204
    assert headers["Access-Control-Allow-Origin"] == "https://dash.example.com"
    assert "Authorization" in headers["Access-Control-Allow-Headers"]
