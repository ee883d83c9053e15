"""What the admin sees of login throttling, and how it clears a lock.

The counting itself happens on the login path (`shared.auth.service`, SQL
`auth_login_failure`): per (email, source address), per source and per email.
"""

from __future__ import annotations

from typing import Any

from shared.auth.service import email_key
from shared.db import QUERIES, Database, Tenant
from shared.errors import InvalidInput
from shared.observability import logger
from shared.settings import Settings


def list_throttles(db: Database, *, settings: Settings, limit: int, offset: int) -> list[dict[str, Any]]:
    """Every throttle with failures in the current window (blocked ones first)."""
    with db.transaction(tenant=Tenant.every_client()) as conn:
        return conn.execute(
            QUERIES["auth_throttle_list"],
            {"window_seconds": settings.login_lockout_seconds, "limit": limit, "offset": offset},
        ).fetchall()


def clear_throttles(db: Database, *, email: str | None, source: str | None) -> int:
    """Forget the failures of an email and/or a source address; returns the rows cleared."""
    if not email and not source:
        raise InvalidInput("email or source is required")
    params = {"email_key": email_key(email) if email else None, "source": source or None}
    with db.transaction(tenant=Tenant.every_client()) as conn:
        cleared = conn.execute(QUERIES["auth_throttle_clear"], params).rowcount
    logger.info("login throttle cleared", cleared=cleared)
    return cleared
