"""Exactly once and all or nothing: concurrent loads, crashes, a killed connection, a dead database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg
import pytest
from botocore.exceptions import ClientError

from shared.aws.s3 import S3ObjectStore
from shared.db import Database
from shared.errors import DatabaseUnavailable
from shared.ingestion import loader
from shared.ingestion.csv_reader import FileRejected
from shared.ingestion.objects import UploadedObject
from shared.ingestion.service import ingest_object
from shared.settings import Settings
from tests.conftest import LANDING_BUCKET, role_url, sent_emails
from tests.ingestion.conftest import TODAY, Ingest, body, event_bytes, runs, totals

UPLOADED = datetime(2026, 3, 3, 6, 15, 42, 123000, tzinfo=UTC)


class FlakyBody:
    """An object body that runs `on_second_read` when the reader comes back for more."""

    def __init__(self, data: bytes, on_second_read: Any) -> None:
        self._data = data
        self._reads = 0
        self._hook = on_second_read

    def read(self, size: int = -1) -> bytes:
        self._reads += 1
        if self._reads == 2:
            self._hook()
        chunk, self._data = (self._data, b"") if size < 0 else (self._data[:size], self._data[size:])
        return chunk


class HookedStore(S3ObjectStore):
    def __init__(self, client: Any, hook: Any) -> None:
        super().__init__(client)
        self._hook = hook

    def open(self, bucket: str, key: str, *, version_id: str | None = None) -> Any:
        return FlakyBody(super().open(bucket, key, version_id=version_id).read(), self._hook)


def _nothing_stored(conn: Any) -> None:
    assert totals(conn)["rows"] == 0
    assert conn.execute("SELECT count(*) AS n FROM campaigns").fetchone()["n"] == 0
    assert conn.execute("SELECT count(*) AS n FROM staging_media_raw").fetchone()["n"] == 0


def test_two_concurrent_loads_of_one_file_store_it_once(
    s3: Any, sender: Any, settings: Settings, db_url: str, acme: UUID, owner_conn: Any
) -> None:
    # The same bytes under two keys (two uploads): both runs are mid-stream at the same time.
    for key in ("partner/a.csv", "partner/a-copy.csv"):
        s3.put_object(Bucket=LANDING_BUCKET, Key=key, Body=event_bytes("partner_clean.csv"))
    both_reading = threading.Barrier(2, timeout=30)
    store = HookedStore(s3, both_reading.wait)
    results, errors = _concurrently(["partner/a.csv", "partner/a-copy.csv"], store=store, settings=settings,
                                    sender=sender, db_url=db_url)  # fmt: skip

    assert errors == []
    assert sorted(r.status for r in results) == ["duplicate", "success"]
    assert totals(owner_conn)["rows"] == 6
    assert owner_conn.execute("SELECT count(*) AS n FROM campaigns").fetchone()["n"] == 2


def test_two_concurrent_deliveries_of_one_event_load_it_once(
    s3: Any, sender: Any, settings: Settings, db_url: str, acme: UUID, owner_conn: Any
) -> None:
    # given one upload whose event is delivered twice at the same moment
    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/a.csv", Body=event_bytes("partner_clean.csv"))
    event = UploadedObject(
        bucket=LANDING_BUCKET, key="partner/a.csv", sequencer="0066A5B8C1D2E3F400", event_time=UPLOADED
    )

    # when both deliveries run at once, then the object's lock serialises them
    results, errors = _concurrently(["partner/a.csv"] * 2, store=S3ObjectStore(s3), settings=settings,
                                    sender=sender, db_url=db_url, upload=event)  # fmt: skip

    assert errors == []
    assert sorted(r.status for r in results) == ["duplicate", "success"]
    assert "re-delivered event" in next(r.message for r in results if r.status == "duplicate")
    assert totals(owner_conn)["rows"] == 6


def _concurrently(keys: list[str], *, db_url: str, **kwargs: Any) -> tuple[list[Any], list[BaseException]]:
    results: list[Any] = []
    errors: list[BaseException] = []

    def load(key: str) -> None:
        database = Database(role_url(db_url, "dash_worker"))
        try:
            results.append(ingest_object(LANDING_BUCKET, key, db=database, today=TODAY, **kwargs))
        except BaseException as exc:
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=load, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_a_crash_while_reading_leaves_nothing(
    s3: Any, sender: Any, settings: Settings, worker_db: Database, acme: UUID, owner_conn: Any
) -> None:
    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/a.csv", Body=event_bytes("partner_clean.csv"))

    def crash() -> None:
        raise RuntimeError("container killed")

    with pytest.raises(RuntimeError):
        ingest_object(
            LANDING_BUCKET,
            "partner/a.csv",
            settings=settings,
            db=worker_db,
            store=HookedStore(s3, crash),
            sender=sender,
            today=TODAY,
        )

    _nothing_stored(owner_conn)
    assert [r["status"] for r in runs(owner_conn)] == ["failed"]
    [email] = sent_emails()
    assert "Ingestion failed" in email.subject


def test_a_crash_after_the_metrics_insert_leaves_nothing(
    ingest: Ingest, acme: UUID, owner_conn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("injected after the daily_metrics insert")

    monkeypatch.setattr(loader, "describe", crash)
    with pytest.raises(RuntimeError):
        ingest("partner/a.csv", event_bytes("partner_clean.csv"))
    _nothing_stored(owner_conn)

    monkeypatch.undo()
    assert ingest("partner/a.csv").status == "success"  # the retry loads it, once
    assert totals(owner_conn)["rows"] == 6


def test_a_killed_connection_raises_for_a_retry_and_leaves_nothing(
    s3: Any, sender: Any, settings: Settings, worker_db: Database, acme: UUID, owner_conn: Any
) -> None:
    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/a.csv", Body=event_bytes("partner_clean.csv"))

    def kill() -> None:
        pid = worker_db.connection().info.backend_pid
        owner_conn.execute("SELECT pg_terminate_backend(%s)", (pid,))

    with pytest.raises(DatabaseUnavailable):
        ingest_object(
            LANDING_BUCKET,
            "partner/a.csv",
            settings=settings,
            db=worker_db,
            store=HookedStore(s3, kill),
            sender=sender,
            today=TODAY,
        )

    _nothing_stored(owner_conn)
    [email] = sent_emails()
    assert "Database unavailable" in email.subject
    # The Lambda retry (same event) then loads the file exactly once.
    retry = ingest_object(
        LANDING_BUCKET,
        "partner/a.csv",
        settings=settings,
        db=worker_db,
        store=S3ObjectStore(s3),
        sender=sender,
        today=TODAY,
    )
    assert retry.status == "success"
    assert totals(owner_conn)["rows"] == 6


def test_database_down_raises_after_one_alert(s3: Any, store: Any, sender: Any, settings: Settings) -> None:
    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/a.csv", Body=event_bytes("partner_clean.csv"))
    down = Database("host=127.0.0.1 port=9 dbname=nowhere user=dash_worker connect_timeout=1")

    with pytest.raises(DatabaseUnavailable):
        ingest_object(
            LANDING_BUCKET, "partner/a.csv", settings=settings, db=down, store=store, sender=sender, today=TODAY
        )

    [email] = sent_emails()
    assert "Database unavailable" in email.subject and "partner/a.csv" in body(email)


def test_a_sql_error_fails_the_run_without_leaking_details(
    ingest: Ingest, acme: UUID, owner_conn: Any, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise psycopg.errors.CheckViolation("secret detail")

    monkeypatch.setattr(loader, "store_rejected_rows", broken)
    text = event_bytes("partner_clean.csv") + b"2026-03-05,Acme Outdoor,C,S,P,X,1,2,0,0\n"
    lenient = settings.model_copy(update={"reject_threshold": 1})

    result = ingest("partner/a.csv", text, settings=lenient)

    assert result.status == "failed"
    assert "SQLSTATE" in result.message and "secret" not in result.message
    _nothing_stored(owner_conn)


class DeniedClient:
    """A boto3 S3 client whose reads are denied (no s3:GetObject / ListBucket)."""

    def __init__(self, code: str) -> None:
        self._code = code

    def _deny(self, operation: str) -> None:
        raise ClientError({"Error": {"Code": self._code, "Message": "denied"}}, operation)

    def head_object(self, **kwargs: Any) -> None:
        self._deny("HeadObject")

    def get_object(self, **kwargs: Any) -> None:
        self._deny("GetObject")


@pytest.mark.parametrize(("code", "subject"), [("AccessDenied", "S3 access denied"), ("403", "S3 access denied")])
def test_s3_access_denied_is_a_failed_run_with_an_alert(
    ingest: Ingest, owner_conn: Any, code: str, subject: str
) -> None:
    result = ingest("partner/a.csv", store=S3ObjectStore(DeniedClient(code)))

    assert result.status == "failed" and "AccessDenied" in result.message
    assert runs(owner_conn)[0]["status"] == "failed"
    [email] = sent_emails()
    assert subject in email.subject


def test_s3_missing_object_is_a_failed_run_with_an_alert(ingest: Ingest, owner_conn: Any) -> None:
    result = ingest("partner/never-uploaded.csv")

    assert result.status == "failed" and "NoSuchKey" in result.message
    [email] = sent_emails()
    assert "Ingestion failed" in email.subject and "NoSuchKey" in body(email)


class BrokenSender:
    def send(self, **kwargs: Any) -> None:
        raise RuntimeError("SES is down")


@pytest.mark.parametrize(("name", "status"), [("partner_clean.csv", "success"), ("bad_duplicate_key.csv", "failed")])
def test_an_email_failure_never_changes_the_outcome(
    ingest: Ingest, acme: UUID, owner_conn: Any, name: str, status: str
) -> None:
    result = ingest("partner/a.csv", event_bytes(name), sender=BrokenSender())
    assert result.status == status
    assert runs(owner_conn)[0]["status"] == status
    assert totals(owner_conn)["rows"] == (6 if status == "success" else 0)


def test_two_concurrent_loads_for_one_client_serialize_and_both_land(
    s3: Any, sender: Any, settings: Settings, db_url: str, acme: UUID, owner_conn: Any
) -> None:
    header = "date,advertiser,campaign,strategy,placement,creative,impressions,clicks,conversions,conversion_revenue\n"
    for day in ("2026-03-10", "2026-03-11"):
        body_text = header + "".join(f"{day},Acme Outdoor,C,S,P,Creative {i},1000,1,0,0\n" for i in range(50))
        s3.put_object(Bucket=LANDING_BUCKET, Key=f"partner/{day}.csv", Body=body_text.encode())
    both_reading = threading.Barrier(2, timeout=30)
    store = HookedStore(s3, both_reading.wait)
    results: list[Any] = []

    def load(day: str) -> None:
        database = Database(role_url(db_url, "dash_worker"))
        try:
            results.append(
                ingest_object(
                    LANDING_BUCKET,
                    f"partner/{day}.csv",
                    settings=settings,
                    db=database,
                    store=store,
                    sender=sender,
                    today=TODAY,
                )
            )
        finally:
            database.close()

    threads = [threading.Thread(target=load, args=(day,)) for day in ("2026-03-10", "2026-03-11")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(r.status for r in results) == ["success", "success"]
    per_day = owner_conn.execute(
        "SELECT date::text, count(*) AS n FROM daily_metrics GROUP BY date ORDER BY date"
    ).fetchall()
    assert per_day == [{"date": "2026-03-10", "n": 50}, {"date": "2026-03-11", "n": 50}]
    # The shared dimensions were created once, not once per load.
    assert owner_conn.execute("SELECT count(*) AS n FROM creatives").fetchone()["n"] == 50


def test_any_file_rejected_subclass_is_a_failed_run_with_its_reason_and_one_alert(
    s3: Any, sender: Any, settings: Settings, worker_db: Database, acme: UUID, owner_conn: Any
) -> None:
    # given a whole-file reason the service has never heard of, raised while streaming
    class LineTooLong(FileRejected):
        pass

    def refuse() -> None:
        raise LineTooLong("line 2 is longer than 1,000,000 characters")

    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/a.csv", Body=event_bytes("partner_clean.csv"))

    result = ingest_object(
        LANDING_BUCKET, "partner/a.csv", settings=settings, db=worker_db, store=HookedStore(s3, refuse),
        sender=sender, today=TODAY,
    )  # fmt: skip

    # then the outcome table maps it like every FileRejected: failed, its reason, one alert
    assert (result.status, result.message) == ("failed", "failed: line 2 is longer than 1,000,000 characters")
    _nothing_stored(owner_conn)
    [run] = runs(owner_conn)
    assert (run["status"], run["retried_by_lambda"]) == ("failed", False)
    [email] = sent_emails()
    assert "line 2 is longer than 1,000,000 characters" in body(email) and "What to do" in body(email)
