"""Fixtures for API tests: proxy events, invoking the real handlers, users and tokens.

Typical use (also by the dashboard tests in this directory)::

    def test_overview(api, make_client, make_user):
        client = make_client("Acme", "acme")                      # via owner_conn
        user = make_user(role="client", client_id=client["id"])   # logs in for real
        response = api.get(f"/clients/{client['id']}/overview", token=user.token,
                           query={"from": "2026-01-01", "to": "2026-01-31"})
        assert response.status == 200, response.body
        assert response.json()["totals"]["impressions"] == ...

- `api_event(method, path, ...)` builds an API Gateway REST proxy event from
  `events/api_gateway_proxy.json`.
- `api` (an `ApiClient`) sends it to the handler that serves the path in AWS
  (`infra.constants.api_function_for`) with the API settings and `Database` (as the
  `dash_api` role) of this test installed through `shared.api.deps`.
- `make_client(name, slug)` inserts a client; `make_user(role=..., client_id=...)` creates a
  user and logs it in through `/auth/login`, returning an `ApiUser` (`id`, `email`,
  `password`, `token`, `refresh_token`, `headers`); `admin_user` / `client_user` are ready-made.
"""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest

from infra.constants import api_function_for
from shared.api import deps
from shared.db import Database
from shared.settings import Settings
from tests.conftest import load_event

DEFAULT_PASSWORD = "correct horse battery staple"


def api_event(
    method: str,
    path: str,
    *,
    query: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    body: Any = None,
    token: str | None = None,
    raw_body: str | None = None,
) -> dict[str, Any]:
    """An API Gateway REST proxy event; `body` is JSON-encoded, `raw_body` sent as is."""
    event = load_event("api_gateway_proxy.json")
    event["httpMethod"] = method.upper()
    event["requestContext"]["httpMethod"] = method.upper()
    event["path"] = path
    event["requestContext"]["path"] = "/prod" + path
    event["pathParameters"] = {"proxy": path.lstrip("/")}
    event["requestContext"]["requestId"] = str(uuid.uuid4())
    all_headers = dict(event["headers"])
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    if body is not None or raw_body is not None:
        all_headers["Content-Type"] = "application/json"
        event["body"] = raw_body if raw_body is not None else json.dumps(body)
    all_headers.update(headers or {})
    event["headers"] = all_headers
    event["multiValueHeaders"] = {name: [value] for name, value in all_headers.items()}
    if query:
        params = {key: str(value) for key, value in query.items() if value is not None}
        event["queryStringParameters"] = params
        event["multiValueQueryStringParameters"] = {key: [value] for key, value in params.items()}
    return event


@dataclass
class LambdaContextStub:
    function_name: str = "api-test"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:api-test"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: str
    raw: dict[str, Any]

    def json(self) -> Any:
        return json.loads(self.body)


def invoke(function: str, event: dict[str, Any]) -> ApiResponse:
    """Run `functions/<function>/handler.py` on an event, as Lambda would."""
    module = importlib.import_module(f"functions.{function}.handler")
    result = module.lambda_handler(event, LambdaContextStub(function_name=function))
    headers = dict(result.get("headers") or {})
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.setdefault(name, values[-1])
    return ApiResponse(status=result["statusCode"], headers=headers, body=result.get("body") or "", raw=result)


class ApiClient:
    """Sends requests to the handler serving each path (as API Gateway would route it)."""

    def request(self, method: str, path: str, **kwargs: Any) -> ApiResponse:
        function = api_function_for(path.split("?")[0])
        if function is None:
            raise AssertionError(f"no API function serves {path}")
        return invoke(function, api_event(method, path, **kwargs))

    def get(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    """The test settings (test DB, JWT_SECRET, BCRYPT_ROUNDS=4) as the API sees them."""
    return settings


@pytest.fixture
def api(api_settings: Settings, api_db: Database) -> Iterator[ApiClient]:
    """An `ApiClient` whose handlers use this test's database as the dash_api role."""
    deps.use_settings(api_settings)
    deps.use_database(api_db)
    try:
        yield ApiClient()
    finally:
        deps.reset()


@pytest.fixture
def make_client(owner_conn: psycopg.Connection[Any]) -> Any:
    """`make_client(name, slug=None, status="active") -> dict` inserts a client (owner role)."""

    def _make(name: str = "Acme Outdoor", slug: str | None = None, status: str = "active") -> dict[str, Any]:
        slug = slug or name.lower().replace(" ", "-")
        return owner_conn.execute(
            "INSERT INTO clients (name, slug, status) VALUES (%s, %s, %s) RETURNING *", (name, slug, status)
        ).fetchone()

    return _make


@dataclass
class ApiUser:
    id: str
    email: str
    password: str
    role: str
    client_id: str | None
    token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_user(api: ApiClient, api_db: Database, api_settings: Settings) -> Any:
    """`make_user(role="client", client_id=None, email=None, password=None, login=True) -> ApiUser`."""
    from shared.admin.users import create_user_record

    def _make(
        role: str = "client",
        client_id: Any = None,
        email: str | None = None,
        password: str = DEFAULT_PASSWORD,
        login: bool = True,
    ) -> ApiUser:
        email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        user = create_user_record(
            api_db, email=email, role=role, client_id=client_id, password=password, settings=api_settings
        )
        token = refresh_token = ""
        if login:
            response = api.post("/auth/login", body={"email": email, "password": password})
            assert response.status == 200, response.body
            token, refresh_token = response.json()["access_token"], response.json()["refresh_token"]
        return ApiUser(
            id=str(user["id"]),
            email=email,
            password=password,
            role=role,
            client_id=str(client_id) if client_id else None,
            token=token,
            refresh_token=refresh_token,
        )

    return _make


@pytest.fixture
def admin_user(make_user: Any) -> ApiUser:
    """A logged-in admin."""
    return make_user(role="admin")


@pytest.fixture
def client_user(make_user: Any, make_client: Any) -> ApiUser:
    """A logged-in client user of a fresh client ("Client One", slug client-one)."""
    client = make_client("Client One", "client-one")
    return make_user(role="client", client_id=client["id"])
