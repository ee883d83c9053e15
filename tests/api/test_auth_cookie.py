"""Cookie sessions for the web app (SPEC §11): the refresh token only in an HttpOnly cookie.

Against real PostgreSQL through the real `api_auth` handler: the cookie's attributes,
rotation, the two-tab reuse grace (the same successor), reuse after the grace revoking the
family, logout clearing the cookie, the CSRF rule (a cookie refresh needs a JSON content
type), and token sessions for scripts unchanged.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from shared.api import deps
from shared.api.routes.auth import REFRESH_COOKIE, cookie_value
from shared.auth import service
from shared.db import Database
from shared.errors import Unauthenticated
from shared.settings import Settings
from tests.api.conftest import ApiClient, ApiResponse, ApiUser
from tests.conftest import role_url

JSON = {"Content-Type": "application/json"}


def _set_cookies(response: ApiResponse) -> list[str]:
    headers = response.raw.get("multiValueHeaders") or {}
    return [value for name, values in headers.items() if name.lower() == "set-cookie" for value in values]


def _session_cookie(response: ApiResponse) -> dict[str, str]:
    """The one `pmd_refresh` Set-Cookie of a response, as {"value": ..., attribute: value}."""
    cookies = [c for c in _set_cookies(response) if c.startswith(REFRESH_COOKIE + "=")]
    assert len(cookies) == 1, _set_cookies(response)
    first, *attributes = (part.strip() for part in cookies[0].split(";"))
    parsed = {"value": first.partition("=")[2]}
    for attribute in attributes:
        name, _, value = attribute.partition("=")
        parsed[name.lower()] = value
    return parsed


def _login(api: ApiClient, user: ApiUser, **extra: Any) -> ApiResponse:
    return api.post("/auth/login", body={"email": user.email, "password": user.password, **extra})


def _cookie_refresh(
    api: ApiClient, token: str, *, body: Any = None, headers: dict[str, str] | None = None
) -> ApiResponse:
    return api.post(
        "/auth/refresh",
        body=body,
        headers={**JSON, "Cookie": f"theme=dark; {REFRESH_COOKIE}={token}", **(headers or {})},
    )


def _age_rotations(owner_conn: Any, seconds: int = 31) -> None:
    owner_conn.execute(
        "UPDATE refresh_tokens SET rotated_at = rotated_at - make_interval(secs => %s) WHERE rotated_at IS NOT NULL",
        (seconds,),
    )


@pytest.fixture
def cookie_login(api: ApiClient, client_user: ApiUser) -> tuple[str, str]:
    """A cookie session of the client user: (access token, refresh token from the cookie)."""
    response = _login(api, client_user, session="cookie")
    assert response.status == 200, response.body
    return response.json()["access_token"], _session_cookie(response)["value"]


# ---------------------------------------------------------------- login


def test_cookie_login_sets_the_refresh_token_as_a_strict_httponly_cookie(
    api: ApiClient, client_user: ApiUser, settings: Settings
) -> None:
    # when the web app logs in
    response = _login(api, client_user, session="cookie")

    # then the body has no refresh token and the cookie has every attribute
    assert response.status == 200, response.body
    body = response.json()
    assert body["refresh_token"] is None
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == settings.access_token_ttl_seconds
    assert body["user"]["email"] == client_user.email
    cookie = _session_cookie(response)
    assert len(cookie["value"]) >= 40
    assert cookie["path"] == "/api/auth"
    assert cookie["max-age"] == str(settings.refresh_token_ttl_seconds)
    assert cookie["samesite"] == "Strict"
    assert "httponly" in cookie
    assert "secure" in cookie
    assert "domain" not in cookie  # host-only: never shared with sibling subdomains
    assert api.get("/me", token=body["access_token"]).status == 200


@pytest.mark.parametrize("extra", [{}, {"session": "token"}])
def test_token_login_is_unchanged_and_sets_no_cookie(
    api: ApiClient, client_user: ApiUser, extra: dict[str, str]
) -> None:
    response = _login(api, client_user, **extra)
    assert response.status == 200, response.body
    assert response.json()["refresh_token"]
    assert _set_cookies(response) == []
    assert api.post("/auth/refresh", body={"refresh_token": response.json()["refresh_token"]}).status == 200


@pytest.mark.parametrize("session", ["Cookie", "both", "", None, 1])
def test_an_unknown_session_kind_is_a_400_naming_the_field(api: ApiClient, client_user: ApiUser, session: Any) -> None:
    response = _login(api, client_user, session=session)
    assert response.status == 400
    assert "session" in response.body
    assert _set_cookies(response) == []


def test_a_failed_cookie_login_sets_no_cookie(api: ApiClient, client_user: ApiUser) -> None:
    response = api.post("/auth/login", body={"email": client_user.email, "password": "wrong", "session": "cookie"})
    assert response.status == 401
    assert _set_cookies(response) == []


def test_the_cookie_path_is_a_setting(api: ApiClient, client_user: ApiUser, settings: Settings) -> None:
    deps.use_settings(settings.model_copy(update={"refresh_cookie_path": "/dashboard/api/auth"}))
    assert _session_cookie(_login(api, client_user, session="cookie"))["path"] == "/dashboard/api/auth"


@pytest.mark.parametrize("path", ["api/auth", "/api/auth; Domain=evil.com", "/api auth", ""])
def test_a_cookie_path_that_could_inject_attributes_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match="refresh_cookie_path"):
        Settings.from_env({"REFRESH_COOKIE_PATH": path})


# ---------------------------------------------------------------- refresh with the cookie


@pytest.mark.parametrize("body", [{}, None])
def test_cookie_refresh_rotates_the_cookie(api: ApiClient, cookie_login: tuple[str, str], body: Any) -> None:
    # given a cookie session
    access, token = cookie_login

    # when the web app refreshes with an empty JSON body or none at all
    response = _cookie_refresh(api, token, body=body)

    # then it gets a new access token, no token in the body, and a rotated cookie
    assert response.status == 200, response.body
    payload = response.json()
    assert payload["refresh_token"] is None
    assert payload["access_token"] != access
    assert set(payload) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    rotated = _session_cookie(response)
    assert rotated["value"] != token
    assert rotated["path"] == "/api/auth"
    assert {"httponly", "secure"} <= set(rotated)
    assert rotated["samesite"] == "Strict"
    assert api.get("/me", token=payload["access_token"]).status == 200
    # and the rotated cookie refreshes in turn
    assert _cookie_refresh(api, rotated["value"], body={}).status == 200


@pytest.mark.parametrize(
    "content_type",
    [None, "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "text/plain"],
)
def test_a_cookie_refresh_without_a_json_content_type_is_403_and_rotates_nothing(
    api: ApiClient, cookie_login: tuple[str, str], content_type: str | None
) -> None:
    # given a request a cross-site HTML form could send (no preflight)
    _access, token = cookie_login
    event_headers = {"Cookie": f"{REFRESH_COOKIE}={token}"}
    if content_type is not None:
        event_headers["Content-Type"] = content_type
    response = api.post("/auth/refresh", headers=event_headers)

    # then it is refused, and the session is untouched
    assert response.status == 403
    assert "Content-Type: application/json" in response.json()["message"]
    assert _set_cookies(response) == []
    assert _cookie_refresh(api, token).status == 200


def test_a_text_plain_form_cannot_refresh_either(api: ApiClient, cookie_login: tuple[str, str]) -> None:
    # `<form enctype="text/plain">` is the classic cross-site vector. Powertools' body
    # parsing refuses the type before the route runs (its status is the input-parsing
    # layer's business); what matters here is that nothing is rotated or handed out.
    _access, token = cookie_login
    response = api.post(
        "/auth/refresh", headers={"Cookie": f"{REFRESH_COOKIE}={token}", "Content-Type": "text/plain"}, raw_body="x"
    )
    assert response.status != 200
    assert _set_cookies(response) == []
    assert "access_token" not in response.body
    assert _cookie_refresh(api, token).status == 200


def test_json_with_a_charset_is_json(api: ApiClient, cookie_login: tuple[str, str]) -> None:
    _access, token = cookie_login
    assert _cookie_refresh(api, token, headers={"Content-Type": "application/json; charset=utf-8"}).status == 200


def test_no_cookie_and_no_body_token_is_401_saying_to_log_in(api: ApiClient) -> None:
    for response in (
        api.post("/auth/refresh", headers=JSON),
        api.post("/auth/refresh", body={}),
        api.post("/auth/refresh", body={}, headers={"Cookie": "theme=dark; pmd_refresh="}),
    ):
        assert response.status == 401
        assert "log in again" in response.json()["message"]


@pytest.mark.parametrize("token", ["nope", "x" * 300])
def test_an_unknown_or_absurd_cookie_is_401(api: ApiClient, token: str) -> None:
    assert _cookie_refresh(api, token).status == 401


def test_a_body_token_wins_over_the_cookie_and_answers_in_the_body(
    api: ApiClient, client_user: ApiUser, cookie_login: tuple[str, str]
) -> None:
    _access, cookie_token = cookie_login
    response = _cookie_refresh(api, cookie_token, body={"refresh_token": client_user.refresh_token})
    assert response.status == 200
    assert response.json()["refresh_token"]
    assert _set_cookies(response) == []
    assert _cookie_refresh(api, cookie_token).status == 200  # the cookie's session was not touched


def test_the_cookie_is_found_among_others_and_in_repeated_headers() -> None:
    assert cookie_value(["a=1; pmd_refresh=tok-1; b=2"]) == "tok-1"
    assert cookie_value(["a=1", "pmd_refresh=tok-2"]) == "tok-2"
    assert cookie_value(["pmd_refresh=first; pmd_refresh=second"]) == "first"  # most specific path comes first
    assert cookie_value(['pmd_refresh="quoted"']) == "quoted"
    assert cookie_value(["xpmd_refresh=nope; pmd_refreshx=nope"]) is None
    assert cookie_value(["pmd_refresh"]) is None
    assert cookie_value([]) is None


# ---------------------------------------------------------------- two tabs: the reuse grace


def test_a_token_presented_again_within_the_grace_gets_the_same_successor(
    api: ApiClient, cookie_login: tuple[str, str]
) -> None:
    # given tab A refreshed the session
    _access, token = cookie_login
    first = _cookie_refresh(api, token)
    successor = _session_cookie(first)["value"]

    # when tab B, a moment later, refreshes with the same (now rotated) cookie
    second = _cookie_refresh(api, token)

    # then it gets the very same successor and its own fresh access token
    assert second.status == 200, second.body
    assert _session_cookie(second)["value"] == successor
    assert second.json()["access_token"] != first.json()["access_token"]
    assert api.get("/me", token=second.json()["access_token"]).status == 200
    # and the session goes on: the successor rotates normally, both access tokens stay valid
    third = _cookie_refresh(api, successor)
    assert third.status == 200
    assert _session_cookie(third)["value"] not in (token, successor)
    assert api.get("/me", token=first.json()["access_token"]).status == 200


def test_within_the_grace_a_later_rotation_is_followed_to_the_live_token(
    api: ApiClient, cookie_login: tuple[str, str]
) -> None:
    # given the token was rotated, and its successor rotated too (a third tab)
    _access, token = cookie_login
    successor = _session_cookie(_cookie_refresh(api, token))["value"]
    latest = _session_cookie(_cookie_refresh(api, successor))["value"]
    # when the first token comes again within the grace, it gets the live token
    assert _session_cookie(_cookie_refresh(api, token))["value"] == latest


def test_reuse_after_the_grace_revokes_the_whole_family(
    api: ApiClient, cookie_login: tuple[str, str], owner_conn: Any
) -> None:
    # given a rotated token and its successor
    access, token = cookie_login
    refreshed = _cookie_refresh(api, token)
    successor = _session_cookie(refreshed)["value"]

    # when the old token comes back after the grace (a thief replaying it)
    _age_rotations(owner_conn)
    replay = _cookie_refresh(api, token)

    # then it is refused and the whole session ends: the successor and the access tokens too
    assert replay.status == 401
    assert _cookie_refresh(api, successor).status == 401
    assert api.get("/me", token=refreshed.json()["access_token"]).status == 401
    assert api.get("/me", token=access).status == 401


def test_a_grace_of_zero_treats_any_reuse_as_theft(
    api: ApiClient, cookie_login: tuple[str, str], settings: Settings
) -> None:
    deps.use_settings(settings.model_copy(update={"refresh_reuse_grace_seconds": 0}))
    _access, token = cookie_login
    successor = _session_cookie(_cookie_refresh(api, token))["value"]
    assert _cookie_refresh(api, token).status == 401
    assert _cookie_refresh(api, successor).status == 401


def test_the_grace_never_revives_a_logged_out_session(api: ApiClient, cookie_login: tuple[str, str]) -> None:
    access, token = cookie_login
    assert _cookie_refresh(api, token).status == 200
    assert api.post("/auth/logout", token=access).status == 200
    assert _cookie_refresh(api, token).status == 401


def test_the_grace_works_for_token_sessions_too(api: ApiClient, client_user: ApiUser) -> None:
    first = api.post("/auth/refresh", body={"refresh_token": client_user.refresh_token})
    again = api.post("/auth/refresh", body={"refresh_token": client_user.refresh_token})
    assert again.status == 200
    assert again.json()["refresh_token"] == first.json()["refresh_token"]


def test_two_tabs_refreshing_at_the_same_instant_share_one_successor(
    db_url: str, client_user: ApiUser, settings: Settings
) -> None:
    # given two API containers (own connections) and one refresh token
    databases = [Database(role_url(db_url, "dash_api")) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def tab(index: int) -> None:
        barrier.wait()
        try:
            results[index] = service.refresh(
                databases[index], refresh_token=client_user.refresh_token, settings=settings
            )
        except Unauthenticated as exc:
            results[index] = exc

    # when both refresh at once (the row lock serialises them)
    threads = [threading.Thread(target=tab, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for database in databases:
        database.close()

    # then both succeed with the same successor: the session survives
    assert all(isinstance(result, service.SessionTokens) for result in results), results
    assert results[0].refresh_token == results[1].refresh_token
    assert results[0].refresh_token != client_user.refresh_token


def test_the_successor_depends_on_the_signing_key(settings: Settings) -> None:
    other = settings.model_copy(update={"jwt_secret": "another-signing-key-that-is-long-enough-0123456789"})
    assert service.successor_token("t", settings=settings) == service.successor_token("t", settings=settings)
    assert service.successor_token("t", settings=settings) != service.successor_token("t", settings=other)
    assert service.successor_token("t", settings=settings) != service.successor_token("u", settings=settings)


# ---------------------------------------------------------------- logout and password change


def test_logout_clears_the_cookie_and_ends_the_session(api: ApiClient, cookie_login: tuple[str, str]) -> None:
    access, token = cookie_login
    response = api.post("/auth/logout", token=access)
    assert response.status == 200
    cleared = _session_cookie(response)
    assert cleared["value"] == ""
    assert cleared["max-age"] == "0"
    assert cleared["path"] == "/api/auth"  # the same path, or the browser keeps the real one
    assert {"httponly", "secure"} <= set(cleared)
    assert cleared["samesite"] == "Strict"
    assert _cookie_refresh(api, token).status == 401
    assert api.get("/me", token=access).status == 401


def test_logout_without_a_token_is_401_and_clears_nothing(api: ApiClient) -> None:
    response = api.post("/auth/logout")
    assert response.status == 401
    assert _set_cookies(response) == []


def test_a_password_change_in_a_cookie_session_sets_the_new_cookie(
    api: ApiClient, client_user: ApiUser, cookie_login: tuple[str, str]
) -> None:
    access, token = cookie_login
    response = api.post(
        "/me/password",
        token=access,
        body={"current_password": client_user.password, "new_password": "a brand new passphrase", "session": "cookie"},
    )
    assert response.status == 200, response.body
    assert response.json()["refresh_token"] is None
    new_token = _session_cookie(response)["value"]
    assert _cookie_refresh(api, token).status == 401  # the old session ended
    assert _cookie_refresh(api, new_token).status == 200


def test_the_openapi_document_describes_the_cookie_session(api: ApiClient) -> None:
    document = api.get("/openapi.json").json()
    login = document["components"]["schemas"]["LoginRequest"]["properties"]["session"]
    assert set(login.get("enum") or next(s["enum"] for s in login["anyOf"] if "enum" in s)) == {"token", "cookie"}
    refresh = document["paths"]["/auth/refresh"]["post"]
    assert {"200", "401", "403"} <= set(refresh["responses"])
    pair = document["components"]["schemas"]["TokenPair"]["properties"]["refresh_token"]
    assert {"type": "null"} in pair["anyOf"]


@pytest.mark.parametrize("value", ["\ud800", "\udfff" * 3, "é" * 43, "tok\u0663en", "a+b/c=", "x" * 257])
def test_a_malformed_refresh_cookie_is_the_generic_401(
    api: ApiClient, cookie_login: tuple[str, str], value: str
) -> None:
    # a cookie may carry any text; a lone surrogate used to reach the token hash (a 500)
    _access, token = cookie_login
    response = _cookie_refresh(api, value)
    assert response.status == 401, response.body
    assert response.json() == {"message": "invalid or expired refresh token"}
    assert _set_cookies(response) == []
    # and the real session is untouched
    assert _cookie_refresh(api, token).status == 200
