"""User accounts (created by the admin only; no self sign-up)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import errors as pg_errors

from shared.auth.passwords import generate_password, hash_password
from shared.auth.service import revoke_all_sessions, set_password
from shared.db import QUERIES, Database, Tenant
from shared.errors import Conflict, InvalidInput, NotFound
from shared.observability import logger
from shared.settings import Settings

ROLES = ("admin", "client")


def _check_role(role: str, client_id: UUID | str | None) -> None:
    if role not in ROLES:
        raise InvalidInput("role must be 'admin' or 'client'")
    if role == "admin" and client_id is not None:
        raise InvalidInput("an admin has no client_id")
    if role == "client" and client_id is None:
        raise InvalidInput("a client user needs a client_id")


def create_user_record(
    db: Database,
    *,
    email: str,
    role: str,
    client_id: UUID | str | None,
    password: str | None,
    settings: Settings,
) -> dict[str, Any]:
    """Insert a user; without a password one is generated (returned as `temporary_password`).

    Conflict for an email already used (case-insensitive), InvalidInput for a role/client
    mismatch, a too short / too long password or an unknown client.
    """
    email = email.strip()
    if "@" not in email[1:]:
        raise InvalidInput("email is not valid")
    _check_role(role, client_id)
    temporary = password is None
    chosen = generate_password() if password is None else password
    password_hash = hash_password(chosen, rounds=settings.bcrypt_rounds)
    try:
        with db.transaction(tenant=Tenant.every_client()) as conn:
            if (
                client_id is not None
                and conn.execute(QUERIES["admin_client_exists"], {"client_id": client_id}).fetchone() is None
            ):
                raise InvalidInput("client_id does not name a client")
            row = conn.execute(
                QUERIES["auth_insert_user"],
                {"email": email, "password_hash": password_hash, "role": role, "client_id": client_id},
            ).fetchone()
    except pg_errors.UniqueViolation:
        raise Conflict("a user with this email already exists") from None
    assert row is not None
    user = dict(row)
    if temporary:
        user["temporary_password"] = chosen
    return user


def list_users(
    db: Database,
    *,
    role: str | None,
    client_id: UUID | None,
    limit: int,
    offset: int,
    disabled: bool | None = None,
    email: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of users (by email) and the total count; `email` matches a case-insensitive part."""
    params = {
        "role": role,
        "client_id": client_id,
        "disabled": disabled,
        "email": email or None,
        "limit": limit,
        "offset": offset,
    }
    with db.transaction(tenant=Tenant.every_client()) as conn:
        total = conn.execute(QUERIES["admin_count_users"], params).fetchone()["total"]  # type: ignore[index]
        rows = conn.execute(QUERIES["admin_list_users"], params).fetchall()
    return rows, total


def get_user(db: Database, user_id: UUID) -> dict[str, Any]:
    """One user; NotFound if it does not exist."""
    with db.transaction(tenant=Tenant.every_client()) as conn:
        row = conn.execute(QUERIES["admin_get_user"], {"user_id": user_id}).fetchone()
    if row is None:
        raise NotFound("user not found")
    return row


_UNSET: Any = object()


def update_user(
    db: Database,
    user_id: UUID,
    *,
    actor_id: UUID,
    role: str | None = None,
    client_id: Any = _UNSET,
    disabled: bool | None = None,
) -> dict[str, Any]:
    """Change a user's role, client and/or disabled flag (PATCH).

    Any real change of role or client, and disabling, revokes the user's sessions (bumps
    `session_version`, revokes refresh tokens). The admin cannot disable or demote itself
    (it would lock the portal out).
    """
    with db.transaction(tenant=Tenant.every_client()) as conn:
        current = conn.execute(QUERIES["admin_get_user_for_update"], {"user_id": user_id}).fetchone()
        if current is None:
            raise NotFound("user not found")
        new_role = role if role is not None else current["role"]
        # Without an explicit client_id, becoming an admin drops the client; otherwise it is kept.
        keep = None if new_role == "admin" else current["client_id"]
        new_client = keep if client_id is _UNSET else client_id
        new_disabled = current["disabled"] if disabled is None else disabled
        _check_role(new_role, new_client)
        if user_id == actor_id and (new_role != "admin" or new_disabled):
            raise InvalidInput("you cannot demote or disable your own account")
        if (
            new_client is not None
            and conn.execute(QUERIES["admin_client_exists"], {"client_id": new_client}).fetchone() is None
        ):
            raise InvalidInput("client_id does not name a client")
        conn.execute(
            QUERIES["admin_update_user"],
            {"user_id": user_id, "role": new_role, "client_id": new_client, "disabled": new_disabled},
        )
        access_changed = (
            new_role != current["role"]
            or new_client != current["client_id"]
            or (new_disabled and not current["disabled"])
        )
        if access_changed:
            revoke_all_sessions(conn, user_id)
        row = conn.execute(QUERIES["admin_get_user"], {"user_id": user_id}).fetchone()
        assert row is not None
    logger.info("user updated", user_id=str(user_id), sessions_revoked=access_changed)
    return row


def reset_password(db: Database, user_id: UUID, *, settings: Settings) -> str:
    """Give the user a new temporary password and end all its sessions; returns the password."""
    password = generate_password()
    with db.transaction(tenant=Tenant.every_client()) as conn:
        if conn.execute(QUERIES["admin_get_user_for_update"], {"user_id": user_id}).fetchone() is None:
            raise NotFound("user not found")
        set_password(conn, user_id, password, settings=settings)
    logger.info("password reset", user_id=str(user_id))
    return password
