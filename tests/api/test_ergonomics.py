"""Issue 11's API ergonomics: derived slugs, advertisers at creation, an honest CPM preview,
unknown query parameters and wrong methods — through the real handlers and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shared.admin.clients import slugify
from tests.api.conftest import ApiClient, ApiUser


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Globex Bikes", "globex-bikes"),
        ("Café Zoë & Søn", "cafe-zoe-sn"),
        ("  Ünïcödé   Ltd.  ", "unicode-ltd"),
        ("日本", "client"),
        ("A" * 80, "a" * 63),
        ("--x--", "x"),
    ],
)
def test_slugify_is_ascii_and_bounded(name: str, slug: str) -> None:
    assert slugify(name) == slug
    assert re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", slugify(name))


def test_create_without_slug_derives_a_unique_one(api: ApiClient, admin_user: ApiUser) -> None:
    first = api.post("/admin/clients", token=admin_user.token, body={"name": "Globex Bikes"})
    assert first.status == 201, first.body
    assert first.json()["slug"] == "globex-bikes"
    second = api.post("/admin/clients", token=admin_user.token, body={"name": "Globex  Bikes!"})
    third = api.post("/admin/clients", token=admin_user.token, body={"name": "globex bikes"})
    assert (second.status, third.status) == (201, 201)
    assert (second.json()["slug"], third.json()["slug"]) == ("globex-bikes-2", "globex-bikes-3")
    accented = api.post("/admin/clients", token=admin_user.token, body={"name": "Crème Brûlée Co"})
    assert accented.json()["slug"] == "creme-brulee-co"
    # an explicit slug is still taken as given, and a taken one is a 409
    taken = api.post("/admin/clients", token=admin_user.token, body={"name": "Other", "slug": "globex-bikes"})
    assert taken.status == 409, taken.body


def test_create_with_advertiser_names(api: ApiClient, admin_user: ApiUser) -> None:
    body = {"name": "Acme Outdoor", "advertisers": ["Acme Outdoor", " ACME  outdoor ", "Acme Camping"]}
    response = api.post("/admin/clients", token=admin_user.token, body=body)
    assert response.status == 201, response.body
    assert sorted(response.json()["advertisers"]) == ["Acme Camping", "Acme Outdoor"]
    listed = api.get(f"/admin/clients/{response.json()['id']}/advertisers", token=admin_user.token)
    assert sorted(listed.json()["advertisers"]) == ["Acme Camping", "Acme Outdoor"]


def test_an_advertiser_name_of_another_client_refuses_the_whole_creation(
    api: ApiClient, admin_user: ApiUser, owner_conn: Any
) -> None:
    assert (
        api.post("/admin/clients", token=admin_user.token, body={"name": "One", "advertisers": ["Shared"]}).status
        == 201
    )
    clash = api.post("/admin/clients", token=admin_user.token, body={"name": "Two", "advertisers": ["shared"]})
    assert clash.status == 409, clash.body
    assert owner_conn.execute("SELECT count(*) AS n FROM clients WHERE name = 'Two'").fetchone()["n"] == 0
    blank = api.post("/admin/clients", token=admin_user.token, body={"name": "Three", "advertisers": ["  "]})
    assert blank.status == 400


def test_a_preview_says_applied_false_and_has_no_id_an_apply_says_true(
    api: ApiClient, admin_user: ApiUser, owner_conn: Any
) -> None:
    client = api.post("/admin/clients", token=admin_user.token, body={"name": "Priced"}).json()
    url = f"/admin/clients/{client['id']}/cpm"
    preview = api.post(
        url, token=admin_user.token, body={"cpm": "4.25", "effective_date": "2026-01-01", "preview": True}
    )
    assert preview.status == 200, preview.body
    body = preview.json()
    assert body["applied"] is False and body["preview"] is True
    assert "id" not in body["rate"] and body["rate"] == {"cpm": "4.2500", "effective_date": "2026-01-01"}
    assert owner_conn.execute("SELECT count(*) AS n FROM client_settings").fetchone()["n"] == 0
    applied = api.post(url, token=admin_user.token, body={"cpm": "4.25", "effective_date": "2026-01-01"})
    assert applied.status == 200, applied.body
    assert applied.json()["applied"] is True and applied.json()["rate"]["id"]
    stored = owner_conn.execute("SELECT id FROM client_settings").fetchone()
    assert str(stored["id"]) == applied.json()["rate"]["id"]


# ---------------------------------------------------------------- unknown parameters, methods


def _operations(api: ApiClient) -> list[tuple[str, str, set[str]]]:
    document = api.get("/openapi.json").json()
    return [
        (path, method.upper(), {p["name"] for p in op.get("parameters", []) if p["in"] == "query"})
        for path, operations in document["paths"].items()
        for method, op in operations.items()
    ]


def test_an_unknown_query_parameter_is_a_400_naming_it_and_the_allowed_ones_on_every_route(
    api: ApiClient, admin_user: ApiUser, make_client: Any
) -> None:
    client = make_client("Param Co", "param-co")
    for path, method, allowed in _operations(api):
        url = re.sub(r"\{(\w+)\}", lambda m: str(client["id"]) if m.group(1) == "client_id" else "2026-03-02", path)
        response = api.request(method, url, token=admin_user.token, query={"campaign": "Winter Ride"})
        assert response.status == 400, (method, path, response.status, response.body)
        message = response.json()["message"]
        assert "'campaign'" in message, message
        assert all(name in message for name in allowed), (path, message)
    overview = api.get(f"/clients/{client['id']}/overview", token=admin_user.token, query={"campaign": "x"})
    assert overview.json()["message"] == (
        "unknown query parameter 'campaign'; allowed: compare, compare_from, compare_to, from, to"
    )


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/admin/clients", "GET, POST"),
        ("PUT", "/admin/users", "GET, POST"),
        ("GET", "/auth/login", "POST"),
        ("POST", "/me", "GET"),
        ("DELETE", "/clients/00000000-0000-0000-0000-000000000001/overview", "GET"),
        ("POST", "/admin/clients/00000000-0000-0000-0000-000000000001", "GET, PATCH"),
    ],
)
def test_a_wrong_method_on_a_known_path_is_405_with_allow(
    api: ApiClient, admin_user: ApiUser, method: str, path: str, allow: str
) -> None:
    response = api.request(method, path, token=admin_user.token)
    assert response.status == 405, response.body
    assert response.headers["Allow"] == allow
    assert allow in response.json()["message"]


def test_an_unknown_path_is_still_404(api: ApiClient, admin_user: ApiUser) -> None:
    assert api.get("/admin/nothing-here", token=admin_user.token).status == 404
