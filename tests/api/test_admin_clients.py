"""Admin: clients and advertiser names."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.api.conftest import ApiClient, ApiUser


def test_create_list_get_and_patch_a_client(api: ApiClient, admin_user: ApiUser) -> None:
    created = api.post("/admin/clients", token=admin_user.token, body={"name": "Acme Outdoor", "slug": "acme"})
    assert created.status == 201, created.body
    client = created.json()
    assert client["name"] == "Acme Outdoor"
    assert client["slug"] == "acme"
    assert client["status"] == "active"
    assert client["advertisers"] == []
    assert client["current_cpm"] is None

    api.post("/admin/clients", token=admin_user.token, body={"name": "Beta", "slug": "beta"})
    listed = api.get("/admin/clients", token=admin_user.token, query={"limit": 1})
    assert listed.status == 200
    assert listed.json()["total"] == 2
    assert [item["slug"] for item in listed.json()["items"]] == ["acme"]
    second_page = api.get("/admin/clients", token=admin_user.token, query={"limit": 1, "offset": 1}).json()
    assert [item["slug"] for item in second_page["items"]] == ["beta"]

    got = api.get(f"/admin/clients/{client['id']}", token=admin_user.token)
    assert got.status == 200
    assert got.json()["id"] == client["id"]

    patched = api.patch(f"/admin/clients/{client['id']}", token=admin_user.token, body={"status": "disabled"})
    assert patched.status == 200, patched.body
    assert patched.json()["status"] == "disabled"
    assert patched.json()["name"] == "Acme Outdoor"
    disabled_only = api.get("/admin/clients", token=admin_user.token, query={"status": "disabled"}).json()
    assert [item["slug"] for item in disabled_only["items"]] == ["acme"]


def test_duplicate_slug_is_409(api: ApiClient, admin_user: ApiUser, make_client: Any) -> None:
    make_client("Acme", "acme")
    other = make_client("Other", "other")
    assert api.post("/admin/clients", token=admin_user.token, body={"name": "X", "slug": "acme"}).status == 409
    response = api.patch(f"/admin/clients/{other['id']}", token=admin_user.token, body={"slug": "acme"})
    assert response.status == 409
    assert response.json() == {"message": "a client with this slug already exists"}


INVALID_CLIENTS: list[dict[str, Any]] = [
    {"name": "Acme", "slug": "Bad Slug"},
    {"name": "Acme", "slug": "-acme"},
    {"name": "Acme", "slug": "a" * 64},
    {"name": "", "slug": "acme"},
    {"name": "   ", "slug": "acme"},
    {"name": "Acme", "slug": "acme", "status": "active"},
]


def test_create_client_validation(api: ApiClient, admin_user: ApiUser, owner_conn: Any) -> None:
    for body in INVALID_CLIENTS:
        response = api.post("/admin/clients", token=admin_user.token, body=body)
        assert response.status == 400, (body, response.body)
    assert owner_conn.execute("SELECT count(*) AS n FROM clients").fetchone()["n"] == 0


@pytest.mark.parametrize("body", [{"status": "paused"}, {"slug": "UPPER"}, {"colour": "red"}])
def test_patch_client_validation(api: ApiClient, admin_user: ApiUser, make_client: Any, body: dict[str, Any]) -> None:
    client = make_client("Acme", "acme")
    assert api.patch(f"/admin/clients/{client['id']}", token=admin_user.token, body=body).status == 400


def test_unknown_client_is_404(api: ApiClient, admin_user: ApiUser) -> None:
    missing = uuid.uuid4()
    assert api.get(f"/admin/clients/{missing}", token=admin_user.token).status == 404
    assert api.patch(f"/admin/clients/{missing}", token=admin_user.token, body={"name": "X"}).status == 404
    assert api.get(f"/admin/clients/{missing}/advertisers", token=admin_user.token).status == 404
    assert (
        api.put(f"/admin/clients/{missing}/advertisers", token=admin_user.token, body={"advertisers": []}).status == 404
    )
    assert api.get("/admin/clients/not-a-uuid", token=admin_user.token).status == 400


def test_page_size_limits(api: ApiClient, admin_user: ApiUser) -> None:
    assert api.get("/admin/clients", token=admin_user.token, query={"limit": 500}).status == 200
    assert api.get("/admin/clients", token=admin_user.token, query={"limit": 501}).status == 400
    assert api.get("/admin/clients", token=admin_user.token, query={"limit": 0}).status == 400
    assert api.get("/admin/clients", token=admin_user.token, query={"offset": -1}).status == 400


def test_advertisers_are_replaced(api: ApiClient, admin_user: ApiUser, make_client: Any) -> None:
    client = make_client("Acme", "acme")
    url = f"/admin/clients/{client['id']}/advertisers"
    first = api.put(url, token=admin_user.token, body={"advertisers": ["Acme Outdoor", " acme  outdoor ", "Acme Camp"]})
    assert first.status == 200, first.body
    # Names that ingestion would match identically collapse into one.
    assert first.json() == {"advertisers": ["Acme Camp", "Acme Outdoor"]}
    second = api.put(url, token=admin_user.token, body={"advertisers": ["Acme Gear"]})
    assert second.json() == {"advertisers": ["Acme Gear"]}
    assert api.get(url, token=admin_user.token).json() == {"advertisers": ["Acme Gear"]}
    assert api.get(f"/admin/clients/{client['id']}", token=admin_user.token).json()["advertisers"] == ["Acme Gear"]
    assert api.put(url, token=admin_user.token, body={"advertisers": []}).json() == {"advertisers": []}


def test_advertiser_of_another_client_is_409(api: ApiClient, admin_user: ApiUser, make_client: Any) -> None:
    acme, beta = make_client("Acme", "acme"), make_client("Beta", "beta")
    api.put(f"/admin/clients/{acme['id']}/advertisers", token=admin_user.token, body={"advertisers": ["Shared Name"]})
    response = api.put(
        f"/admin/clients/{beta['id']}/advertisers",
        token=admin_user.token,
        body={"advertisers": ["SHARED name", "Beta"]},
    )
    assert response.status == 409
    assert "Shared Name" in response.json()["message"]
    # Nothing changed for either client.
    assert api.get(f"/admin/clients/{beta['id']}/advertisers", token=admin_user.token).json() == {"advertisers": []}


@pytest.mark.parametrize(
    "body",
    [
        {"advertisers": ["   "]},
        {"advertisers": ["ok"], "extra": 1},
        {"advertisers": "Acme"},
        {},
        {"advertisers": ["x" * 256]},
    ],
)
def test_advertisers_validation(api: ApiClient, admin_user: ApiUser, make_client: Any, body: dict[str, Any]) -> None:
    client = make_client("Acme", "acme")
    response = api.put(f"/admin/clients/{client['id']}/advertisers", token=admin_user.token, body=body)
    assert response.status in (400, 400), response.body
