"""Domain exceptions, named for what went wrong.

Adapters translate psycopg and botocore errors into these; the API maps them to HTTP status
codes in one table (`shared.api.errors`). Messages are safe to show to a caller.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every expected failure. `message` is safe to return to a caller."""

    def __init__(self, message: str, *, details: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    """The request or file content is invalid."""


class UnsupportedMediaType(DomainError):
    """The request body is not in a format the API reads (JSON only)."""


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it exists."""


class Conflict(DomainError):
    """The change conflicts with existing state (duplicate slug, email, ...)."""


class Unauthenticated(DomainError):
    """Missing, expired or invalid credentials."""


class Forbidden(DomainError):
    """Authenticated but not allowed."""


class TooManyRequests(DomainError):
    """Throttled; `retry_after` seconds until the caller may try again."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DatabaseUnavailable(DomainError):
    """The database cannot be reached or failed; the operation should be retried."""


class StorageError(DomainError):
    """An object could not be read from or written to S3."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code  # e.g. NoSuchKey, AccessDenied


class UpstreamUnavailable(DomainError):
    """Another AWS service the request needs (e.g. invoking the ingestion function) failed;
    the message is safe to show and says to retry."""


class ConfigurationError(DomainError):
    """A required setting is missing or invalid."""
