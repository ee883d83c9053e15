"""Ingestion of closed months: a restated file's rows for a closed month are rejected with the
reason "month closed" (the rest of the file loads, one alert); reopening lifts it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from tests.conftest import sent_emails
from tests.ingestion.conftest import Ingest, body, event_bytes, totals

HEADER = "date,advertiser,campaign,strategy,placement,creative,impressions,clicks,conversions,conversion_revenue\n"
# A restatement of 2026-03-01 (late conversions) and a new day 2026-04-01.
RESTATED = (
    HEADER
    + "2026-03-01,Acme Outdoor,Spring Sale,Prospecting,news-site.com,Banner 300x250,10000,50,9,999.00\n"
    + "2026-04-01,Acme Outdoor,Spring Sale,Prospecting,news-site.com,Banner 300x250,7000,30,2,70.00\n"
)


def _close(owner_conn: Any, client_id: UUID, month: str) -> None:
    owner_conn.execute("INSERT INTO client_closed_months (client_id, month) VALUES (%s, %s)", (client_id, month))


def _day(owner_conn: Any, day: str) -> dict[str, Any]:
    return owner_conn.execute(
        "SELECT count(*) AS rows, sum(conversion_revenue) AS revenue FROM daily_metrics WHERE date = %s", (day,)
    ).fetchone()


def test_a_restatement_of_a_closed_month_is_rejected_and_the_rest_loads(
    ingest: Ingest, acme: UUID, owner_conn: Any
) -> None:
    ingest("partner/march.csv", event_bytes("partner_clean.csv"))
    march_first = _day(owner_conn, "2026-03-01")
    _close(owner_conn, acme, "2026-03-01")
    emails_before = len(sent_emails())

    result = ingest("partner/restated.csv", RESTATED, today=__import__("datetime").date(2026, 4, 2))

    assert (result.status, result.records_loaded, result.records_failed) == ("partial", 1, 1)
    assert "month closed" in result.message
    assert _day(owner_conn, "2026-03-01") == march_first  # unchanged
    assert _day(owner_conn, "2026-04-01") == {"rows": 1, "revenue": Decimal("70.000000")}
    rejected = owner_conn.execute(
        "SELECT line_number, column_name, value, reason FROM ingestion_rejected_rows"
    ).fetchall()
    assert rejected == [{"line_number": 2, "column_name": "date", "value": "2026-03-01", "reason": "month closed"}]
    alerts = sent_emails()[emails_before:]
    assert len(alerts) == 1
    text = body(alerts[0])
    assert "month closed" in text and "reopen" in text and "2026-03" in text


def test_closed_month_rows_do_not_count_against_the_reject_threshold(
    ingest: Ingest, acme: UUID, owner_conn: Any
) -> None:
    ingest("partner/march.csv", event_bytes("partner_clean.csv"))
    stored = totals(owner_conn, acme)
    _close(owner_conn, acme, "2026-03-01")
    restated = event_bytes("partner_clean.csv").decode().replace(",250.00", ",251.00")

    result = ingest("partner/march-restated.csv", restated)

    # 2026-03-01's 3 rows (one restated) are refused — half the file, far over the reject
    # threshold, yet the file is fine: the month is frozen; 2026-03-02 is unchanged
    assert (result.status, result.records_loaded, result.records_failed) == ("partial", 0, 3)
    assert "3 rows rejected; 3 of them in a closed month" in result.message
    assert totals(owner_conn, acme) == stored


def test_an_identical_redelivery_of_a_closed_month_is_still_a_duplicate(
    ingest: Ingest, acme: UUID, owner_conn: Any
) -> None:
    ingest("partner/march.csv", event_bytes("partner_clean.csv"))
    _close(owner_conn, acme, "2026-03-01")
    result = ingest("partner/march-again.csv", event_bytes("partner_clean.csv").replace(b"\n", b"\r\n"))
    assert result.status == "duplicate"


def test_reopening_lets_the_restatement_load(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    import datetime

    ingest("partner/march.csv", event_bytes("partner_clean.csv"))
    _close(owner_conn, acme, "2026-03-01")
    assert ingest("partner/r1.csv", RESTATED, today=datetime.date(2026, 4, 2)).status == "partial"
    owner_conn.execute("DELETE FROM client_closed_months WHERE client_id = %s", (acme,))

    result = ingest("partner/r2.csv", RESTATED + "\n", today=datetime.date(2026, 4, 2))

    assert result.status == "success", result.message
    assert _day(owner_conn, "2026-03-01")["rows"] == 1  # the file's only row of that day replaced it
    assert _day(owner_conn, "2026-03-01")["revenue"] == Decimal("999.000000")
