"""Per-container collaborators of the ingestion functions, built once and reused warm."""

from __future__ import annotations

from functools import lru_cache

from shared.aws.s3 import S3ObjectStore
from shared.aws.ses import SesEmailSender
from shared.db import Database
from shared.settings import Settings

_database: tuple[Settings, Database] | None = None


def database_for(settings: Settings) -> Database:
    """The container's `Database` for these settings (connection opened on first use)."""
    global _database
    if _database is None or _database[0] is not settings:
        if _database is not None:
            _database[1].close()
        _database = (settings, Database.from_settings(settings))
    return _database[1]


@lru_cache(maxsize=1)
def object_store() -> S3ObjectStore:
    return S3ObjectStore()


@lru_cache(maxsize=1)
def email_sender() -> SesEmailSender:
    return SesEmailSender()
