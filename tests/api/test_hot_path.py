"""The hot routes' shortcuts keep every per-request check: Powertools' dependency trees are
built once per process (`shared.api.app.cache_dependency_trees`), its scalar-parameter
checks answered once per parameter (`cache_scalar_field_checks`), a verified token
remembered (`shared.auth.tokens`), and the principal still loaded once per request, so a
revoked session is refused at its next request."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import depends
from aws_lambda_powertools.event_handler.middlewares import openapi_validation

from shared.api.app import create_resolver
from shared.api.routes import admin, auth, clients, ledger, meta
from tests.api.conftest import ApiClient


def test_remembered_scalar_checks_answer_as_powertools_does_for_every_parameter(api: ApiClient) -> None:
    app = create_resolver(clients.router, admin.router, auth.router, ledger.router, meta.router)
    remembered = openapi_validation.is_scalar_field
    assert getattr(remembered, "remembers", False)
    original = remembered.original  # type: ignore[attr-defined]
    params = [
        param
        for route in app._static_routes + app._dynamic_routes
        for param in route.dependant.query_params + route.dependant.header_params
    ]
    assert len(params) > 20  # the routes' paging, sorting, range and filter parameters
    for _ in range(2):  # the first answer is computed, the second remembered
        assert [remembered(param) for param in params] == [original(param) for param in params]


def test_dependency_trees_are_built_once_and_sessions_still_checked_per_request(
    api: ApiClient, client_user: Any, owner_conn: Any
) -> None:
    path = f"/clients/{client_user.client_id}/campaigns"
    assert api.get(path, token=client_user.token).status == 200
    assert hasattr(depends.build_dependency_tree, "cache_info")
    assert depends.build_dependency_tree(clients.campaigns) is depends.build_dependency_tree(clients.campaigns)
    hits = depends.build_dependency_tree.cache_info().hits  # type: ignore[attr-defined]
    assert api.get(path, token=client_user.token).status == 200
    assert depends.build_dependency_tree.cache_info().hits > hits  # type: ignore[attr-defined]
    # logout everywhere (what a password reset or a role change does): the next request is refused
    owner_conn.execute("UPDATE users SET session_version = session_version + 1 WHERE id = %s", (client_user.id,))
    refused = api.get(path, token=client_user.token)
    assert refused.status == 401, refused.body
