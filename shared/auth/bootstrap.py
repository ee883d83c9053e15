"""Create the first admin account (there is no self sign-up).

    python -m shared.auth.bootstrap --email admin@example.com [--password '...']

Connects with the settings of the environment: locally `DATABASE_URL` (the owner URL, or
`DB_USER=dash_api` to act as the API role). Without `--password` a random one is generated
and printed once. An existing email is an error (exit status 1), never overwritten.

Against a deployed stack (the database is in private subnets), invoke the admin API
function directly — it accepts `{"bootstrap_admin": {"email": "..."}}` and creates the
admin only while no enabled admin exists, returning the generated password in the
invocation result (never logged). See docs/api.md.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from shared.admin.users import create_user_record
from shared.db import QUERIES, Database, Tenant
from shared.errors import DomainError
from shared.observability import logger, metrics
from shared.settings import Settings, get_settings


def create_admin(db: Database, *, email: str, password: str | None, settings: Settings) -> tuple[dict[str, Any], str]:
    """Create an admin user; returns the user row and its password (generated when None).

    Raises Conflict when the email exists and InvalidInput for a bad email or password.
    """
    user = create_user_record(db, email=email, role="admin", client_id=None, password=password, settings=settings)
    chosen = user.pop("temporary_password", None) or password
    assert chosen is not None
    return user, chosen


def bootstrap_event(event: dict[str, Any], *, db: Database, settings: Settings) -> dict[str, Any]:
    """Handle a direct invocation `{"bootstrap_admin": {"email": E}}` of the admin function.

    Only for the very first admin: refused once an enabled admin exists, so the payload is
    useless to anyone later (callers need lambda:InvokeFunction on the function anyway).
    """
    metrics.add_metric(name="AdminBootstrapRequests", unit="Count", value=1)
    request = event.get("bootstrap_admin")
    email = request.get("email") if isinstance(request, dict) else None
    if not isinstance(email, str):
        return {"ok": False, "error": 'expected {"bootstrap_admin": {"email": "..."}}'}
    with db.transaction(tenant=Tenant.every_client()) as conn:
        existing = conn.execute(QUERIES["auth_enabled_admin_exists"]).fetchone()
    if existing is not None:
        return {"ok": False, "error": "an admin already exists; create further admins in the admin portal"}
    try:
        user, password = create_admin(db, email=email, password=None, settings=settings)
    except DomainError as exc:
        return {"ok": False, "error": exc.message}
    logger.info("first admin created", user_id=str(user["id"]))
    return {"ok": True, "email": user["email"], "id": str(user["id"]), "password": password}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.auth.bootstrap", description="Create an admin account.")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", help="default: generate one and print it")
    args = parser.parse_args(argv)
    settings = get_settings()
    db = Database.from_settings(settings)
    try:
        user, password = create_admin(db, email=args.email, password=args.password, settings=settings)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"admin created: {user['email']} (id {user['id']})")
    if args.password is None:
        print(f"password: {password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
