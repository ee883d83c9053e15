"""Process-wide collaborators of the API, built lazily and reused across warm invocations.

Tests and the local stack replace them with `use_database(...)` / `use_settings(...)`
(`reset()` restores lazy building). Route code always goes through `database()` and
`settings()` so a replacement takes effect everywhere.
"""

from __future__ import annotations

from shared.db import Database
from shared.settings import Settings, get_settings

_database: Database | None = None
_settings: Settings | None = None


def settings() -> Settings:
    """The API's settings (the environment's unless replaced)."""
    return _settings if _settings is not None else get_settings()


def database() -> Database:
    """The container's `Database` for the API role, opened on first use."""
    global _database
    if _database is None:
        _database = Database.from_settings(settings())
    return _database


def use_database(db: Database | None) -> None:
    """Replace the database (tests, local stack); None rebuilds it lazily from settings."""
    global _database
    _database = db


def use_settings(value: Settings | None) -> None:
    """Replace the settings (tests, local stack); None reads the environment again."""
    global _settings
    _settings = value


def reset() -> None:
    """Forget both replacements (test teardown)."""
    use_database(None)
    use_settings(None)
