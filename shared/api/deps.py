"""Process-wide collaborators of the API, built lazily and reused across warm invocations.

Tests and the local stack replace them with `use_database(...)` / `use_settings(...)`
(`reset()` restores lazy building). Route code always goes through `database()` and
`settings()` so a replacement takes effect everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.db import Database
from shared.settings import Settings, get_settings

if TYPE_CHECKING:
    from shared.admin.ingestions import IngestionDispatcher
    from shared.ports import UploadSigner

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
    """Forget every replacement (test teardown)."""
    use_database(None)
    use_settings(None)
    use_ingestion_dispatcher(None)
    use_upload_signer(None)


_dispatcher: Any = None


def ingestion_dispatcher() -> IngestionDispatcher:
    """How an admin retry re-runs ingestion: the ingest function in AWS, in-process locally."""
    global _dispatcher
    if _dispatcher is None:
        current = settings()
        if current.ingest_function_name:
            from shared.aws.lambda_invoke import LambdaIngestionDispatcher

            _dispatcher = LambdaIngestionDispatcher(current.ingest_function_name)
        else:
            from shared.admin.ingestions import InProcessIngestionDispatcher
            from shared.aws.s3 import S3ObjectStore
            from shared.aws.ses import SesEmailSender

            # Locally the worker role runs the load (the API role cannot write staging data).
            worker = current.model_copy(update={"db_user": "dash_worker"})
            _dispatcher = InProcessIngestionDispatcher(
                settings=worker, db=Database.from_settings(worker), store=S3ObjectStore(), sender=SesEmailSender()
            )
    return _dispatcher


def use_ingestion_dispatcher(dispatcher: IngestionDispatcher | None) -> None:
    """Replace the retry dispatcher (tests, local stack); None rebuilds it lazily."""
    global _dispatcher
    _dispatcher = dispatcher


_signer: Any = None


def upload_signer() -> UploadSigner:
    """Signs the admin's browser uploads into the landing bucket (S3 presigned POST)."""
    global _signer
    if _signer is None:
        from shared.aws.s3 import S3UploadSigner

        _signer = S3UploadSigner()
    return _signer


def use_upload_signer(signer: UploadSigner | None) -> None:
    """Replace the upload signer (tests); None rebuilds it lazily."""
    global _signer
    _signer = signer
