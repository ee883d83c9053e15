"""Who is calling: the authenticated principal, checked against the live session state."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from shared.auth.tokens import AccessClaims
from shared.db import QUERIES, Database
from shared.errors import Unauthenticated


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user. `client_id` is None for the admin."""

    user_id: UUID
    role: str
    client_id: UUID | None
    session_version: int
    session_id: UUID | None = None  # the refresh-token family of this login

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def load_principal(db: Database, claims: AccessClaims) -> Principal:
    """The principal for verified token claims, if the session is still valid.

    One indexed statement per request: the user must exist, be enabled (and its client too),
    the login's refresh-token family must still hold a live token (logout ends it), and its `session_version` must equal the token's `sv` — logout-everywhere, password
    reset, role change and disabling bump it, which revokes every token issued before.
    Role and client come from the database, not the token.
    """
    # One statement, one round trip: app.session_state sets the all-clients tenant it needs
    # to see the user's client for itself (users has no RLS), and restores it (migration 1301).
    rows = db.call(QUERIES["auth_session_state"], {"user_id": claims.user_id, "family_id": claims.session_id})
    row = rows[0] if rows else None
    if row is None or row["inactive"] or not row["session_live"] or row["session_version"] != claims.session_version:
        raise Unauthenticated("invalid or expired access token", details="session revoked")
    return Principal(
        user_id=row["id"],
        role=row["role"],
        client_id=row["client_id"],
        session_version=row["session_version"],
        session_id=claims.session_id,
    )
