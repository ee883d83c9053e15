"""The three Lambda handlers, the missing-file check and the partner sync."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus
from uuid import UUID

import pytest

from shared.aws.s3 import S3ObjectStore
from shared.db import Database
from shared.ingestion.missing_files import check_missing_files, reporting_yesterday
from shared.ingestion.partner_sync import sync_partner_objects, target_key
from shared.settings import Settings
from tests.conftest import LANDING_BUCKET, load_event, sent_emails
from tests.ingestion.conftest import Ingest, add_client, body, event_bytes, totals


@dataclass
class FakeContext:
    function_name: str = "ingest"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:ingest"
    aws_request_id: str = "req-1"
    remaining_ms: int = 900_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def fresh_adapters() -> None:
    """Handlers cache their boto3 clients per container; each test has its own moto."""
    import shared.aws.s3
    import shared.aws.ses
    from shared.aws import runtime

    for cached in (shared.aws.s3._client, shared.aws.ses._client, runtime.object_store, runtime.email_sender):
        cached.cache_clear()


def s3_event(*objects: tuple[str, str] | tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """An S3 event of `(bucket, raw_key[, object fields such as eTag, sequencer])` records."""
    template = load_event("s3_object_created.json")
    event: dict[str, Any] = {"Records": []}
    for bucket, raw_key, *fields in objects:
        record = copy.deepcopy(template["Records"][0])
        record["s3"]["bucket"]["name"] = bucket
        record["s3"]["object"]["key"] = raw_key
        record["s3"]["object"].pop("eTag")  # the template's is not these objects' ETag
        record["s3"]["object"].update(*fields)
        event["Records"].append(record)
    return event


def test_ingest_handler_processes_every_record_with_decoded_keys(
    s3: Any, ses: Any, settings: Settings, acme: UUID, owner_conn: Any, fresh_adapters: None
) -> None:
    from functions.ingest.handler import lambda_handler

    key = "partner/2026 03/acme+clean (1).csv"
    etag = s3.put_object(Bucket=LANDING_BUCKET, Key=key, Body=event_bytes("partner_clean.csv"))["ETag"]
    s3.put_object(Bucket=LANDING_BUCKET, Key="clients/acme-outdoor/", Body=b"")
    upload = {"eTag": etag.strip('"')}
    event = s3_event(
        (LANDING_BUCKET, quote_plus(key), upload),
        (LANDING_BUCKET, "partner/readme.txt"),
        (LANDING_BUCKET, "clients/acme-outdoor/"),
        (LANDING_BUCKET, quote_plus(key), upload),  # the same event delivered again
    )

    response = lambda_handler(event, FakeContext())

    assert [(r["key"], r["status"]) for r in response["results"]] == [
        (key, "success"),
        ("partner/readme.txt", "failed"),
        ("clients/acme-outdoor/", "skipped"),
        (key, "duplicate"),
    ]
    assert response["results"][0]["records_loaded"] == 6
    assert "re-delivered event" in response["results"][3]["message"]
    assert totals(owner_conn)["rows"] == 6
    [alert] = sent_emails()  # the readme's, once
    assert "partner/readme.txt" in alert.subject


@pytest.mark.parametrize("key", ["partner/UPPER.CSV", "partner/x.csv.GZ", "clients/acme-outdoor/Day.Csv.Gz"])
def test_keys_are_matched_case_insensitively(
    s3: Any, ses: Any, settings: Settings, acme: UUID, owner_conn: Any, fresh_adapters: None, key: str
) -> None:
    import gzip

    data = event_bytes("partner_clean.csv")
    s3.put_object(Bucket=LANDING_BUCKET, Key=key, Body=gzip.compress(data) if key.lower().endswith(".gz") else data)
    from functions.ingest.handler import lambda_handler

    [result] = lambda_handler(s3_event((LANDING_BUCKET, quote_plus(key))), FakeContext())["results"]

    assert result["status"] == "success", result["message"]
    assert totals(owner_conn)["rows"] == 6


@pytest.mark.parametrize("key", ["partner/report.xlsx", "partner/data.csv.zip", "partner/notes", "partner/x.gz"])
def test_any_other_object_is_one_failed_run_with_one_alert(
    s3: Any, ses: Any, settings: Settings, acme: UUID, owner_conn: Any, fresh_adapters: None, key: str
) -> None:
    from functions.ingest.handler import lambda_handler

    s3.put_object(Bucket=LANDING_BUCKET, Key=key, Body=event_bytes("partner_clean.csv"))
    event = s3_event((LANDING_BUCKET, quote_plus(key)))

    first = lambda_handler(event, FakeContext())["results"]
    again = lambda_handler(event, FakeContext())["results"]  # S3 delivers the event twice

    assert [r["status"] for r in first + again] == ["failed", "duplicate"]
    assert "does not end in .csv or .csv.gz" in first[0]["message"]
    assert totals(owner_conn)["rows"] == 0
    [alert] = sent_emails()
    assert alert.subject.endswith(f"Ingestion failed: {LANDING_BUCKET}/{key}")
    text = body(alert)
    assert "not a partner file" in text and "What to do" in text
    assert "rename it to end in .csv or .csv.gz" in text


def test_missing_file_check_alerts_once_per_client_and_day(
    ingest: Ingest, acme: UUID, owner_conn: Any, worker_db: Database, sender: Any, settings: Settings
) -> None:
    beta = add_client(owner_conn, name="Beta Bikes", slug="beta-bikes")
    add_client(owner_conn, name="Gone", slug="gone", status="disabled")
    ingest("partner/a.csv", event_bytes("partner_clean.csv"))  # acme has data for 2026-03-02
    now = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)

    first = check_missing_files(settings=settings, db=worker_db, sender=sender, now=now)
    again = check_missing_files(settings=settings, db=worker_db, sender=sender, now=now)

    assert (first.missing, first.alerted) == ([beta], [beta])
    assert (again.alerted, again.already_alerted) == ([], [beta])
    [email] = sent_emails()
    assert "Missing daily file: Beta Bikes has no data for Monday, Mar 2, 2026" in email.subject
    logged = owner_conn.execute("SELECT kind, dedupe_key, sent FROM alert_log").fetchall()
    assert logged == [{"kind": "missing_file", "dedupe_key": f"{beta}:2026-03-02", "sent": True}]
    # The next day is a new alert.
    later = check_missing_files(
        settings=settings, db=worker_db, sender=sender, now=datetime(2026, 3, 4, 10, tzinfo=UTC)
    )
    assert sorted(later.alerted) == sorted([acme, beta])


def test_missing_file_alert_that_failed_to_send_is_retried(
    owner_conn: Any, worker_db: Database, sender: Any, settings: Settings
) -> None:
    beta = add_client(owner_conn, name="Beta Bikes", slug="beta-bikes")
    now = datetime(2026, 3, 3, 10, tzinfo=UTC)
    unconfigured = settings.model_copy(update={"alert_recipients": []})

    check_missing_files(settings=unconfigured, db=worker_db, sender=sender, now=now)
    retried = check_missing_files(settings=settings, db=worker_db, sender=sender, now=now)

    assert retried.alerted == [beta]
    assert len(sent_emails()) == 1


def test_reporting_day_follows_the_reporting_timezone(settings: Settings) -> None:
    new_york = settings.model_copy(update={"reporting_timezone": "America/New_York"})
    now = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)  # still 2 March in New York
    assert reporting_yesterday(settings, now).isoformat() == "2026-03-02"
    assert reporting_yesterday(new_york, now).isoformat() == "2026-03-01"


def test_missing_file_handler_runs_on_the_scheduled_event(
    ses: Any, settings: Settings, owner_conn: Any, fresh_adapters: None
) -> None:
    from functions.missing_file_check.handler import lambda_handler

    add_client(owner_conn, name="Beta Bikes", slug="beta-bikes")
    response = lambda_handler(load_event("scheduled_event.json"), FakeContext(function_name="missing_file_check"))
    assert len(response["alerted"]) == 1 and len(sent_emails()) == 1


PARTNER_BUCKET = "partner-exports"


@pytest.fixture
def partner(s3: Any, settings: Settings) -> Settings:
    s3.create_bucket(Bucket=PARTNER_BUCKET)
    s3.put_object(Bucket=PARTNER_BUCKET, Key="exports/clients/acme-outdoor/2026-03-01.csv", Body=b"a")
    s3.put_object(Bucket=PARTNER_BUCKET, Key="exports/daily/2026-03-01.csv.gz", Body=b"b")
    s3.put_object(Bucket=PARTNER_BUCKET, Key="exports/readme.txt", Body=b"c")
    s3.put_object(Bucket=PARTNER_BUCKET, Key="other/2026-03-01.csv", Body=b"d")
    return settings.model_copy(update={"partner_bucket": PARTNER_BUCKET, "partner_prefix": "exports/"})


def _landing(s3: Any) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=LANDING_BUCKET).get("Contents", []))


def test_partner_sync_never_copies_the_same_object_twice(
    s3: Any, partner: Settings, worker_db: Database, owner_conn: Any
) -> None:
    store = S3ObjectStore(s3)

    first = sync_partner_objects(settings=partner, db=worker_db, store=store)
    second = sync_partner_objects(settings=partner, db=worker_db, store=store)

    assert sorted(first.copied) == ["clients/acme-outdoor/2026-03-01.csv", "daily/2026-03-01.csv.gz"]
    assert (second.copied, second.skipped) == ([], 2)
    assert _landing(s3) == ["clients/acme-outdoor/2026-03-01.csv", "daily/2026-03-01.csv.gz"]
    # A new version of an object (new content, new ETag) is a new delivery.
    s3.put_object(Bucket=PARTNER_BUCKET, Key="exports/daily/2026-03-01.csv.gz", Body=b"restated")
    third = sync_partner_objects(settings=partner, db=worker_db, store=store)
    assert third.copied == ["daily/2026-03-01.csv.gz"]
    assert s3.get_object(Bucket=LANDING_BUCKET, Key="daily/2026-03-01.csv.gz")["Body"].read() == b"restated"
    assert owner_conn.execute("SELECT count(*) AS n FROM partner_sync_copies").fetchone()["n"] == 3


def test_partner_sync_failed_copy_is_retried_next_run(s3: Any, partner: Settings, worker_db: Database) -> None:
    class FailingOnce(S3ObjectStore):
        failed = False

        def copy(self, source_bucket: str, source_key: str, bucket: str, key: str) -> None:
            if not FailingOnce.failed:
                FailingOnce.failed = True
                from shared.errors import StorageError

                raise StorageError("denied", code="AccessDenied")
            super().copy(source_bucket, source_key, bucket, key)

    first = sync_partner_objects(settings=partner, db=worker_db, store=FailingOnce(s3))
    second = sync_partner_objects(settings=partner, db=worker_db, store=FailingOnce(s3))
    assert len(first.failed) == 1 and len(first.copied) == 1
    assert second.copied == [target_key(first.failed[0], "exports/")]


def test_partner_sync_handler(
    s3: Any, partner: Settings, monkeypatch: pytest.MonkeyPatch, fresh_adapters: None
) -> None:
    from functions.partner_sync.handler import lambda_handler
    from shared.settings import get_settings

    monkeypatch.setenv("PARTNER_BUCKET", PARTNER_BUCKET)
    monkeypatch.setenv("PARTNER_PREFIX", "exports/")
    get_settings.cache_clear()
    response = lambda_handler(load_event("scheduled_event.json"), FakeContext(function_name="partner_sync"))
    assert len(response["copied"]) == 2


def test_admin_retry_event_links_the_new_run(
    s3: Any, ses: Any, settings: Settings, acme: UUID, owner_conn: Any, fresh_adapters: None
) -> None:
    from functions.ingest.handler import lambda_handler
    from shared.aws.lambda_invoke import retry_event

    failed = lambda_handler(s3_event((LANDING_BUCKET, "partner/late.csv")), FakeContext())["results"][0]
    assert failed["status"] == "failed"  # not uploaded yet
    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/late.csv", Body=event_bytes("partner_clean.csv"))

    retried = lambda_handler(retry_event(LANDING_BUCKET, "partner/late.csv", UUID(failed["run_id"])), FakeContext())

    [result] = retried["results"]
    assert result["status"] == "success"
    row = owner_conn.execute("SELECT retry_of FROM ingestion_logs WHERE id = %s", (result["run_id"],)).fetchone()
    assert str(row["retry_of"]) == failed["run_id"]


def test_interrupted_runs_are_failed_once_with_one_alert(
    owner_conn: Any, worker_db: Database, sender: Any, settings: Settings
) -> None:
    # given a run a killed Lambda left `running` an hour ago, and one still loading
    insert = (
        "INSERT INTO ingestion_logs (file_name, bucket, object_key, status, started_at)"
        " VALUES (%s, 'b', %s, 'running', now() - %s::interval) RETURNING id"
    )
    stuck = owner_conn.execute(insert, ("b/stuck.csv", "stuck.csv", "1 hour")).fetchone()["id"]
    loading = owner_conn.execute(insert, ("b/loading.csv", "loading.csv", "2 minutes")).fetchone()["id"]

    # when the daily check runs twice
    first = check_missing_files(settings=settings, db=worker_db, sender=sender)
    again = check_missing_files(settings=settings, db=worker_db, sender=sender)

    # then only the stuck run is failed, once, with one alert naming it
    assert (first.interrupted_runs, again.interrupted_runs) == ([stuck], [])
    statuses = {r["id"]: r["status"] for r in owner_conn.execute("SELECT id, status FROM ingestion_logs")}
    assert statuses == {stuck: "failed", loading: "running"}
    [email] = [m for m in sent_emails() if "interrupted" in m.subject]
    assert "b/stuck.csv" in email.body and "b/loading.csv" not in email.body
    # and the failed run's page gives its retry step; the loading run has none yet
    steps = {r["id"]: r["what_to_do"] for r in owner_conn.execute("SELECT id, what_to_do FROM ingestion_logs")}
    assert steps[stuck][0] == f"Retry run {stuck}: POST /admin/ingestions/{stuck}/retry."
    assert steps[loading] == []


def test_ingest_handler_gives_up_before_the_lambda_timeout(
    s3: Any, ses: Any, settings: Settings, acme: UUID, owner_conn: Any, fresh_adapters: None
) -> None:
    from functions.ingest.handler import lambda_handler
    from shared.ingestion.limits import TIME_LIMIT_REASON

    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/a.csv", Body=event_bytes("partner_clean.csv"))
    event = s3_event((LANDING_BUCKET, "partner/a.csv"))

    # 20 s left and the default 30 s margin: no time to load, nothing stored
    [late] = lambda_handler(event, FakeContext(remaining_ms=20_000))["results"]
    assert (late["status"], late["message"]) == ("failed", f"failed: {TIME_LIMIT_REASON}")
    assert totals(owner_conn)["rows"] == 0
    # with the function's full 15 minutes the same event loads
    [ok] = lambda_handler(event, FakeContext(remaining_ms=900_000))["results"]
    assert ok["status"] == "success"
