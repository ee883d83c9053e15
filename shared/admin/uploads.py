"""Browser uploads into the landing bucket, through an S3 presigned POST.

The API never handles the file: it issues a short-lived POST policy for ONE object key, and
the browser posts the file straight to S3, where the ordinary ObjectCreated trigger runs
the same ingestion as for partner files. The policy pins the bucket, the exact key, the
content type and a content-length range of 1 byte to `MAX_FILE_BYTES`; only `.csv` and
`.csv.gz` names are accepted.

Keys: `uploads/<YYYY-MM-DD>/<uuid>-<name>`, or `clients/<slug>/uploads/<YYYY-MM-DD>/<uuid>-<name>`
when a client is named (so a file without an advertiser column is resolved by its prefix).
The uuid makes every upload a new object, never an overwrite of an earlier one.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath, PureWindowsPath

from shared.db import QUERIES, Database, Tenant
from shared.errors import ConfigurationError, InvalidInput
from shared.ports import UploadSigner
from shared.settings import Settings

UPLOAD_URL_SECONDS = 900
MAX_NAME_CHARS = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SUFFIXES = (".csv.gz", ".csv")


@dataclass(frozen=True, slots=True)
class PresignedUpload:
    url: str
    fields: dict[str, str]
    key: str
    bucket: str
    max_bytes: int
    expires_in: int


def safe_file_name(file_name: str) -> str:
    """The last path segment, reduced to [A-Za-z0-9._-], with a lower-case `.csv`/`.csv.gz`
    suffix; InvalidInput for any other suffix or an empty name."""
    base = PureWindowsPath(PurePosixPath(file_name.strip()).name).name
    lowered = base.lower()
    suffix = next((s for s in _SUFFIXES if lowered.endswith(s)), None)
    if suffix is None:
        raise InvalidInput("file_name must end in .csv or .csv.gz")
    stem = _UNSAFE.sub("-", base[: -len(suffix)]).strip("-.") or "upload"
    return stem[: MAX_NAME_CHARS - len(suffix)] + suffix


def upload_key(file_name: str, *, client_slug: str | None, today: date, token: str | None = None) -> str:
    """The object key for an upload of `file_name` (see the module docstring)."""
    name = f"{token or uuid.uuid4().hex}-{safe_file_name(file_name)}"
    prefix = f"clients/{client_slug}/uploads" if client_slug else "uploads"
    return f"{prefix}/{today.isoformat()}/{name}"


def create_upload(
    db: Database,
    *,
    file_name: str,
    client_slug: str | None,
    settings: Settings,
    signer: UploadSigner,
    today: date,
) -> PresignedUpload:
    """A presigned POST for one new object in the landing bucket."""
    if not settings.landing_bucket:
        raise ConfigurationError("LANDING_BUCKET is not set")
    if client_slug is not None:
        with db.transaction(tenant=Tenant.every_client()) as conn:
            found = conn.execute(QUERIES["admin_client_by_slug"], {"slug": client_slug}).fetchone()
        if found is None:
            raise InvalidInput("client_slug does not name a client")
    key = upload_key(file_name, client_slug=client_slug, today=today)
    url, fields = signer.presigned_post(
        bucket=settings.landing_bucket, key=key, max_bytes=settings.max_file_bytes, expires_in=UPLOAD_URL_SECONDS
    )
    return PresignedUpload(
        url=url,
        fields=fields,
        key=key,
        bucket=settings.landing_bucket,
        max_bytes=settings.max_file_bytes,
        expires_in=UPLOAD_URL_SECONDS,
    )
