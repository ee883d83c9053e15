"""Admin: user accounts, and the revocation that role changes, disabling and resets cause."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.api.conftest import ApiClient, ApiUser


def test_create_user_with_and_without_password(api: ApiClient, admin_user: ApiUser, make_client: Any) -> None:
    client = make_client("Acme", "acme")
    with_password = api.post(
        "/admin/users",
        token=admin_user.token,
        body={
            "email": "ann@example.com",
            "role": "client",
            "client_id": str(client["id"]),
            "password": "ann's long password",
        },
    )
    assert with_password.status == 201, with_password.body
    assert with_password.json()["temporary_password"] is None
    assert with_password.json()["client_id"] == str(client["id"])
    assert "password_hash" not in with_password.json()

    generated = api.post("/admin/users", token=admin_user.token, body={"email": "bob@example.com", "role": "admin"})
    assert generated.status == 201, generated.body
    temporary = generated.json()["temporary_password"]
    assert temporary and len(temporary) >= 16
    assert api.post("/auth/login", body={"email": "bob@example.com", "password": temporary}).status == 200
    assert api.post("/auth/login", body={"email": "ann@example.com", "password": "ann's long password"}).status == 200

    listed = api.get("/admin/users", token=admin_user.token, query={"role": "client"}).json()
    assert [user["email"] for user in listed["items"]] == ["ann@example.com"]
    assert listed["total"] == 1
    by_client = api.get("/admin/users", token=admin_user.token, query={"client_id": str(client["id"])}).json()
    assert by_client["total"] == 1
    got = api.get(f"/admin/users/{with_password.json()['id']}", token=admin_user.token)
    assert got.status == 200
    assert got.json()["email"] == "ann@example.com"


CREATE_USER_ERRORS: list[tuple[dict[str, Any], int]] = [
    ({"email": "x@example.com", "role": "client"}, 400),  # a client user needs a client
    ({"email": "x@example.com", "role": "admin", "client_id": "CLIENT"}, 400),
    ({"email": "x@example.com", "role": "client", "client_id": str(uuid.uuid4())}, 400),
    ({"email": "x@example.com", "role": "admin", "password": "short"}, 400),
    ({"email": "x@example.com", "role": "admin", "password": "é" * 40}, 400),  # 80 bytes
    ({"email": "not-an-email", "role": "admin"}, 400),
    ({"email": "x@example.com", "role": "owner"}, 400),
    ({"email": "x@example.com", "role": "admin", "disabled": True}, 400),
]


def test_create_user_errors(api: ApiClient, admin_user: ApiUser, make_client: Any, owner_conn: Any) -> None:
    client = make_client("Acme", "acme")
    for body, status in CREATE_USER_ERRORS:
        if body.get("client_id") == "CLIENT":
            body = {**body, "client_id": str(client["id"])}
        response = api.post("/admin/users", token=admin_user.token, body=body)
        assert response.status == status, (body, response.body)
    assert owner_conn.execute("SELECT count(*) AS n FROM users").fetchone()["n"] == 1  # only the admin


def test_duplicate_email_is_409_case_insensitively(api: ApiClient, admin_user: ApiUser) -> None:
    response = api.post(
        "/admin/users", token=admin_user.token, body={"email": admin_user.email.upper(), "role": "admin"}
    )
    assert response.status == 409


def test_unknown_user_is_404(api: ApiClient, admin_user: ApiUser) -> None:
    missing = uuid.uuid4()
    assert api.get(f"/admin/users/{missing}", token=admin_user.token).status == 404
    assert api.patch(f"/admin/users/{missing}", token=admin_user.token, body={"disabled": True}).status == 404
    assert api.post(f"/admin/users/{missing}/reset-password", token=admin_user.token).status == 404


def _alive(api: ApiClient, user: ApiUser) -> bool:
    return api.get("/me", token=user.token).status == 200


def test_disabling_revokes_sessions_and_blocks_login(api: ApiClient, admin_user: ApiUser, client_user: ApiUser) -> None:
    response = api.patch(f"/admin/users/{client_user.id}", token=admin_user.token, body={"disabled": True})
    assert response.status == 200, response.body
    assert response.json()["disabled"] is True
    assert not _alive(api, client_user)
    assert api.post("/auth/refresh", body={"refresh_token": client_user.refresh_token}).status == 401
    assert api.post("/auth/login", body={"email": client_user.email, "password": client_user.password}).status == 401
    api.patch(f"/admin/users/{client_user.id}", token=admin_user.token, body={"disabled": False})
    assert api.post("/auth/login", body={"email": client_user.email, "password": client_user.password}).status == 200


def test_role_change_revokes_sessions(api: ApiClient, admin_user: ApiUser, client_user: ApiUser) -> None:
    response = api.patch(f"/admin/users/{client_user.id}", token=admin_user.token, body={"role": "admin"})
    assert response.status == 200, response.body
    assert response.json()["role"] == "admin"
    assert response.json()["client_id"] is None
    assert not _alive(api, client_user)


def test_client_change_revokes_sessions(
    api: ApiClient, admin_user: ApiUser, client_user: ApiUser, make_client: Any
) -> None:
    other = make_client("Other", "other")
    response = api.patch(f"/admin/users/{client_user.id}", token=admin_user.token, body={"client_id": str(other["id"])})
    assert response.status == 200
    assert response.json()["client_id"] == str(other["id"])
    assert not _alive(api, client_user)


def test_a_no_op_patch_keeps_sessions(api: ApiClient, admin_user: ApiUser, client_user: ApiUser) -> None:
    response = api.patch(f"/admin/users/{client_user.id}", token=admin_user.token, body={"role": "client"})
    assert response.status == 200
    assert _alive(api, client_user)


@pytest.mark.parametrize(
    "body",
    [{"role": "client"}, {"client_id": None, "role": "client"}, {"email": "new@example.com"}, {"disabled": "maybe"}],
)
def test_patch_user_errors(api: ApiClient, admin_user: ApiUser, make_user: Any, body: dict[str, Any]) -> None:
    other_admin = make_user(role="admin", login=False)
    response = api.patch(f"/admin/users/{other_admin.id}", token=admin_user.token, body=body)
    assert response.status in (400, 400), response.body


def test_admin_cannot_lock_itself_out(api: ApiClient, admin_user: ApiUser) -> None:
    assert api.patch(f"/admin/users/{admin_user.id}", token=admin_user.token, body={"disabled": True}).status == 400
    assert _alive(api, admin_user)


def test_reset_password_revokes_sessions(api: ApiClient, admin_user: ApiUser, client_user: ApiUser) -> None:
    response = api.post(f"/admin/users/{client_user.id}/reset-password", token=admin_user.token)
    assert response.status == 200, response.body
    temporary = response.json()["temporary_password"]
    assert not _alive(api, client_user)
    assert api.post("/auth/refresh", body={"refresh_token": client_user.refresh_token}).status == 401
    assert api.post("/auth/login", body={"email": client_user.email, "password": client_user.password}).status == 401
    assert api.post("/auth/login", body={"email": client_user.email, "password": temporary}).status == 200


def test_disabled_client_locks_out_its_users(api: ApiClient, admin_user: ApiUser, client_user: ApiUser) -> None:
    assert (
        api.patch(f"/admin/clients/{client_user.client_id}", token=admin_user.token, body={"status": "disabled"}).status
        == 200
    )
    assert not _alive(api, client_user)


def test_re_enabling_a_client_never_revives_its_old_sessions(
    api: ApiClient, admin_user: ApiUser, client_user: ApiUser
) -> None:
    # given a client user's tokens from before the client is disabled
    client_url = f"/admin/clients/{client_user.client_id}"
    assert api.patch(client_url, token=admin_user.token, body={"status": "disabled"}).status == 200

    # when the client is enabled again
    assert api.patch(client_url, token=admin_user.token, body={"status": "active"}).status == 200

    # then the old access and refresh tokens stay refused, a new login works
    assert not _alive(api, client_user)
    assert api.post("/auth/refresh", body={"refresh_token": client_user.refresh_token}).status == 401
    login = api.post("/auth/login", body={"email": client_user.email, "password": client_user.password})
    assert login.status == 200, login.body
    assert api.get("/me", token=login.json()["access_token"]).status == 200
    assert _alive(api, admin_user)  # other clients' users and the admin keep their sessions


def test_a_patch_that_keeps_a_client_active_keeps_its_sessions(
    api: ApiClient, admin_user: ApiUser, client_user: ApiUser
) -> None:
    client_url = f"/admin/clients/{client_user.client_id}"
    assert api.patch(client_url, token=admin_user.token, body={"status": "active", "name": "Renamed"}).status == 200
    assert _alive(api, client_user)
    assert api.post("/auth/refresh", body={"refresh_token": client_user.refresh_token}).status == 200


def test_list_filters_disabled_and_email_part(
    api: ApiClient, admin_user: ApiUser, make_user: Any, make_client: Any
) -> None:
    client = make_client("Acme", "acme")
    ann = make_user(role="client", client_id=client["id"], email="Ann.Smith@Example.com", login=False)
    make_user(role="client", client_id=client["id"], email="bob@example.com", login=False)
    odd = make_user(role="client", client_id=client["id"], email="100%_sure@example.com", login=False)
    assert api.patch(f"/admin/users/{ann.id}", token=admin_user.token, body={"disabled": True}).status == 200

    def emails(**query: Any) -> list[str]:
        response = api.get("/admin/users", token=admin_user.token, query=query)
        assert response.status == 200, response.body
        assert response.json()["total"] == len(response.json()["items"])
        return [user["email"] for user in response.json()["items"]]

    assert emails(disabled="true") == [ann.email]
    assert ann.email not in emails(disabled="false") and len(emails(disabled="false")) == 3
    assert emails(email="smith@EXAMPLE") == [ann.email]  # any case, any part
    assert emails(email="%_") == [odd.email]  # LIKE wildcards match only themselves
    assert emails(email="nobody") == []
    assert emails(email="example.com", disabled="false", role="client") == ["100%_sure@example.com", "bob@example.com"]


@pytest.mark.parametrize("query", [{"disabled": "maybe"}, {"email": "x" * 256}])
def test_bad_user_filters_are_400(api: ApiClient, admin_user: ApiUser, query: dict[str, Any]) -> None:
    assert api.get("/admin/users", token=admin_user.token, query=query).status == 400
