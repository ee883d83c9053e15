"""User accounts (created by the admin only; no self sign-up)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import errors as pg_errors

from shared.auth.passwords import generate_password, hash_password
from shared.db import QUERIES, Database, Tenant
from shared.errors import Conflict, InvalidInput
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
