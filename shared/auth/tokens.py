"""Access tokens: short-lived HS256 JWTs with every registered claim required and checked.

A warm container remembers the tokens it has verified (`_VERIFIED`): a dashboard sends the
same access token on every request of its lifetime, and re-checking the same signature over
the same bytes with the same key can only give the same answer. Only what changes with time
is checked again on every use (expiry, and issue time against a clock that stepped back);
the session itself (revoked, logged out, password changed) is checked on every request by
`shared.auth.principal.load_principal`, never remembered here.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import jwt

from shared.errors import ConfigurationError, Unauthenticated
from shared.settings import Settings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "aud", "role", "sv", "sid", "jti"]
ROLES = ("admin", "client")
# HS256 keys shorter than the hash output are brute-forceable; refuse them outright.
MIN_KEY_BYTES = 32
# Verified tokens a warm container remembers (a few hundred bytes each): the users one
# container serves within a token's lifetime. The least recently used is forgotten first.
MAX_VERIFIED_TOKENS = 1024


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """The verified content of an access token."""

    user_id: UUID
    role: str
    client_id: UUID | None
    session_version: int
    session_id: UUID
    token_id: str
    expires_at: int


def signing_key(settings: Settings) -> str:
    """The HS256 key: Secrets Manager (`JWT_SECRET_ARN`, cached) in AWS, `JWT_SECRET` locally."""
    if settings.jwt_secret_arn:
        from shared.aws.secrets import get_text_secret

        key = get_text_secret(settings.jwt_secret_arn)
    elif settings.jwt_secret:
        key = settings.jwt_secret
    else:
        raise ConfigurationError("JWT_SECRET or JWT_SECRET_ARN must be set")
    if len(key.encode("utf-8")) < MIN_KEY_BYTES:
        raise ConfigurationError("the JWT signing key is too short")
    return key


def issue_access_token(
    *,
    user_id: UUID,
    role: str,
    client_id: UUID | None,
    session_version: int,
    session_id: UUID,
    settings: Settings,
    now: int | None = None,
) -> tuple[str, int]:
    """A signed access token for a user and its lifetime in seconds."""
    issued_at = int(time.time()) if now is None else now
    ttl = settings.access_token_ttl_seconds
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "iat": issued_at,
        "exp": issued_at + ttl,
        "jti": uuid.uuid4().hex,
        "role": role,
        "cid": str(client_id) if client_id else None,
        "sv": session_version,
        "sid": str(session_id),  # the refresh-token family: logout ends it at once
    }
    return jwt.encode(claims, signing_key(settings), algorithm=ALGORITHM), ttl


# (signing key, issuer, audience, token) -> (claims, issued at): only tokens that verified.
_VERIFIED: OrderedDict[tuple[str, str, str, str], tuple[AccessClaims, int]] = OrderedDict()
_VERIFIED_LOCK = threading.Lock()  # the local server answers on threads; Lambda on one


def decode_access_token(token: str, *, settings: Settings) -> AccessClaims:
    """Verify signature, algorithm, issuer, audience, expiry and claim shapes.

    Any failure is `Unauthenticated` with one generic message: the caller learns nothing
    about why a token was refused (the reason is for logs only). A token this container
    already verified with the same key, issuer and audience is not verified again: its
    claims are reused once its expiry (and issue time) still pass against the clock now,
    with the same leeway as PyJWT's checks. A refused token is never remembered.
    """
    key = signing_key(settings)
    remembered = (key, settings.jwt_issuer, settings.jwt_audience, token)
    with _VERIFIED_LOCK:
        known = _VERIFIED.get(remembered)
        if known is not None:
            _VERIFIED.move_to_end(remembered)
    if known is not None:
        claims, issued_at = known
        now = time.time()
        leeway = settings.jwt_leeway_seconds
        if claims.expires_at <= now - leeway or issued_at > now + leeway:
            with _VERIFIED_LOCK:
                _VERIFIED.pop(remembered, None)
            raise Unauthenticated("invalid or expired access token", details="ExpiredSignatureError")
        return claims
    verified, issued_at = _verify(token, key, settings=settings)
    with _VERIFIED_LOCK:
        _VERIFIED[remembered] = (verified, issued_at)
        if len(_VERIFIED) > MAX_VERIFIED_TOKENS:
            _VERIFIED.popitem(last=False)
    return verified


def _verify(token: str, key: str, *, settings: Settings) -> tuple[AccessClaims, int]:
    """PyJWT's full verification of `token` with `key`: the claims and their issue time."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],  # pinned: `none` and RS/HS confusion are refused
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            leeway=settings.jwt_leeway_seconds,
            options={"require": REQUIRED_CLAIMS},
        )
        role = claims["role"]
        version = claims["sv"]
        raw_client = claims.get("cid")
        if role not in ROLES or not isinstance(version, int) or isinstance(version, bool):
            raise ValueError("bad role or session version")
        client_id = UUID(raw_client) if raw_client else None
        if (role == "client") != (client_id is not None):
            raise ValueError("role and client do not agree")
        verified = AccessClaims(
            user_id=UUID(str(claims["sub"])),
            role=role,
            client_id=client_id,
            session_version=version,
            session_id=UUID(str(claims["sid"])),
            token_id=str(claims["jti"]),
            expires_at=int(claims["exp"]),
        )
        return verified, int(claims["iat"])
    except (jwt.PyJWTError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise Unauthenticated("invalid or expired access token", details=type(exc).__name__) from exc
