"""Clients and their advertiser names (what ingestion matches the `advertiser` column against)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import errors as pg_errors

from shared.db import QUERIES, Database, Tenant
from shared.errors import Conflict, InvalidInput, NotFound
from shared.observability import logger

MAX_ADVERTISERS = 500


class Unchanged:
    """A PATCH field the request did not name (None there means "clear")."""


UNCHANGED = Unchanged()


def _admin(db: Database) -> Any:
    return db.transaction(tenant=Tenant.every_client())


def list_clients(db: Database, *, status: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """A page of clients (by name) and the total count."""
    params = {"status": status, "limit": limit, "offset": offset}
    with _admin(db) as conn:
        total = conn.execute(QUERIES["admin_count_clients"], params).fetchone()["total"]
        rows = conn.execute(QUERIES["admin_list_clients"], params).fetchall()
    return rows, total


def get_client(db: Database, client_id: UUID) -> dict[str, Any]:
    """One client with its advertiser names and today's CPM; NotFound if it does not exist."""
    with _admin(db) as conn:
        row = conn.execute(QUERIES["admin_get_client"], {"client_id": client_id}).fetchone()
    if row is None:
        raise NotFound("client not found")
    return row


SLUG_MAX_LENGTH = 63


def slugify(name: str) -> str:
    """The ASCII slug of a name: accents folded ("Café Zoë" -> "cafe-zoe"), every other run
    of non-alphanumerics one dash, at most 63 characters; "client" when nothing is left."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:SLUG_MAX_LENGTH].rstrip("-")
    return slug or "client"


def free_slug(conn: Any, name: str) -> str:
    """The slug of `name`, with -2, -3 ... appended when it is taken."""
    base = slugify(name)
    pattern = base[: SLUG_MAX_LENGTH - 10] + "%"  # slugs hold [a-z0-9-] only: nothing to escape
    taken = {row["slug"] for row in conn.execute(QUERIES["admin_slugs_taken"], {"base": base, "pattern": pattern})}
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1


def create_client(
    db: Database,
    *,
    name: str,
    slug: str | None = None,
    advertisers: list[str] | None = None,
    currency: str = "USD",
) -> dict[str, Any]:
    """A new active client (amounts in `currency`, ISO 4217), in one transaction with its advertiser names (if given).

    Without a slug one is derived from the name (unique: `-2`, `-3` ... on collision).
    Conflict when a given slug or an advertiser name is taken.
    """
    cleaned = normalise_names(advertisers) if advertisers else []
    try:
        with _admin(db) as conn:
            chosen = slug if slug is not None else free_slug(conn, name)
            row = conn.execute(
                QUERIES["admin_insert_client"], {"name": name, "slug": chosen, "currency": currency}
            ).fetchone()
            assert row is not None
            if cleaned:
                _write_advertisers(conn, row["id"], cleaned)
            created = conn.execute(QUERIES["admin_get_client"], {"client_id": row["id"]}).fetchone()
    except pg_errors.UniqueViolation:
        raise Conflict("a client with this slug already exists") from None
    except pg_errors.CheckViolation:
        raise InvalidInput("invalid client name or slug") from None
    logger.info("client created", client_id=str(created["id"]))
    return created


def update_client(
    db: Database,
    client_id: UUID,
    *,
    name: str | None,
    slug: str | None,
    status: str | None,
    currency: str | None = None,
    monthly_budget: Decimal | Unchanged | None = UNCHANGED,
) -> dict[str, Any]:
    """Change name, slug, status, currency and/or the monthly budget (PATCH; a budget of None
    clears it); NotFound, or Conflict for a taken slug.

    Disabling a client ends every session of its users for good (their access tokens'
    session version is bumped, their refresh tokens revoked): re-enabling it later
    restores logins, never the old tokens."""
    sessions_revoked = 0
    try:
        with _admin(db) as conn:
            current = conn.execute(QUERIES["admin_client_status_for_update"], {"client_id": client_id}).fetchone()
            if current is None:
                raise NotFound("client not found")
            conn.execute(
                QUERIES["admin_update_client"],
                {
                    "client_id": client_id,
                    "name": name,
                    "slug": slug,
                    "status": status,
                    "currency": currency,
                    "set_budget": not isinstance(monthly_budget, Unchanged),
                    "monthly_budget": None if isinstance(monthly_budget, Unchanged) else monthly_budget,
                },
            )
            if status == "disabled" and current["status"] != "disabled":
                revoked = conn.execute(QUERIES["auth_revoke_client_sessions"], {"client_id": client_id}).fetchone()
                sessions_revoked = int(revoked["users"]) if revoked else 0
            updated = conn.execute(QUERIES["admin_get_client"], {"client_id": client_id}).fetchone()
    except pg_errors.UniqueViolation:
        raise Conflict("a client with this slug already exists") from None
    except pg_errors.CheckViolation:
        raise InvalidInput("invalid client name, slug or status") from None
    logger.info(
        "client updated", client_id=str(client_id), status=updated["status"], users_sessions_revoked=sessions_revoked
    )
    return updated


def list_advertisers(db: Database, client_id: UUID) -> list[str]:
    """The client's advertiser names, sorted."""
    with _admin(db) as conn:
        if conn.execute(QUERIES["admin_client_exists"], {"client_id": client_id}).fetchone() is None:
            raise NotFound("client not found")
        return [row["name"] for row in conn.execute(QUERIES["admin_list_advertisers"], {"client_id": client_id})]


def normalise_names(names: list[str]) -> list[str]:
    """Trimmed names, without duplicates that ingestion would treat as the same advertiser."""
    seen: set[str] = set()
    result: list[str] = []
    for raw in names:
        name = " ".join(raw.split())
        if not name:
            raise InvalidInput("advertisers must not contain a blank name")
        if len(name) > 255:
            raise InvalidInput("advertiser names are at most 255 characters")
        key = "".join(name.lower().split())  # the same key as app.name_key
        if key not in seen:
            seen.add(key)
            result.append(name)
    if len(result) > MAX_ADVERTISERS:
        raise InvalidInput(f"at most {MAX_ADVERTISERS} advertiser names per client")
    return result


def replace_advertisers(db: Database, client_id: UUID, names: list[str]) -> list[str]:
    """Replace the client's advertiser names; Conflict when one belongs to another client."""
    cleaned = normalise_names(names)
    with _admin(db) as conn:
        if conn.execute(QUERIES["admin_client_exists"], {"client_id": client_id}).fetchone() is None:
            raise NotFound("client not found")
        _write_advertisers(conn, client_id, cleaned)
        result = [row["name"] for row in conn.execute(QUERIES["admin_list_advertisers"], {"client_id": client_id})]
    logger.info("advertisers replaced", client_id=str(client_id), count=len(result))
    return result


def _write_advertisers(conn: Any, client_id: UUID, cleaned: list[str]) -> None:
    """Replace the client's names inside the caller's transaction; Conflict when one belongs
    to another client."""
    taken = conn.execute(QUERIES["admin_advertiser_taken"], {"client_id": client_id, "names": cleaned}).fetchall()
    if taken:
        listed = ", ".join(f"{row['name']!r} ({row['client_name']})" for row in taken[:5])
        raise Conflict(f"advertiser names already used by another client: {listed}")
    conn.execute(QUERIES["admin_delete_advertisers"], {"client_id": client_id})
    try:
        conn.execute(QUERIES["admin_insert_advertisers"], {"client_id": client_id, "names": cleaned})
    except pg_errors.UniqueViolation:
        # Another client took one of the names concurrently.
        raise Conflict("an advertiser name was just taken by another client") from None
