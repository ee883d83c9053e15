"""The S3 notification emulation and the alert-email console feed of the local stack."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event

from local.notifications import MailWatcher, S3Notifier, format_email, s3_event
from shared.alerts import Alert
from tests.conftest import LANDING_BUCKET


def test_s3_event_has_the_real_shape_and_an_s3_encoded_key() -> None:
    event = s3_event(
        bucket="landing", key="clients/acme/export 03-01 (v2)+final.csv", size=123, etag='"abc"', sequence=7
    )
    record = S3Event(event).record
    assert record.event_name == "ObjectCreated:Put"
    assert record.event_source == "aws:s3"
    assert record.s3.bucket.name == "landing"
    assert record.s3.bucket.arn == "arn:aws:s3:::landing"
    assert record.s3.get_object.size == 123
    assert record.s3.get_object.etag == "abc"
    assert record.s3.get_object.sequencer == "0000000000000007"
    # S3 encodes spaces as '+', and '+' itself as %2B; slashes stay
    raw_key = record.s3.get_object.key
    assert raw_key == "clients/acme/export+03-01+%28v2%29%2Bfinal.csv"
    assert unquote_plus(raw_key) == "clients/acme/export 03-01 (v2)+final.csv"


def test_notifier_delivers_each_new_object_once_in_upload_order(s3: Any) -> None:
    delivered: list[str] = []
    reported: list[tuple[str, Any, BaseException | None]] = []

    events: list[dict[str, Any]] = []

    def deliver(event: dict[str, Any]) -> dict[str, str]:
        key = unquote_plus(event["Records"][0]["s3"]["object"]["key"])
        delivered.append(key)
        events.append(event["Records"][0])
        if key.endswith("boom.csv"):
            raise RuntimeError("handler failed")
        return {"status": "success"}

    notifier = S3Notifier(s3, bucket=LANDING_BUCKET, deliver=deliver, on_result=lambda *args: reported.append(args))

    # given a few uploads, one of which is not a partner file and one in upper case
    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/a.csv", Body=b"a")
    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/b.CSV.GZ", Body=b"b")
    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/notes.txt", Body=b"n")
    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/boom.csv", Body=b"x")

    # when the bucket is polled twice
    assert notifier.poll_once() == 4
    assert notifier.poll_once() == 0

    # then every object was delivered exactly once (no suffix filter, like the deployed
    # notification: the handler decides), and a failure was reported, not raised
    assert sorted(delivered) == ["partner/a.csv", "partner/b.CSV.GZ", "partner/boom.csv", "partner/notes.txt"]
    assert [key for key, _result, error in reported if error is not None] == ["partner/boom.csv"]
    # each event carries an upload time and a sequencer, as S3's do
    assert all(record["eventTime"].endswith("Z") and record["s3"]["object"]["sequencer"] for record in events)

    # a re-upload of the same key with new content is a new ObjectCreated event; the same bytes are not
    first_a = next(r for r in events if r["s3"]["object"]["key"] == "partner/a.csv")
    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/a.csv", Body=b"a restated")
    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/c.csv", Body=b"c")
    assert notifier.poll_once() == 2
    assert delivered[-2:] in (["partner/a.csv", "partner/c.csv"], ["partner/c.csv", "partner/a.csv"])
    assert notifier.delivered == 6
    again_a = [r for r in events if r["s3"]["object"]["key"] == "partner/a.csv"][-1]
    # the later upload of one key has the larger sequencer (S3 orders one key's events so)
    assert again_a["s3"]["object"]["sequencer"] > first_a["s3"]["object"]["sequencer"]


def test_mail_watcher_prints_each_email_once_as_text() -> None:
    alert = Alert(
        kind="ingestion_failed",
        subject="Ingestion failed: bucket/x.csv",
        summary="The file bucket/x.csv was not loaded & nothing was stored.",
        details=[("Reason", "missing required column(s): clicks")],
        lines=["line 3: clicks > impressions"],
    )
    inbox: list[dict[str, Any]] = [
        {
            "id": "m1",
            "subject": alert.subject,
            "destinations": {"ToAddresses": ["admin@example.com"]},
            "body": alert.html(),
        }
    ]
    printed: list[str] = []
    watcher = MailWatcher(lambda: inbox, printed.append)

    assert watcher.poll_once() == 1
    assert watcher.poll_once() == 0
    inbox.append(
        {"id": "m2", "subject": "second", "destinations": {"ToAddresses": ["a@b.c"]}, "body": "plain text body"}
    )
    assert watcher.poll_once() == 1

    first = printed[0]
    assert first.startswith("--- alert email to admin@example.com: Ingestion failed: bucket/x.csv")
    assert "was not loaded & nothing was stored." in first  # HTML unescaped
    assert "Reason: missing required column(s): clicks" in first
    assert "- line 3: clicks > impressions" in first
    assert "<" not in first.replace("clicks > impressions", "")
    assert printed[1].endswith("plain text body")


def test_format_email_tolerates_sparse_messages() -> None:
    assert format_email({}).startswith("--- alert email to : ")
