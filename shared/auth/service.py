"""Login, refresh-token rotation, logout and password change.

Sessions: a login starts a refresh-token *family* (its id travels in the access token as
`sid`). Every refresh rotates the token (the old one is marked rotated, a new one of the
same family is issued); presenting a rotated token again means it was stolen or replayed,
so the whole family is revoked — unless it comes within `refresh_reuse_grace_seconds` of
the rotation: two browser tabs refreshing at once both present the same token, and the
second gets the *same* successor the first got (and a fresh access token), not a new
branch. The successor is derived, not random: HMAC-SHA256(signing key, parent token), so
it can be handed out again without ever storing a token in plain text (the table keeps
SHA-256 hashes only); only the holder of the parent token can recompute it. Logout revokes the caller's family, which also ends its
access tokens at once (the per-request session check needs a live token in the family).
Password changes and resets, role changes and disabling bump `users.session_version`,
which invalidates every access token and refresh token of that user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any, NoReturn
from uuid import UUID

import psycopg

from shared.auth.passwords import check_length, check_strength, hash_password, verify_password
from shared.auth.principal import Principal
from shared.auth.tokens import issue_access_token, signing_key
from shared.db import QUERIES, Database, Tenant
from shared.errors import TooManyRequests, Unauthenticated
from shared.observability import logger, metrics
from shared.settings import Settings

LOGIN_FAILED = "invalid email or password"
REFRESH_FAILED = "invalid or expired refresh token"
MAX_EMAIL_LENGTH = 255
MAX_REFRESH_TOKEN_LENGTH = 256
_TOKEN_TEXT = re.compile(r"[A-Za-z0-9_-]+")  # URL-safe base64 without padding, ASCII only
# Within the grace, a successor that was itself rotated already (a third tab) is followed
# this many steps at most to the family's live token.
MAX_GRACE_CHAIN = 4
_SUCCESSOR_CONTEXT = b"pmd refresh-token successor\x00"  # domain separation from JWT signing


@dataclass(frozen=True, slots=True)
class SessionTokens:
    """What a login or refresh returns to the caller."""

    access_token: str
    refresh_token: str
    expires_in: int
    user: dict[str, Any]
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


def email_key(email: str) -> str:
    """The normalised email the throttle counts by (known accounts or not)."""
    return email.strip().lower()


def hash_refresh_token(token: str) -> bytes:
    """Refresh tokens are stored as their SHA-256 only (they are random, so no salt needed)."""
    return hashlib.sha256(token.encode("utf-8")).digest()


def successor_token(parent: str, *, settings: Settings) -> str:
    """The refresh token that replaces `parent` on rotation (deterministic, unguessable)."""
    digest = hmac.new(
        signing_key(settings).encode("utf-8"), _SUCCESSOR_CONTEXT + parent.encode("utf-8"), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def public_user(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "email": row["email"], "role": row["role"], "client_id": row["client_id"]}


def _start_session(
    conn: psycopg.Connection[Any],
    user: dict[str, Any],
    *,
    family_id: UUID,
    session_version: int,
    settings: Settings,
    refresh_token: str | None = None,
) -> SessionTokens:
    """Store a refresh token (random for a new family, else the given successor) and sign an access token."""
    refresh_token = refresh_token or secrets.token_urlsafe(32)
    conn.execute(
        QUERIES["auth_refresh_insert"],
        {
            "user_id": user["id"],
            "family_id": family_id,
            "token_hash": hash_refresh_token(refresh_token),
            "session_version": session_version,
            "ttl_seconds": settings.refresh_token_ttl_seconds,
        },
    )
    return _session_tokens(
        user, family_id=family_id, session_version=session_version, settings=settings, refresh_token=refresh_token
    )


def _session_tokens(
    user: dict[str, Any], *, family_id: UUID, session_version: int, settings: Settings, refresh_token: str
) -> SessionTokens:
    access_token, expires_in = issue_access_token(
        user_id=user["id"],
        role=user["role"],
        client_id=user["client_id"],
        session_version=session_version,
        session_id=family_id,
        settings=settings,
    )
    return SessionTokens(
        access_token=access_token, refresh_token=refresh_token, expires_in=expires_in, user=public_user(user)
    )


def _throttle_keys(key: str, source: str | None) -> dict[str, str]:
    """The throttle's keys of one attempt: the email and the source address ('' when unknown,
    e.g. a password change, which then counts per email only)."""
    return {"email_key": key, "source": (source or "")[:64]}


def _check_not_locked(conn: psycopg.Connection[Any], key: str, source: str | None = None) -> None:
    row = conn.execute(QUERIES["auth_login_lock"], _throttle_keys(key, source)).fetchone()
    if row is not None and row["retry_after"] is not None:
        raise TooManyRequests("too many failed attempts, try again later", retry_after=max(1, row["retry_after"]))


def _record_failure(db: Database, key: str, settings: Settings, source: str | None = None) -> NoReturn:
    """Count a failure per (email, source), source and email; 429 when one of them now
    blocks, else the generic 401 (see `auth_login_failure` for the growing delays)."""
    with db.transaction(tenant=Tenant.every_client()) as conn:
        rows = conn.execute(
            QUERIES["auth_login_failure"],
            {
                **_throttle_keys(key, source),
                "pair_max": settings.login_max_failures,
                "source_max": settings.login_source_max_failures,
                "email_max": settings.login_email_max_failures,
                "max_delay": settings.login_max_delay_seconds,
                "window_seconds": settings.login_lockout_seconds,
            },
        ).fetchall()
    metrics.add_metric(name="LoginFailures", unit="Count", value=1)
    blocked = [row for row in rows if row["retry_after"] is not None]
    if blocked:
        longest = max(blocked, key=lambda row: row["retry_after"])
        logger.warning("login throttled", scope=longest["scope"], failures=longest["failures"])
        raise TooManyRequests("too many failed attempts, try again later", retry_after=max(1, longest["retry_after"]))
    raise Unauthenticated(LOGIN_FAILED)


def login(db: Database, *, email: str, password: str, settings: Settings, source: str | None = None) -> SessionTokens:
    """Check credentials and start a session.

    Unknown email, disabled account and wrong password give the same `Unauthenticated`
    after the same work (one bcrypt check each). Failures are throttled per (email, `source`
    address), per source and per email (`TooManyRequests` with a short growing delay; only
    the per-email ceiling blocks for `login_lockout_seconds`), so the right password from
    another address still works under attack. An over-long password is InvalidInput.
    """
    check_length(password)
    key = email_key(email)
    with db.transaction(tenant=Tenant.every_client()) as conn:
        _check_not_locked(conn, key, source)
        user = (
            conn.execute(QUERIES["auth_user_by_email"], {"email": key}).fetchone()
            if len(key) <= MAX_EMAIL_LENGTH
            else None
        )
    # bcrypt runs outside the transaction: no connection held idle-in-transaction for ~250 ms.
    stored_hash = user["password_hash"] if user is not None else None
    matches = verify_password(password, stored_hash, rounds=settings.bcrypt_rounds)
    if user is None or user["inactive"] or not matches:
        _record_failure(db, key, settings, source)
    with db.transaction(tenant=Tenant.every_client()) as conn:
        conn.execute(QUERIES["auth_login_success"], _throttle_keys(key, source))
        tokens = _start_session(
            conn, user, family_id=uuid.uuid4(), session_version=user["session_version"], settings=settings
        )
    metrics.add_metric(name="Logins", unit="Count", value=1)
    logger.info("login succeeded", user_id=str(user["id"]))
    return tokens


def _usable(row: dict[str, Any]) -> bool:
    return not (
        row["revoked_at"] is not None
        or row["expired"]
        or row["inactive"]
        or row["session_version"] != row["user_session_version"]
    )


def _lookup(conn: psycopg.Connection[Any], token: str, settings: Settings) -> dict[str, Any] | None:
    return conn.execute(
        QUERIES["auth_refresh_lookup"],
        {"token_hash": hash_refresh_token(token), "grace_seconds": settings.refresh_reuse_grace_seconds},
    ).fetchone()


def _live_successor(conn: psycopg.Connection[Any], token: str, settings: Settings) -> tuple[str, dict[str, Any]] | None:
    """The family's live token that `token` (rotated within the grace) led to, if any."""
    current = token
    for _ in range(MAX_GRACE_CHAIN):
        current = successor_token(current, settings=settings)
        row = _lookup(conn, current, settings)
        if row is None or not _usable(row):
            return None
        if row["rotated_at"] is None:
            return current, row
        if not row["in_grace"]:
            return None
    return None


def _user_of(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["user_id"], "email": row["email"], "role": row["role"], "client_id": row["client_id"]}


def refresh(db: Database, *, refresh_token: str, settings: Settings) -> SessionTokens:
    """Rotate a refresh token: a new pair for a live token; reuse revokes the whole family.

    A token presented again within `refresh_reuse_grace_seconds` of its rotation gets the
    successor already issued for it (and a fresh access token) instead.
    """
    if len(refresh_token) > MAX_REFRESH_TOKEN_LENGTH or not _TOKEN_TEXT.fullmatch(refresh_token):
        # every token issued is URL-safe base64 (issue_session, successor_token); anything
        # else (a cookie may carry any text, a lone surrogate included) matches none
        raise Unauthenticated(REFRESH_FAILED, details="malformed refresh token")
    reused: dict[str, Any] | None = None
    graced = False
    with db.transaction(tenant=Tenant.every_client()) as conn:
        row = _lookup(conn, refresh_token, settings)
        if row is None:
            raise Unauthenticated(REFRESH_FAILED, details="unknown refresh token")
        if row["rotated_at"] is not None and row["revoked_at"] is None:
            found = _live_successor(conn, refresh_token, settings) if row["in_grace"] and _usable(row) else None
            if found is not None:
                # Another tab rotated this token a moment ago: hand back the same successor.
                successor, successor_row = found
                graced = True
                tokens = _session_tokens(
                    _user_of(successor_row),
                    family_id=successor_row["family_id"],
                    session_version=successor_row["user_session_version"],
                    settings=settings,
                    refresh_token=successor,
                )
            else:
                # A rotated token presented again: whoever holds the family is not trustworthy.
                conn.execute(
                    QUERIES["auth_refresh_revoke_family"], {"family_id": row["family_id"], "user_id": row["user_id"]}
                )
                reused = row
        elif row["rotated_at"] is not None or not _usable(row):
            raise Unauthenticated(REFRESH_FAILED, details="refresh token no longer valid")
        else:
            conn.execute(QUERIES["auth_refresh_rotate"], {"id": row["id"]})
            tokens = _start_session(
                conn,
                _user_of(row),
                family_id=row["family_id"],
                session_version=row["user_session_version"],
                settings=settings,
                refresh_token=successor_token(refresh_token, settings=settings),
            )
    if reused is not None:
        logger.warning(
            "refresh token reuse detected", user_id=str(reused["user_id"]), family_id=str(reused["family_id"])
        )
        metrics.add_metric(name="RefreshTokenReuse", unit="Count", value=1)
        raise Unauthenticated(REFRESH_FAILED, details="reused refresh token")
    if graced:
        logger.info("refresh token reused within the grace", user_id=str(tokens.user["id"]))
        metrics.add_metric(name="RefreshTokenGraceReuse", unit="Count", value=1)
    metrics.add_metric(name="TokenRefreshes", unit="Count", value=1)
    return tokens


def logout(db: Database, *, principal: Principal, everywhere: bool = False) -> None:
    """End the caller's session (its refresh-token family); `everywhere` ends all of them."""
    with db.transaction(tenant=Tenant.every_client()) as conn:
        if everywhere:
            revoke_all_sessions(conn, principal.user_id)
        elif principal.session_id is not None:
            conn.execute(
                QUERIES["auth_refresh_revoke_family"], {"family_id": principal.session_id, "user_id": principal.user_id}
            )
    metrics.add_metric(name="Logouts", unit="Count", value=1)


def revoke_all_sessions(conn: psycopg.Connection[Any], user_id: UUID) -> int:
    """Invalidate every access and refresh token of a user, inside the caller's transaction.

    Returns the new session version.
    """
    row = conn.execute(QUERIES["auth_bump_session_version"], {"user_id": user_id}).fetchone()
    conn.execute(QUERIES["auth_refresh_revoke_user"], {"user_id": user_id})
    return int(row["session_version"]) if row else 0


def set_password(conn: psycopg.Connection[Any], user_id: UUID, password: str, *, settings: Settings) -> int:
    """Store a new password hash and revoke every session of the user (caller's transaction)."""
    password_hash = hash_password(password, rounds=settings.bcrypt_rounds)
    row = conn.execute(QUERIES["auth_set_password"], {"user_id": user_id, "password_hash": password_hash}).fetchone()
    conn.execute(QUERIES["auth_refresh_revoke_user"], {"user_id": user_id})
    return int(row["session_version"]) if row else 0


def current_user(db: Database, *, principal: Principal) -> dict[str, Any]:
    """The caller's public profile."""
    with db.transaction(tenant=Tenant.every_client()) as conn:
        row = conn.execute(QUERIES["auth_user_by_id"], {"user_id": principal.user_id}).fetchone()
    if row is None:
        raise Unauthenticated("invalid or expired access token")
    return public_user(row)


def change_password(
    db: Database, *, principal: Principal, current_password: str, new_password: str, settings: Settings
) -> SessionTokens:
    """Change the caller's password: every other session ends, the caller gets a new one.

    A wrong current password counts toward the same throttle as a failed login, so a
    stolen access token cannot be used to guess the password.
    """
    check_length(current_password, field="current_password")
    check_strength(new_password, field="new_password")
    with db.transaction(tenant=Tenant.every_client()) as conn:
        user = conn.execute(QUERIES["auth_user_by_id"], {"user_id": principal.user_id}).fetchone()
        if user is None:
            raise Unauthenticated("invalid or expired access token")
        _check_not_locked(conn, email_key(user["email"]))
    if not verify_password(current_password, user["password_hash"], rounds=settings.bcrypt_rounds):
        _record_failure(db, email_key(user["email"]), settings)
    with db.transaction(tenant=Tenant.every_client()) as conn:
        version = set_password(conn, principal.user_id, new_password, settings=settings)
        tokens = _start_session(conn, user, family_id=uuid.uuid4(), session_version=version, settings=settings)
    metrics.add_metric(name="PasswordChanges", unit="Count", value=1)
    logger.info("password changed", user_id=str(principal.user_id))
    return tokens
