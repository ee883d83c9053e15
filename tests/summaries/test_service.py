"""Runs over clients: schedules, backfill, the digest email and the scheduled handlers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from shared.aws.ses import SesEmailSender
from shared.db import Database
from shared.errors import InvalidInput, NotFound
from shared.settings import Settings
from shared.summaries import SummaryRunFailed, backfill, run_monthly, run_weekly
from shared.summaries import service as service_module
from tests.conftest import sent_emails
from tests.summaries.data import make_client

MONDAY_0500 = datetime(2026, 3, 9, 5, tzinfo=UTC)


@pytest.fixture
def clients(owner_conn):
    acme = make_client(owner_conn, "acme", cpm="4.0000", name="Acme Outdoor")
    globex = make_client(owner_conn, "globex", cpm="2.0000", name="Globex")
    dormant = make_client(owner_conn, "dormant", status="disabled")
    for client in (acme, globex, dormant):
        client.add(date(2026, 3, 3), 10_000, 100, 10, "200.00", campaign="Spring Sale")
        client.add(date(2026, 2, 24), 8_000, 100, 8, "100.00", campaign="Spring Sale")
    return acme, globex, dormant


class FailingSender:
    def send(self, **kwargs):
        raise RuntimeError("SES is down")


def _stored(owner_conn, table="weekly_summaries"):
    return {
        (row["client_id"], row["period_start"])
        for row in owner_conn.execute(
            f"SELECT client_id, {'week_start' if table == 'weekly_summaries' else 'month_start'} AS period_start FROM {table}"
        ).fetchall()
    }


def test_scheduled_weekly_run_builds_every_active_client_and_emails_the_digest(
    owner_conn, worker_db, settings, ses, clients
):
    acme, globex, _ = clients
    summaries = run_weekly(worker_db, settings=settings, sender=SesEmailSender(ses), now=MONDAY_0500)

    assert [s.client_name for s in summaries] == ["Acme Outdoor", "Globex"]
    assert _stored(owner_conn) == {(acme.id, date(2026, 3, 2)), (globex.id, date(2026, 3, 2))}
    (email,) = sent_emails()
    assert email.destinations["ToAddresses"] == ["admin@example.com"]
    assert "Weekly digest, Mar 2 \N{EN DASH} Mar 8, 2026: 2 clients" in email.subject
    assert "Acme Outdoor (USD): spend $40.00 (+25.0%), conversions 10 (+25.0%), revenue $200.00 (+100.0%)" in email.body
    assert "CTR 1.00% (-0.25 pp); data on 1/7 days" in email.body
    assert "Dormant" not in email.body


def test_a_failing_email_does_not_break_the_run(owner_conn, worker_db, settings, clients):
    summaries = run_weekly(worker_db, settings=settings, sender=FailingSender(), now=MONDAY_0500)
    assert len(summaries) == 2
    assert len(_stored(owner_conn)) == 2


def test_an_unverified_ses_sender_does_not_break_the_run(owner_conn, worker_db, settings, aws, clients):
    import boto3

    # moto rejects mail from an identity that was never verified
    summaries = run_weekly(worker_db, settings=settings, sender=SesEmailSender(boto3.client("ses")), now=MONDAY_0500)
    assert len(summaries) == 2
    assert sent_emails() == []


def test_without_a_sender_no_digest_is_sent(worker_db, settings, ses, clients):
    run_weekly(worker_db, settings=settings, week_start=date(2026, 3, 2))
    assert sent_emails() == []


def test_one_failing_client_does_not_stop_the_others(owner_conn, worker_db, settings, ses, clients, monkeypatch):
    acme, globex, _ = clients
    real = service_module.build_summary

    def flaky(conn, **kwargs):
        if kwargs["client_id"] == acme.id:
            raise RuntimeError("bad data")
        return real(conn, **kwargs)

    monkeypatch.setattr(service_module, "build_summary", flaky)
    with pytest.raises(SummaryRunFailed) as failure:
        run_weekly(worker_db, settings=settings, sender=SesEmailSender(ses), now=MONDAY_0500)

    assert failure.value.failed == [acme.id]
    assert _stored(owner_conn) == {(globex.id, date(2026, 3, 2))}
    (email,) = sent_emails()
    assert "NOT BUILT: Acme Outdoor" in email.body and "1 failed" in email.subject


def test_monthly_run_computes_the_previous_month(owner_conn, worker_db, settings, clients):
    acme, globex, _ = clients
    summaries = run_monthly(worker_db, settings=settings, now=datetime(2026, 4, 1, 5, tzinfo=UTC))
    assert {s.period_start for s in summaries} == {date(2026, 3, 1)}
    assert _stored(owner_conn, "monthly_summaries") == {(acme.id, date(2026, 3, 1)), (globex.id, date(2026, 3, 1))}


def test_backfill_one_client_including_a_disabled_one(owner_conn, worker_db, settings, clients):
    _, _, dormant = clients
    (summary,) = backfill(
        worker_db, settings=settings, kind="weekly", period_start=date(2026, 2, 23), client_id=dormant.id
    )
    assert (summary.client_id, summary.totals.impressions) == (dormant.id, 8_000)
    assert _stored(owner_conn) == {(dormant.id, date(2026, 2, 23))}


def test_backfill_every_active_client_and_rerun_replaces(owner_conn, worker_db, settings, clients):
    for _ in range(2):
        summaries = backfill(worker_db, settings=settings, kind="monthly", period_start=date(2026, 2, 1))
    assert len(summaries) == 2
    assert owner_conn.execute("SELECT count(*) AS n FROM monthly_summaries").fetchone()["n"] == 2


@pytest.mark.parametrize(
    ("kind", "start", "message"),
    [
        ("weekly", date(2026, 3, 3), "Monday"),
        ("weekly", date(2026, 3, 1), "Monday"),
        ("monthly", date(2026, 3, 2), "1st"),
        ("daily", date(2026, 3, 2), "kind"),
        ("Weekly", date(2026, 3, 2), "kind"),
        ("weekly", date(2026, 3, 16), "not started"),
        ("monthly", date(2026, 4, 1), "not started"),
    ],
)
def test_backfill_rejects_invalid_periods_before_touching_the_database(kind, start, message):
    unreachable = Database("host=/nonexistent dbname=none")  # validation must come first
    with pytest.raises(InvalidInput, match=message):
        backfill(unreachable, settings=Settings(), kind=kind, period_start=start, now=datetime(2026, 3, 15, tzinfo=UTC))


def test_backfill_of_an_unknown_client_is_not_found(worker_db, settings, clients):
    with pytest.raises(NotFound):
        backfill(worker_db, settings=settings, kind="weekly", period_start=date(2026, 3, 2), client_id=uuid4())


# ---------------------------------------------------------------- handlers


@dataclass
class Context:
    function_name: str = "weekly_summary"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:weekly_summary"
    aws_request_id: str = "req-1"


def test_weekly_handler_summarises_the_week_before_the_scheduled_time(owner_conn, settings, ses, clients):
    from functions.weekly_summary.handler import lambda_handler
    from shared.aws import ses as ses_adapter

    ses_adapter._client.cache_clear()
    event = {"id": "exec-1", "scheduled_time": "2026-03-09T05:00:00Z"}
    result = lambda_handler(event, Context())

    assert result == {"kind": "weekly", "period_start": "2026-03-02", "summaries": 2}
    assert len(_stored(owner_conn)) == 2
    assert len(sent_emails()) == 1


def test_monthly_handler_reads_an_eventbridge_rule_event(owner_conn, settings, ses, clients):
    from functions.monthly_summary.handler import lambda_handler
    from shared.aws import ses as ses_adapter

    ses_adapter._client.cache_clear()
    event = {"id": "evt-1", "detail-type": "Scheduled Event", "time": "2026-04-01T05:00:00Z", "detail": {}}
    result = lambda_handler(event, Context(function_name="monthly_summary"))

    assert result == {"kind": "monthly", "period_start": "2026-03-01", "summaries": 2}


def test_handler_rejects_a_malformed_event(settings):
    from pydantic import ValidationError

    from functions.weekly_summary.handler import lambda_handler

    with pytest.raises(ValidationError):
        lambda_handler({"scheduled_time": "next monday"}, Context())


def test_weekly_handler_with_the_shared_sample_event(owner_conn, settings, ses, clients):
    from functions.weekly_summary.handler import lambda_handler
    from shared.aws import ses as ses_adapter
    from tests.conftest import load_event

    ses_adapter._client.cache_clear()
    # the sample rule event fires on Tuesday 2026-03-03 09:00 UTC: the last full week began 02-23
    result = lambda_handler(load_event("scheduled_event.json"), Context())
    assert result == {"kind": "weekly", "period_start": "2026-02-23", "summaries": 2}
