"""SPEC §3 "Idempotency and restatements": per (client, date) the newest upload wins,
whatever order the S3 events arrive in and however often (moto S3, real PostgreSQL)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from shared.aws.s3 import S3ObjectStore
from shared.ingestion.objects import UploadedObject
from tests.conftest import LANDING_BUCKET, sent_emails
from tests.ingestion.conftest import Ingest, runs

HEADER = "date,advertiser,campaign,strategy,placement,creative,impressions,clicks,conversions,conversion_revenue\n"
T0 = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)


def row(day: str, conversions: int, creative: str = "Banner") -> str:
    return (
        f"{day},Acme Outdoor,Spring Sale,Prospecting,news-site.com,{creative},10000,50,{conversions},{conversions}.50\n"
    )


V1 = HEADER + row("2026-03-01", 5)
V2 = HEADER + row("2026-03-01", 9)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def event(key: str, *, minutes: int, sequencer: str | None = None, **fields: Any) -> UploadedObject:
    return UploadedObject(bucket=LANDING_BUCKET, key=key, event_time=at(minutes), sequencer=sequencer, **fields)


def conversions_by_day(conn: Any) -> dict[str, int]:
    rows = conn.execute(
        "SELECT date::text AS day, sum(conversions) AS conv FROM daily_metrics GROUP BY date"
    ).fetchall()
    return {r["day"]: int(r["conv"]) for r in rows}


def test_v1_v2_v1_v2_in_upload_order_ends_on_v2(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    steps = [
        ("partner/v1.csv", V1.encode(), 1),
        ("partner/v2.csv", V2.encode(), 2),
        ("partner/v1-again.csv.gz", gzip.compress(V1.encode()), 3),
        ("partner/v2-again.csv", V2.encode(), 4),
    ]
    seen = []
    for key, data, minutes in steps:
        result = ingest(key, data, upload=event(key, minutes=minutes))
        seen.append((result.status, conversions_by_day(owner_conn)["2026-03-01"]))

    assert seen == [("success", 5), ("success", 9), ("success", 5), ("success", 9)]


def test_v1_v2_v1_v2_delivered_newest_first_ends_on_v2(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    uploads = {
        "partner/v1.csv": (V1.encode(), 1),
        "partner/v2.csv": (V2.encode(), 2),
        "partner/v1-again.csv.gz": (gzip.compress(V1.encode()), 3),
        "partner/v2-again.csv": (V2.encode(), 4),
    }
    statuses = []
    for key in ("partner/v2-again.csv", "partner/v1-again.csv.gz", "partner/v1.csv", "partner/v2.csv"):
        data, minutes = uploads[key]
        statuses.append(ingest(key, data, upload=event(key, minutes=minutes)).status)

    assert statuses == ["success", "stale", "stale", "stale"]
    assert conversions_by_day(owner_conn) == {"2026-03-01": 9}
    stale = [r for r in runs(owner_conn) if r["status"] == "stale"]
    assert [r["stale_days"] for r in stale] == [1, 1, 1]
    assert all("newer upload already holds all 1 days" in r["message"] for r in stale)
    assert sent_emails() == []  # stale runs alert nobody


def test_same_content_in_another_encoding_after_itself_is_duplicate(
    ingest: Ingest, acme: UUID, owner_conn: Any
) -> None:
    ingest("partner/a.csv", V1, upload=event("partner/a.csv", minutes=1))
    variants = {
        "partner/a.csv.gz": gzip.compress(V1.encode()),
        "partner/a-bom.csv": b"\xef\xbb\xbf" + V1.encode(),
        "partner/a-crlf.csv": V1.replace("\n", "\r\n").encode(),
    }
    statuses = [
        ingest(key, data, upload=event(key, minutes=2 + i)).status for i, (key, data) in enumerate(variants.items())
    ]

    assert statuses == ["duplicate", "duplicate", "duplicate"]
    # the newest of them now holds the day: v2 uploaded before it but delivered after is stale
    assert ingest("partner/v2.csv", V2, upload=event("partner/v2.csv", minutes=3)).status == "stale"
    assert conversions_by_day(owner_conn) == {"2026-03-01": 5}
    assert owner_conn.execute("SELECT count(*) AS n FROM daily_metrics").fetchone()["n"] == 1


def test_an_older_upload_delivered_late_changes_only_its_newest_days(
    ingest: Ingest, acme: UUID, owner_conn: Any
) -> None:
    # given an older upload of days 1-2 whose event arrives after a newer upload of days 2-3
    older = HEADER + row("2026-03-01", 1) + row("2026-03-02", 2)
    newer = HEADER + row("2026-03-02", 20) + row("2026-03-03", 30)
    first = ingest("partner/newer.csv", newer, upload=event("partner/newer.csv", minutes=5))

    late = ingest("partner/older.csv", older, upload=event("partner/older.csv", minutes=1))

    # then only day 1 (where it is the newest upload) loads; day 2 keeps the newer rows
    assert (first.status, late.status, late.records_loaded, late.stale_days) == ("success", "success", 1, 1)
    assert conversions_by_day(owner_conn) == {"2026-03-01": 1, "2026-03-02": 20, "2026-03-03": 30}
    assert "1 days stale" in late.message
    [run] = [r for r in runs(owner_conn) if r["id"] == late.run_id]
    assert (run["stale_days"], run["uploaded_at"]) == (1, at(1))
    day2 = owner_conn.execute(
        "SELECT DISTINCT ingestion_run_id AS id FROM daily_metrics WHERE date = '2026-03-02'"
    ).fetchall()
    assert day2 == [{"id": first.run_id}]


def test_a_stale_day_does_not_hide_a_repeated_key(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    ingest("partner/newer.csv", HEADER + row("2026-03-02", 20), upload=event("partner/newer.csv", minutes=5))
    repeated = HEADER + row("2026-03-01", 1) + row("2026-03-02", 2) + row("2026-03-02", 3)

    result = ingest("partner/older.csv", repeated, upload=event("partner/older.csv", minutes=1))

    assert result.status == "failed"
    assert "appears twice: lines 3 and 4" in result.message
    assert conversions_by_day(owner_conn) == {"2026-03-02": 20}


class CountingStore(S3ObjectStore):
    opened = 0

    def open(self, bucket: str, key: str, *, version_id: str | None = None) -> Any:
        CountingStore.opened += 1
        return super().open(bucket, key, version_id=version_id)


def test_a_re_delivered_event_is_a_duplicate_without_a_read(
    ingest: Ingest, acme: UUID, owner_conn: Any, s3: Any
) -> None:
    store = CountingStore(s3)
    CountingStore.opened = 0
    delivery = event("partner/a.csv", minutes=1, sequencer="0000000000000000000000000000000A")
    first = ingest("partner/a.csv", V1, upload=delivery, store=store)

    again = ingest("partner/a.csv", upload=delivery, store=store)

    assert (first.status, again.status) == ("success", "duplicate")
    assert "re-delivered event" in again.message
    assert CountingStore.opened == 1
    assert [r["sequencer"] for r in runs(owner_conn)] == [delivery.sequencer] * 2


def test_an_out_of_order_event_for_one_key_is_stale(ingest: Ingest, acme: UUID, owner_conn: Any, s3: Any) -> None:
    # given v1 then v2 uploaded to one key (unversioned): their events arrive v2 first
    key = "partner/daily.csv"
    s3.put_object(Bucket=LANDING_BUCKET, Key=key, Body=V1.encode())
    s3.put_object(Bucket=LANDING_BUCKET, Key=key, Body=V2.encode())

    newer = ingest(key, upload=event(key, minutes=2, sequencer="00000000000000000000000000000B02"))
    older = ingest(key, upload=event(key, minutes=1, sequencer="00000000000000000000000000000B01"))

    assert (newer.status, older.status) == ("success", "stale")
    assert "newer upload of this object key" in older.message
    assert conversions_by_day(owner_conn) == {"2026-03-01": 9}
    assert sent_emails() == []


def test_an_event_for_an_overwritten_object_is_stale_and_its_successor_loads(
    ingest: Ingest, acme: UUID, owner_conn: Any, s3: Any
) -> None:
    # given v1's event arriving after the key was overwritten by v2 (unversioned bucket)
    key = "partner/daily.csv"
    v1_etag = s3.put_object(Bucket=LANDING_BUCKET, Key=key, Body=V1.encode())["ETag"].strip('"')
    v2_etag = s3.put_object(Bucket=LANDING_BUCKET, Key=key, Body=V2.encode())["ETag"].strip('"')

    first = ingest(key, upload=event(key, minutes=1, sequencer="0B01", etag=v1_etag))
    second = ingest(key, upload=event(key, minutes=2, sequencer="0B02", etag=v2_etag))

    # then v1's bytes are gone: its event loads nothing (v2's own event does)
    assert (first.status, second.status) == ("stale", "success")
    assert "overwritten since this event" in first.message
    assert conversions_by_day(owner_conn) == {"2026-03-01": 9}


def test_a_versioned_bucket_reads_the_version_each_event_announces(
    ingest: Ingest, acme: UUID, owner_conn: Any, s3: Any
) -> None:
    s3.put_bucket_versioning(Bucket=LANDING_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    key = "partner/daily.csv"
    v1 = s3.put_object(Bucket=LANDING_BUCKET, Key=key, Body=V1.encode())["VersionId"]
    v2 = s3.put_object(Bucket=LANDING_BUCKET, Key=key, Body=V2.encode())["VersionId"]

    # v1's event first: its own bytes load (not the current v2), then v2's
    first = ingest(key, upload=event(key, minutes=1, sequencer="0B01", version_id=v1))
    after_v1 = conversions_by_day(owner_conn)
    second = ingest(key, upload=event(key, minutes=2, sequencer="0B02", version_id=v2))
    redelivered = ingest(key, upload=event(key, minutes=1, sequencer="0B01", version_id=v1))

    assert after_v1 == {"2026-03-01": 5}
    assert [first.status, second.status, redelivered.status] == ["success", "success", "duplicate"]
    assert conversions_by_day(owner_conn) == {"2026-03-01": 9}
    assert [r["version_id"] for r in runs(owner_conn)] == [v1, v2, v1]


def test_without_event_details_the_object_metadata_is_the_identity(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    result = ingest("partner/a.csv", V1)

    [run] = runs(owner_conn)
    assert result.status == "success"
    assert run["uploaded_at"] is not None and run["sequencer"] is None


def test_the_longest_key_s3_allows_is_recorded_and_loaded(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    # S3 keys are up to 1,024 bytes; with the bucket the run's file name is longer than that.
    stem = "partner/"
    key = stem + "a" * (1024 - len(stem) - len(".csv")) + ".csv"
    assert len(key.encode()) == 1024 and len(f"{LANDING_BUCKET}/{key}") > 1024
    result = ingest(key, V1.encode(), upload=event(key, minutes=1))
    assert result.status == "success"
    stored = owner_conn.execute("SELECT file_name FROM ingestion_logs WHERE id = %s", (result.run_id,)).fetchone()
    assert stored["file_name"] == f"{LANDING_BUCKET}/{key}"
    assert conversions_by_day(owner_conn) == {"2026-03-01": 5}
