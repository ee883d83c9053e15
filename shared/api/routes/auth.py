"""`/auth/*` and `/me*`: login, refresh, logout, the caller's profile and password."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.router import Router
from pydantic import Field

from shared.api import deps, inputs
from shared.api.models import Message, RequestBody, TokenPair, UserOut
from shared.api.openapi import api_doc
from shared.api.security import CurrentPrincipal
from shared.auth import service

router = Router()

# Length caps keep absurd inputs out before any work; the 72-byte bcrypt limit is checked
# by the service (bytes, not characters) and answered 400.
Email = Annotated[str, Field(min_length=3, max_length=255, examples=["admin@example.com"]), inputs.plain_text("email")]
Password = Annotated[str, Field(min_length=1, max_length=1024)]


class LoginRequest(RequestBody):
    email: Email
    password: Password


class RefreshRequest(RequestBody):
    refresh_token: Annotated[str, Field(min_length=1, max_length=256)]


class LogoutRequest(RequestBody):
    everywhere: bool = Field(default=False, description="End every session of this user, not only this one")


class PasswordChange(RequestBody):
    current_password: Password
    new_password: Password


def _pair(tokens: service.SessionTokens) -> TokenPair:
    return TokenPair(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        token_type=tokens.token_type,
        expires_in=tokens.expires_in,
        user=UserOut(**tokens.user),
    )


@router.post(
    "/auth/login", summary="Log in with email and password", tags=["auth"], **api_doc(public=True, errors=(401,))
)
def login(body: LoginRequest) -> TokenPair:
    # The caller's address as API Gateway saw it (the throttle counts per email and address).
    source = (router.current_event.raw_event.get("requestContext") or {}).get("identity", {}).get("sourceIp")
    return _pair(
        service.login(
            deps.database(), email=body.email, password=body.password, settings=deps.settings(), source=source
        )
    )


@router.post("/auth/refresh", summary="Rotate a refresh token", tags=["auth"], **api_doc(public=True, errors=(401,)))
def refresh(body: RefreshRequest) -> TokenPair:
    return _pair(service.refresh(deps.database(), refresh_token=body.refresh_token, settings=deps.settings()))


@router.post("/auth/logout", summary="End this session (or all sessions)", tags=["auth"], **api_doc())
def logout(principal: CurrentPrincipal, body: LogoutRequest | None = None) -> Message:
    service.logout(deps.database(), principal=principal, everywhere=bool(body and body.everywhere))
    return Message(message="logged out")


@router.get("/me", summary="The caller's profile", tags=["auth"], **api_doc())
def me(principal: CurrentPrincipal) -> UserOut:
    return UserOut(**service.current_user(deps.database(), principal=principal))


@router.post("/me/password", summary="Change the caller's password; other sessions end", tags=["auth"], **api_doc())
def change_password(principal: CurrentPrincipal, body: PasswordChange) -> TokenPair:
    tokens = service.change_password(
        deps.database(),
        principal=principal,
        current_password=body.current_password,
        new_password=body.new_password,
        settings=deps.settings(),
    )
    return _pair(tokens)
