"""What an S3 ObjectCreated event says about one uploaded object, and which keys are partner files.

The identity of an upload is its bucket, key and version id (the landing bucket is
versioned), or the event's `sequencer` when the bucket is not; its upload time is the
event's `eventTime` (or the object's LastModified when no event carries one). SPEC §3:
for every (client, date) the newest upload wins, whatever order the events arrive in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

# Matched case-insensitively (`UPPER.CSV`, `x.csv.GZ`): S3 notification filters are
# case-sensitive, so the bucket notifies for every object and this decides.
INGESTIBLE_SUFFIXES = (".csv", ".csv.gz")


def is_ingestible(key: str) -> bool:
    """`.csv` and `.csv.gz` objects (any case) are partner files."""
    return key.lower().endswith(INGESTIBLE_SUFFIXES)


def is_folder_marker(key: str) -> bool:
    """A zero-content "folder" the S3 console creates (`clients/acme/`): not an upload."""
    return key.endswith("/")


def normal_sequencer(value: str | None) -> str | None:
    """S3 sequencers of one key compare as hex strings of equal length: upper-cased and
    left-padded so a plain string comparison (also in SQL) orders them."""
    if not value:
        return None
    return value.strip().upper().rjust(32, "0")


@dataclass(frozen=True)
class UploadedObject:
    """One object of an S3 event: where it is and which upload of it the event announces."""

    bucket: str
    key: str
    version_id: str | None = None
    sequencer: str | None = None
    event_time: datetime | None = None
    etag: str | None = None

    @property
    def file_name(self) -> str:
        return f"{self.bucket}/{self.key}"


def _event_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None  # S3 always sends UTC ("…Z")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def uploaded_objects(event: Mapping[str, Any]) -> list[UploadedObject]:
    """Every object of an S3 ObjectCreated event, in record order. Keys arrive URL-encoded
    (`+` for a space); a missing or malformed version, sequencer or time is left unknown
    (an admin retry's event carries none: the run it repeats supplies them)."""
    found = []
    for record in event.get("Records") or []:
        s3 = record.get("s3") or {}
        obj = s3.get("object") or {}
        found.append(
            UploadedObject(
                bucket=str((s3.get("bucket") or {}).get("name", "")),
                key=unquote_plus(str(obj.get("key", ""))),
                version_id=_text(obj.get("versionId")),
                sequencer=normal_sequencer(_text(obj.get("sequencer"))),
                event_time=_event_time(record.get("eventTime")),
                etag=(_text(obj.get("eTag")) or "").strip('"') or None,
            )
        )
    return found
