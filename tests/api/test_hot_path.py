"""The hot routes' shortcuts keep every per-request check: Powertools' dependency trees are
built once per process (`shared.api.app.cache_dependency_trees`), the principal still once
per request, so a revoked session is refused at its next request."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import depends

from shared.api.routes import clients
from tests.api.conftest import ApiClient


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
