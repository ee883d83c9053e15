"""`/auth/*` and `/me*`: login, refresh, logout, the caller's profile and password.

Two kinds of session, one service:
- **token** (the default, for scripts): the refresh token travels in the JSON bodies.
- **cookie** (the web app, `{"session": "cookie"}` at login): the refresh token lives only
  in the `pmd_refresh` cookie — `HttpOnly; Secure; SameSite=Strict`, `Path` =
  `REFRESH_COOKIE_PATH` (default `/api/auth`, the path the browser sees on the web
  origin) — and the bodies carry `"refresh_token": null`. `POST /auth/refresh` with no
  token in the body uses the cookie and rotates it; `POST /auth/logout` clears it.

A cookie refresh must be sent with `Content-Type: application/json`: SameSite=Strict
already keeps other sites' requests cookie-less, and a JSON content type cannot be sent
cross-origin without a CORS preflight that this API never grants with credentials, so a
sibling subdomain's HTML form cannot ride the cookie either (403 otherwise).
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import Router
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from pydantic import Field

from shared.api import deps, inputs, viewer
from shared.api.models import Message, RequestBody, TokenPair, UserOut
from shared.api.openapi import api_doc
from shared.api.security import CurrentPrincipal
from shared.auth import service
from shared.errors import Forbidden, Unauthenticated
from shared.settings import Settings

router = Router()

REFRESH_COOKIE = "pmd_refresh"
NO_REFRESH_TOKEN = "no refresh token: log in again (send the session cookie or a refresh_token in the body)"  # noqa: S105 - a message
COOKIE_NEEDS_JSON = "a refresh with the session cookie must be sent with Content-Type: application/json"
SessionKind = Literal["token", "cookie"]
SESSION_DESCRIPTION = (
    '"token" (default): the refresh token is in the response body. "cookie" (the web app): it is set as the '
    f"HttpOnly, Secure, SameSite=Strict cookie {REFRESH_COOKIE} scoped to the refresh cookie path, and the "
    "body's refresh_token is null."
)

# Length caps keep absurd inputs out before any work; the 72-byte bcrypt limit is checked
# by the service (bytes, not characters) and answered 400.
Email = Annotated[str, Field(min_length=3, max_length=255, examples=["admin@example.com"]), inputs.plain_text("email")]
Password = Annotated[str, Field(min_length=1, max_length=1024)]


class LoginRequest(RequestBody):
    email: Email
    password: Password
    session: SessionKind = Field(default="token", description=SESSION_DESCRIPTION)


class RefreshRequest(RequestBody):
    refresh_token: Annotated[str, Field(min_length=1, max_length=256)] | None = Field(
        default=None, description="Scripts: the refresh token. The web app sends {} (or no body) and the cookie."
    )


class LogoutRequest(RequestBody):
    everywhere: bool = Field(default=False, description="End every session of this user, not only this one")


class PasswordChange(RequestBody):
    current_password: Password
    new_password: Password
    session: SessionKind = Field(default="token", description=SESSION_DESCRIPTION)


def _pair(tokens: service.SessionTokens, *, in_body: bool = True) -> TokenPair:
    return TokenPair(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token if in_body else None,
        token_type=tokens.token_type,
        expires_in=tokens.expires_in,
        user=UserOut(**tokens.user),
    )


def refresh_cookie(value: str, *, settings: Settings, max_age: int | None = None) -> Cookie:
    """The session cookie (`max_age=0` with an empty value clears it; same path and attributes)."""
    return Cookie(
        name=REFRESH_COOKIE,
        value=value,
        path=settings.refresh_cookie_path,
        secure=True,
        http_only=True,
        same_site=SameSite.STRICT_MODE,
        max_age=settings.refresh_token_ttl_seconds if max_age is None else max_age,
    )


def _session_response(tokens: service.SessionTokens, kind: SessionKind) -> Response[TokenPair]:
    settings = deps.settings()
    cookie = kind == "cookie"
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=_pair(tokens, in_body=not cookie),
        cookies=[refresh_cookie(tokens.refresh_token, settings=settings)] if cookie else None,
    )


def _header_values(name: str) -> list[str]:
    event = router.current_event.raw_event
    values: list[str] = []
    for key, items in (event.get("multiValueHeaders") or {}).items():
        if key.lower() == name:
            values.extend(items or [])
    if not values:
        values.extend(v for k, v in (event.get("headers") or {}).items() if k.lower() == name and v)
    return values


def cookie_value(cookie_headers: list[str], name: str = REFRESH_COOKIE) -> str | None:
    """The first value of cookie `name` in the request's Cookie header(s), if any.

    Browsers send the most specific path first, so the first one wins.
    """
    for header in cookie_headers:
        for part in header.split(";"):
            key, sep, value = part.strip().partition("=")
            if sep and key == name and value:
                return value.strip().strip('"')
    return None


def _is_json(content_type_values: list[str]) -> bool:
    if len(content_type_values) != 1:
        return False
    media = content_type_values[0].split(";", 1)[0].strip().lower()
    return media == content_types.APPLICATION_JSON


@router.post(
    "/auth/login", summary="Log in with email and password", tags=["auth"], **api_doc(public=True, errors=(401,))
)
def login(body: LoginRequest) -> Response[TokenPair]:
    # The throttle counts per email and address: the viewer's behind our CloudFront, else the direct one.
    settings = deps.settings()
    source = viewer.client_address(router.current_event.raw_event, origin_secret=viewer.origin_secret(settings))
    tokens = service.login(deps.database(), email=body.email, password=body.password, settings=settings, source=source)
    return _session_response(tokens, body.session)


@router.post(
    "/auth/refresh",
    summary="Rotate a refresh token (from the body, or the session cookie)",
    description=(
        f"With a refresh_token in the body the new one is answered in the body. Without one the {REFRESH_COOKIE} "
        "cookie is used (Content-Type: application/json required, else 403) and rotated; the body's "
        "refresh_token is then null. A token presented again within the reuse grace gets the same successor."
    ),
    tags=["auth"],
    **api_doc(public=True, errors=(401, 403)),
)
def refresh(body: RefreshRequest | None = None) -> Response[TokenPair]:
    database, settings = deps.database(), deps.settings()
    if body is not None and body.refresh_token is not None:
        return _session_response(
            service.refresh(database, refresh_token=body.refresh_token, settings=settings), "token"
        )
    token = cookie_value(_header_values("cookie"))
    if token is None:
        raise Unauthenticated(NO_REFRESH_TOKEN, details="no refresh token in body or cookie")
    if not _is_json(_header_values("content-type")):
        raise Forbidden(COOKIE_NEEDS_JSON)
    return _session_response(service.refresh(database, refresh_token=token, settings=settings), "cookie")


@router.post(
    "/auth/logout",
    summary="End this session (or all sessions) and clear the session cookie",
    tags=["auth"],
    **api_doc(),
)
def logout(principal: CurrentPrincipal, body: LogoutRequest | None = None) -> Response[Message]:
    service.logout(deps.database(), principal=principal, everywhere=bool(body and body.everywhere))
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=Message(message="logged out"),
        cookies=[refresh_cookie("", settings=deps.settings(), max_age=0)],
    )


@router.get("/me", summary="The caller's profile", tags=["auth"], **api_doc())
def me(principal: CurrentPrincipal) -> UserOut:
    return UserOut(**service.current_user(deps.database(), principal=principal))


@router.post("/me/password", summary="Change the caller's password; other sessions end", tags=["auth"], **api_doc())
def change_password(principal: CurrentPrincipal, body: PasswordChange) -> Response[TokenPair]:
    tokens = service.change_password(
        deps.database(),
        principal=principal,
        current_password=body.current_password,
        new_password=body.new_password,
        settings=deps.settings(),
    )
    return _session_response(tokens, body.session)
