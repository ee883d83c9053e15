"""Per-container AWS adapters shared by the functions, built once and reused while warm."""

from __future__ import annotations

from functools import lru_cache

from shared.aws.s3 import S3ObjectStore
from shared.aws.ses import SesEmailSender


@lru_cache(maxsize=1)
def object_store() -> S3ObjectStore:
    return S3ObjectStore()


@lru_cache(maxsize=1)
def email_sender() -> SesEmailSender:
    return SesEmailSender()
