"""The alert log: send_alert records every attempt (sent or failed) with the run it concerns;
GET /admin/alerts lists them with filters, paged."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from shared.alert_journal import DatabaseAlertJournal
from shared.alerts import Alert, send_alert
from shared.aws.s3 import S3ObjectStore
from shared.aws.ses import SesEmailSender
from shared.ingestion.missing_files import check_missing_files
from shared.ingestion.service import ingest_object
from shared.ports import AlertRecord
from tests.api.conftest import ApiClient, ApiUser
from tests.conftest import LANDING_BUCKET

NO_CLICKS = "Date,Campaign,Strategy,Placement,Creative,Impressions,Conversions,Conversion Revenue\n"


class BrokenSender:
    def send(self, **_: Any) -> None:
        raise RuntimeError("SES is down")


class BrokenJournal:
    def record(self, **_: Any) -> None:
        raise RuntimeError("database is down")


def _history(owner_conn: Any) -> list[dict[str, Any]]:
    return owner_conn.execute(
        "SELECT kind, subject, status, recipients_count, error, run_id, client_id FROM alert_history ORDER BY created_at"
    ).fetchall()


def test_sent_and_failed_alerts_are_both_recorded(owner_conn: Any, worker_db: Any, settings: Any, ses: Any) -> None:
    run = uuid.uuid4()
    journal = DatabaseAlertJournal(worker_db)
    alert = Alert(kind="ingestion_failed", subject="Ingestion failed: x.csv", summary="s", details=[("Run", str(run))])

    assert send_alert(alert, settings=settings, sender=SesEmailSender(ses), journal=journal) is True
    assert send_alert(alert, settings=settings, sender=BrokenSender(), journal=journal) is False
    unconfigured = settings.model_copy(update={"alert_recipients": []})
    assert send_alert(alert, settings=unconfigured, sender=SesEmailSender(ses), journal=journal) is False

    assert _history(owner_conn) == [
        {**_row(alert, run), "status": "sent", "recipients_count": 1, "error": None},
        {**_row(alert, run), "status": "failed", "recipients_count": 1, "error": "send failed (see logs)"},
        {**_row(alert, run), "status": "failed", "recipients_count": 0, "error": "no sender or recipients configured"},
    ]


def _row(alert: Alert, run: uuid.UUID) -> dict[str, Any]:
    return {"kind": alert.kind, "subject": alert.subject, "run_id": run, "client_id": None}


def test_a_journal_that_fails_never_changes_the_outcome(settings: Any, ses: Any) -> None:
    alert = Alert(kind="k", subject="s", summary="s")
    assert send_alert(alert, settings=settings, sender=SesEmailSender(ses), journal=BrokenJournal()) is True


def test_run_and_client_come_from_the_alert() -> None:
    run, client = uuid.uuid4(), uuid.uuid4()
    assert Alert(kind="k", subject="s", summary="s", run_id=run).concerns_run() == run
    assert Alert(kind="k", subject="s", summary="s", details=[("Run", str(run))]).concerns_run() == run
    assert Alert(kind="k", subject="s", summary="s", details=[("Run", "n/a")]).concerns_run() is None
    assert Alert(kind="k", subject="s", summary="s", client_id=client).client_id == client


def test_a_failed_ingestion_and_a_missing_file_show_in_the_alert_log(
    api: ApiClient, admin_user: ApiUser, make_client: Any, owner_conn: Any, settings: Any, worker_db: Any, s3: Any,
    ses: Any,
) -> None:  # fmt: skip
    beta = make_client("Beta", "beta")
    # given a file that fails as a whole (no clicks column), through the real ingestion
    s3.put_object(Bucket=LANDING_BUCKET, Key="partner/broken.csv", Body=NO_CLICKS.encode())
    result = ingest_object(
        LANDING_BUCKET, "partner/broken.csv", settings=settings, db=worker_db, store=S3ObjectStore(s3),
        sender=SesEmailSender(ses),
    )  # fmt: skip
    assert result.status == "failed"
    # and the daily check (its alert is sent inside the claim's transaction)
    now = datetime(2026, 3, 3, 10, tzinfo=UTC)
    check_missing_files(settings=settings, db=worker_db, sender=SesEmailSender(ses), now=now)
    check_missing_files(settings=settings, db=worker_db, sender=SesEmailSender(ses), now=now)  # deduplicated

    # when the admin reads the alert log
    token = admin_user.token
    listed = api.get("/admin/alerts", token=token)
    assert listed.status == 200, listed.body
    body = listed.json()

    # then both alerts are there, newest first, each with what it concerns
    assert body["total"] == 2
    missing, failed = body["items"]
    assert (missing["kind"], missing["status"], missing["client_id"]) == ("missing_file", "sent", str(beta["id"]))
    assert missing["subject"] == "Missing daily file: Beta has no data for Monday, Mar 2, 2026"
    assert (failed["kind"], failed["status"], failed["run_id"]) == ("ingestion_failed", "sent", str(result.run_id))
    assert failed["recipients_count"] == 1 and failed["subject"].startswith("Ingestion failed:")

    def ids(**query: Any) -> list[str]:
        response = api.get("/admin/alerts", token=token, query=query)
        assert response.status == 200, response.body
        return [item["id"] for item in response.json()["items"]]

    assert ids(kind="missing_file") == [missing["id"]]
    assert ids(run_id=str(result.run_id)) == [failed["id"]]
    assert ids(client_id=str(beta["id"])) == [missing["id"]]
    assert ids(status="failed") == []
    assert ids(limit=1, offset=1) == [failed["id"]]
    today = datetime.now(UTC).date().isoformat()
    assert len(ids(**{"from": today, "to": today})) == 2
    assert ids(**{"to": "2020-01-01"}) == []


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"status": "bounced"}, 400),
        ({"run_id": "run-1"}, 400),
        ({"kind": "DROP TABLE"}, 400),
        ({"limit": 501}, 400),
        ({"from": "2026-02-01", "to": "2026-01-01"}, 400),
    ],
)
def test_bad_alert_filters_are_4xx(api: ApiClient, admin_user: ApiUser, query: dict[str, Any], status: int) -> None:
    assert api.get("/admin/alerts", token=admin_user.token, query=query).status == status


def test_client_users_cannot_read_the_alert_log(api: ApiClient, client_user: ApiUser) -> None:
    assert api.get("/admin/alerts", token=client_user.token).status == 403


def test_client_tenants_cannot_read_alert_history(api_db: Any, owner_conn: Any, worker_db: Any) -> None:
    from shared.db import Tenant

    DatabaseAlertJournal(worker_db).record(
        AlertRecord(kind="k", subject="s", status="sent", recipients_count=1, error=None, run_id=None, client_id=None)
    )
    with api_db.transaction(tenant=Tenant.client(uuid.uuid4())) as conn:
        assert conn.execute("SELECT count(*) AS n FROM alert_history").fetchone()["n"] == 0
    with api_db.transaction(tenant=Tenant.every_client()) as conn:
        assert conn.execute("SELECT count(*) AS n FROM alert_history").fetchone()["n"] == 1


ONE_CLIENT = (
    "Date,Campaign,Strategy,Placement,Creative,Impressions,Clicks,Conversions,Conversion Revenue\n"
    "2026-03-01,Spring,Prospecting,news.com,Banner,1000,10,1,1.50\n"
    "2026-03-01,Spring,Prospecting,news.com,Video,lots,10,1,1.50\n"
)


def test_alerts_of_a_file_naming_one_client_are_filed_under_that_client(
    api: ApiClient, admin_user: ApiUser, make_client: Any, settings: Any, worker_db: Any, s3: Any, ses: Any
) -> None:
    beta, gamma = make_client("Beta", "beta"), make_client("Gamma", "gamma")

    def ingest(key: str, **update: Any) -> Any:
        s3.put_object(Bucket=LANDING_BUCKET, Key=key, Body=ONE_CLIENT.encode())
        return ingest_object(
            LANDING_BUCKET, key, settings=settings.model_copy(update=update), db=worker_db,
            store=S3ObjectStore(s3), sender=SesEmailSender(ses),
        )  # fmt: skip

    # one row of two rejected: over the threshold the file fails, under it the rest loads
    assert ingest("clients/beta/day.csv").status == "failed"
    assert ingest("clients/beta/day-2.csv", reject_threshold=Decimal(1)).status == "partial"

    def kinds(**query: Any) -> list[str]:
        response = api.get("/admin/alerts", token=admin_user.token, query=query)
        assert response.status == 200, response.body
        return sorted(item["kind"] for item in response.json()["items"])

    # the partial load is unpriced too (Beta has no rate): three alerts, all Beta's
    assert kinds(client_id=str(beta["id"])) == ["ingestion_failed", "ingestion_partial", "missing_cpm"]
    assert kinds(client_id=str(gamma["id"])) == []

    def runs(**query: Any) -> list[str]:
        response = api.get("/admin/ingestions", token=admin_user.token, query=query)
        assert response.status == 200, response.body
        return sorted(item["status"] for item in response.json()["items"])

    # the failed run is filed under the client its rows named too, not only its alert
    assert runs(client_id=str(beta["id"])) == ["failed", "partial"]
    assert runs(client_id=str(gamma["id"])) == []
