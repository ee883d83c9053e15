"""Copy new partner objects from the partner's bucket into the landing bucket.

Each object version (key + ETag) is claimed in `partner_sync_copies` in the same transaction
as its copy: a failed copy rolls the claim back (retried next run), a done one is never
repeated, and two overlapping runs serialise on the claim. The landing bucket's
ObjectCreated trigger then ingests the copy (which is idempotent by checksum anyway).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_lambda_powertools.metrics import MetricUnit

from shared.db import QUERIES, Database, Tenant
from shared.errors import ConfigurationError, StorageError
from shared.ingestion.objects import is_ingestible
from shared.observability import logger, metrics
from shared.ports import ObjectStore
from shared.settings import Settings


@dataclass
class SyncReport:
    copied: list[str] = field(default_factory=list)
    skipped: int = 0
    failed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"copied": self.copied, "skipped": self.skipped, "failed": self.failed}


def target_key(source_key: str, prefix: str) -> str:
    """The landing key: the partner key relative to the configured prefix."""
    relative = source_key[len(prefix) :] if prefix and source_key.startswith(prefix) else source_key
    return relative.lstrip("/") or source_key


def sync_partner_objects(*, settings: Settings, db: Database, store: ObjectStore) -> SyncReport:
    """Copy every not-yet-copied `.csv`/`.csv.gz` object under the partner prefix."""
    if not settings.partner_bucket or not settings.landing_bucket:
        raise ConfigurationError("PARTNER_BUCKET and LANDING_BUCKET must be set for the partner sync")
    source_bucket, prefix, landing = settings.partner_bucket, settings.partner_prefix, settings.landing_bucket
    report = SyncReport()
    for key, etag in store.list_keys(source_bucket, prefix):
        if not is_ingestible(key):
            continue
        destination = target_key(key, prefix)
        try:
            with db.transaction(tenant=Tenant.every_client()) as conn:
                claimed = conn.execute(
                    QUERIES["partner_sync_claim"],
                    {
                        "source_bucket": source_bucket,
                        "source_key": key,
                        "etag": etag,
                        "target_bucket": landing,
                        "target_key": destination,
                    },
                ).fetchone()
                if claimed is None:
                    report.skipped += 1
                    continue
                store.copy(source_bucket, key, landing, destination)
        except StorageError as exc:
            logger.warning("partner object copy failed", key=key, code=exc.code)
            report.failed.append(key)
            continue
        report.copied.append(destination)
    metrics.add_metric(name="PartnerObjectsCopied", unit=MetricUnit.Count, value=len(report.copied))
    logger.info("partner sync done", copied=len(report.copied), skipped=report.skipped, failed=len(report.failed))
    return report
