"""Ports: the interfaces domain code depends on. Adapters in `shared.aws` implement them;
tests pass fakes or moto-backed adapters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, BinaryIO, Protocol
from uuid import UUID


class EmailSender(Protocol):
    def send(self, *, sender: str, recipients: list[str], subject: str, text: str, html: str) -> None:
        """Send one email; raise on failure."""


class ObjectStore(Protocol):
    def open(self, bucket: str, key: str) -> BinaryIO:
        """A readable binary stream of the object (raises `StorageError`)."""

    def size(self, bucket: str, key: str) -> int:
        """The object's size in bytes (raises `StorageError`)."""

    def list_keys(self, bucket: str, prefix: str) -> Iterator[tuple[str, str]]:
        """(key, etag) of every object under `prefix`."""

    def copy(self, source_bucket: str, source_key: str, bucket: str, key: str) -> None:
        """Server-side copy of one object."""


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One alert that was sent (`status` "sent") or could not be ("failed")."""

    kind: str
    subject: str
    status: str
    recipients_count: int
    error: str | None
    run_id: UUID | None
    client_id: UUID | None

    def params(self) -> dict[str, Any]:
        return asdict(self)


class AlertJournal(Protocol):
    def record(self, entry: AlertRecord) -> None:
        """Record one alert attempt (raise on failure; the caller logs and carries on)."""


class UploadSigner(Protocol):
    def presigned_post(self, *, bucket: str, key: str, max_bytes: int, expires_in: int) -> tuple[str, dict[str, str]]:
        """A URL and form fields that let a browser POST exactly this key (≤ max_bytes) once."""
