"""Versioned SQL migrations: the one runner used by `make migrate` and the deploy-time
custom resource.

Files in `shared/db/migrations/` are named `NNNN_description.sql` and applied in order, each
in its own transaction, and recorded with their SHA-256 in `schema_migrations`. Running
twice is a no-op; a recorded migration whose file changed is refused (write a new one).
A session advisory lock keeps two runners from interleaving.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 72_4201_0001  # arbitrary, constant: the migration runner's advisory lock
APP_ROLES = ("dash_api", "dash_worker")


class MigrationError(Exception):
    """A migration cannot be applied (edited after being applied, bad name, SQL error)."""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql_text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql_text.encode("utf-8")).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """All migrations in version order; a badly named or duplicated version is an error."""
    migrations: dict[str, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file name {path.name!r} is not NNNN_description.sql")
        version = match.group(1)
        if version in migrations:
            raise MigrationError(f"migration version {version} is used twice")
        migrations[version] = Migration(version, path.stem, path.read_text(encoding="utf-8"))
    return [migrations[v] for v in sorted(migrations)]


def migrate(
    conninfo: str,
    *,
    directory: Path = MIGRATIONS_DIR,
    role_passwords: dict[str, str] | None = None,
) -> list[str]:
    """Apply pending migrations; return the versions applied by this call.

    `role_passwords` (AWS: read from Secrets Manager by the caller) sets the login password
    of the application roles after the migrations.
    """
    migrations = discover(directory)
    applied_now: list[str] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version text PRIMARY KEY, name text NOT NULL, checksum char(64) NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
            recorded = {version: checksum for version, checksum in rows}
            known = {m.version for m in migrations}
            for version in recorded:
                if version not in known:
                    raise MigrationError(f"database has migration {version} which is not in {directory}")
            for migration in migrations:
                if migration.version in recorded:
                    if recorded[migration.version] != migration.checksum:
                        raise MigrationError(
                            f"migration {migration.name} was edited after it was applied; add a new migration instead"
                        )
                    continue
                try:
                    with conn.transaction():
                        conn.execute(sql.SQL(migration.sql_text))  # type: ignore[arg-type]
                        conn.execute(
                            "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                            (migration.version, migration.name, migration.checksum),
                        )
                except psycopg.Error as exc:
                    raise MigrationError(f"migration {migration.name} failed: {exc}") from exc
                applied_now.append(migration.version)
            for role, password in (role_passwords or {}).items():
                if role not in APP_ROLES:
                    raise MigrationError(f"unknown application role {role!r}")
                # ALTER ROLE takes no bind parameters; Literal quotes the value safely.
                conn.execute(
                    sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
                )
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    return applied_now


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Apply the database migrations.")
    parser.add_argument("--database-url", help="defaults to $DATABASE_URL")
    args = parser.parse_args(argv)
    from shared.settings import get_settings

    url = args.database_url or get_settings().database_url
    if not url:
        print("DATABASE_URL is not set", file=sys.stderr)
        return 2
    try:
        applied = migrate(url)
    except MigrationError as exc:
        print(f"migration failed: {exc}", file=sys.stderr)
        return 1
    print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
