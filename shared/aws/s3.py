"""S3 adapter for the `ObjectStore` port: botocore errors become `StorageError`."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any, BinaryIO, cast

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from shared.errors import StorageError
from shared.ports import ObjectInfo

# Without s3:ListBucket a missing object reads as 403; both mean "cannot read it".
_CODES = {"404": "NoSuchKey", "NoSuchKey": "NoSuchKey", "403": "AccessDenied", "AccessDenied": "AccessDenied"}


@lru_cache(maxsize=1)
def _client() -> Any:
    # One client per container; AWS_ENDPOINT_URL points it at the emulator locally.
    return boto3.client("s3")


def _storage_error(exc: Exception, bucket: str, key: str) -> StorageError:
    if isinstance(exc, ClientError):
        raw = str(exc.response.get("Error", {}).get("Code", "Unknown"))
        code = _CODES.get(raw, raw)
        return StorageError(f"cannot read s3://{bucket}/{key}: {code}", code=code)
    return StorageError(f"cannot read s3://{bucket}/{key}: {type(exc).__name__}", code="Unavailable")


def _version(version_id: str | None) -> dict[str, str]:
    return {"VersionId": version_id} if version_id else {}


class _GuardedBody:
    """The streaming body, with read errors mid-stream translated too."""

    def __init__(self, body: Any, bucket: str, key: str) -> None:
        self._body = body
        self._where = (bucket, key)

    def read(self, size: int = -1) -> bytes:
        try:
            return cast(bytes, self._body.read(size))
        except (ClientError, BotoCoreError, OSError) as exc:
            raise _storage_error(exc, *self._where) from exc

    def close(self) -> None:
        self._body.close()


class S3ObjectStore:
    """`ObjectStore` over boto3 S3 (a client may be passed in, e.g. a moto one in tests)."""

    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or _client()

    def open(self, bucket: str, key: str, *, version_id: str | None = None) -> BinaryIO:
        try:
            response = self.client.get_object(Bucket=bucket, Key=key, **_version(version_id))
        except (ClientError, BotoCoreError) as exc:
            raise _storage_error(exc, bucket, key) from exc
        return cast(BinaryIO, _GuardedBody(response["Body"], bucket, key))

    def head(self, bucket: str, key: str, *, version_id: str | None = None) -> ObjectInfo:
        try:
            response = self.client.head_object(Bucket=bucket, Key=key, **_version(version_id))
        except (ClientError, BotoCoreError) as exc:
            raise _storage_error(exc, bucket, key) from exc
        version = response.get("VersionId")
        return ObjectInfo(
            size=int(response["ContentLength"]),
            etag=str(response.get("ETag", "")).strip('"'),
            last_modified=response["LastModified"],
            version_id=None if version in (None, "null") else str(version),
        )

    def size(self, bucket: str, key: str) -> int:
        return self.head(bucket, key).size

    def list_keys(self, bucket: str, prefix: str) -> Iterator[tuple[str, str]]:
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield item["Key"], str(item["ETag"]).strip('"')
        except (ClientError, BotoCoreError) as exc:
            raise _storage_error(exc, bucket, prefix) from exc

    def copy(self, source_bucket: str, source_key: str, bucket: str, key: str) -> None:
        try:
            # Managed copy: multipart for objects over 5 GB, a single CopyObject otherwise.
            self.client.copy({"Bucket": source_bucket, "Key": source_key}, bucket, key)
        except (ClientError, BotoCoreError) as exc:
            raise _storage_error(exc, source_bucket, source_key) from exc


class S3UploadSigner:
    """`UploadSigner` over boto3: a SigV4 POST policy for exactly one key.

    The policy pins the bucket, the key, the Content-Type field, the response status and a
    content-length range of 1..max_bytes; S3 refuses any POST outside it.
    """

    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or _client()

    def presigned_post(self, *, bucket: str, key: str, max_bytes: int, expires_in: int) -> tuple[str, dict[str, str]]:
        content_type = "application/gzip" if key.lower().endswith(".gz") else "text/csv"
        fields = {"Content-Type": content_type, "success_action_status": "201"}
        conditions: list[Any] = [
            {"bucket": bucket},
            {"key": key},
            {"Content-Type": content_type},
            {"success_action_status": "201"},
            ["content-length-range", 1, max_bytes],
        ]
        try:
            post = self.client.generate_presigned_post(
                Bucket=bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in
            )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(
                f"cannot sign an upload to s3://{bucket}: {type(exc).__name__}", code="Unavailable"
            ) from exc
        return str(post["url"]), {name: str(value) for name, value in post["fields"].items()}
