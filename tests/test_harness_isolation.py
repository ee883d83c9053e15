"""The shared fixtures keep tests apart: the S3/SES clients are made once per session, yet
every test starts with moto empty (only the landing bucket and the verified sender that the
fixtures create). Each case leaves state behind on purpose; whichever runs second would
fail if any of it leaked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ALERT_SENDER, LANDING_BUCKET, sent_emails


@pytest.mark.parametrize("case", ["first", "second"])
def test_moto_starts_empty_for_each_test(case: str, s3: Any, ses: Any) -> None:
    # given a fresh test: only what the fixtures arrange
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [LANDING_BUCKET]
    assert s3.list_objects_v2(Bucket=LANDING_BUCKET).get("KeyCount") == 0
    assert ses.list_identities()["Identities"] == [ALERT_SENDER]
    assert sent_emails() == []
    # when this test leaves objects, a bucket, an identity and a sent email behind
    s3.create_bucket(Bucket=f"left-behind-{case}")
    s3.put_object(Bucket=LANDING_BUCKET, Key=f"partner/{case}.csv", Body=b"x")
    ses.verify_email_identity(EmailAddress=f"{case}@example.com")
    ses.send_email(
        Source=ALERT_SENDER,
        Destination={"ToAddresses": ["admin@example.com"]},
        Message={"Subject": {"Data": case}, "Body": {"Text": {"Data": case}}},
    )
    # then it sees them (the other case must not)
    assert len(s3.list_buckets()["Buckets"]) == 2
    assert len(sent_emails()) == 1


@pytest.mark.parametrize("case", ["first", "second"])
def test_each_test_gets_its_own_empty_database(case: str, owner_conn: Any) -> None:
    assert owner_conn.execute("SELECT count(*) AS n FROM clients").fetchone()["n"] == 0
    owner_conn.execute("INSERT INTO clients (name, slug, status) VALUES (%s, %s, 'active')", (case, case))
    assert owner_conn.execute("SELECT count(*) AS n FROM clients").fetchone()["n"] == 1
