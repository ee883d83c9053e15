"""The ingestion engine end to end: moto S3/SES, real PostgreSQL as dash_worker."""

from __future__ import annotations

import gzip
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from shared.metrics import Aggregate
from shared.settings import Settings
from tests.conftest import sent_emails
from tests.ingestion.conftest import Ingest, add_client, body, event_bytes, runs, totals

CLEAN_TOTALS = {
    "rows": 6,
    "impressions": 95000,
    "clicks": 347,
    "conversions": 27,
    "revenue": Decimal("1341.50"),
    "spend": Decimal("403.75"),  # 95,000 x 4.25 / 1000
}
HEADER = "date,advertiser,campaign,strategy,placement,creative,impressions,clicks,conversions,conversion_revenue\n"


def good_rows(count: int, *, day: str = "2026-03-05", advertiser: str = "Acme Outdoor") -> str:
    return "".join(
        f"{day},{advertiser},Campaign {i % 3},Strategy {i % 2},Site {i % 5},Creative {i},{1000 + i},{i % 10},{i % 3},{i}.25\n"
        for i in range(count)
    )


def test_clean_file_golden_totals(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    result = ingest("partner/partner_clean.csv", event_bytes("partner_clean.csv"))

    assert (result.status, result.records_loaded, result.records_failed) == ("success", 6, 0)
    assert totals(owner_conn) == CLEAN_TOTALS
    [run] = runs(owner_conn)
    assert run["status"] == "success" and run["checksum"] == result.checksum
    assert run["client_ids"] == [acme]
    assert (str(run["date_from"]), str(run["date_to"])) == ("2026-03-01", "2026-03-02")
    assert run["finished_at"] is not None and run["file_name"] == "test-landing-bucket/partner/partner_clean.csv"
    # The row stores its measures and exact spend; its ratios come from them (1201: no
    # stored per-row ratios), as every ratio the product shows comes from sums.
    row = owner_conn.execute(
        "SELECT d.impressions, d.clicks, d.conversions, d.conversion_revenue AS revenue, d.spend"
        " FROM daily_metrics d JOIN creatives c ON c.id = d.creative_id WHERE c.name = 'Video 15s'"
    ).fetchone()
    assert row["spend"] == Decimal("21.2500000")
    video = Aggregate.from_row(row)
    assert (video.ctr, video.cpc) == (Decimal("0.008"), Decimal("21.25") / 40)
    assert owner_conn.execute("SELECT count(*) AS n FROM campaigns").fetchone()["n"] == 2
    assert owner_conn.execute("SELECT count(*) AS n FROM creatives").fetchone()["n"] == 4
    assert sent_emails() == []


def test_cpm_change_inside_the_file_prices_each_day(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    owner_conn.execute(
        "INSERT INTO client_settings (client_id, cpm, effective_date) VALUES (%s, 5.00, '2026-03-02')", (acme,)
    )
    ingest("partner/partner_clean.csv", event_bytes("partner_clean.csv"))
    by_day = owner_conn.execute(
        "SELECT date::text, sum(spend) AS spend FROM daily_metrics GROUP BY date ORDER BY date"
    ).fetchall()
    # 35,000 x 4.25 / 1000 and 60,000 x 5.00 / 1000
    assert by_day == [
        {"date": "2026-03-01", "spend": Decimal("148.75")},
        {"date": "2026-03-02", "spend": Decimal("300.00")},
    ]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("partner_dialect.csv", "partner/partner_dialect.csv"),
        ("partner_tab.csv.gz", "clients/acme-outdoor/2026-03-02.csv.gz"),
    ],
)
def test_other_dialects_give_the_same_totals(ingest: Ingest, acme: UUID, owner_conn: Any, name: str, key: str) -> None:
    result = ingest(key, event_bytes(name))

    assert result.status == "success", result.message
    assert totals(owner_conn) == CLEAN_TOTALS
    if name == "partner_dialect.csv":
        assert "ignored columns: Notes" in result.message


def test_gzip_detected_by_magic_bytes(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    data = gzip.compress(event_bytes("partner_clean.csv"))
    assert ingest("partner/misnamed.csv", data).status == "success"
    assert totals(owner_conn)["rows"] == 6


def test_retried_event_and_reupload_are_duplicates(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    first = ingest("partner/a.csv", event_bytes("partner_clean.csv"))
    retried = ingest("partner/a.csv")  # the same S3 event delivered again
    reupload = ingest("partner/b.csv", event_bytes("partner_clean.csv"))  # same bytes, new key

    assert [first.status, retried.status, reupload.status] == ["success", "duplicate", "duplicate"]
    assert "nothing changed" in retried.message
    assert totals(owner_conn) == CLEAN_TOTALS
    assert [r["status"] for r in runs(owner_conn)] == ["success", "duplicate", "duplicate"]


V1 = HEADER + "2026-03-01,Acme Outdoor,Spring Sale,Prospecting,news-site.com,Banner 300x250,10000,50,5,250.00\n"
V2 = HEADER + "2026-03-01,Acme Outdoor,Spring Sale,Prospecting,news-site.com,Banner 300x250,10000,50,9,470.00\n"


def _day1(conn: Any) -> Any:
    return conn.execute(
        "SELECT sum(conversions) AS conv, sum(conversion_revenue) AS rev FROM daily_metrics WHERE date = '2026-03-01'"
    ).fetchone()


def test_v1_v2_v1gz_v2_ends_on_v2(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    # given a day loaded from v1, restated by v2, then v1's bytes gzipped, then v2's bytes again
    statuses = []
    seen = []
    for key, data in (
        ("partner/v1.csv", V1.encode()),
        ("partner/v2.csv", V2.encode()),
        ("partner/v1-again.csv.gz", gzip.compress(V1.encode())),
        ("partner/v2-again.csv", V2.encode()),
    ):
        statuses.append(ingest(key, data).status)
        seen.append(_day1(owner_conn)["conv"])

    # then every upload changed the day, and the last word is v2's
    assert statuses == ["success", "success", "success", "success"]
    assert seen == [5, 9, 5, 9]
    assert _day1(owner_conn)["rev"] == Decimal("470.000000")


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda b: gzip.compress(b), id="gzip"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="bom"),
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(
            lambda b: b.splitlines(keepends=True)[0] + b"".join(reversed(b.splitlines(keepends=True)[1:])),
            id="reordered",
        ),
    ],
)
def test_same_rows_in_another_encoding_are_duplicate(ingest: Ingest, acme: UUID, owner_conn: Any, variant: Any) -> None:
    ingest("partner/a.csv", event_bytes("partner_clean.csv"))
    again = ingest("partner/a-variant.csv", variant(event_bytes("partner_clean.csv")))

    assert again.status == "duplicate"
    assert "nothing changed" in again.message
    assert totals(owner_conn) == CLEAN_TOTALS
    assert [r["status"] for r in runs(owner_conn)] == ["success", "duplicate"]


def test_a_file_changing_one_of_two_days_replaces_only_that_day(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    first = ingest("partner/a.csv", event_bytes("partner_clean.csv"))
    changed = event_bytes("partner_clean.csv").replace(b"12000,60,0.005,6,300.00", b"12000,60,0.005,7,310.00")

    result = ingest("partner/b.csv", changed)

    assert result.status == "success"
    assert result.records_loaded == 3
    assert "1 days unchanged" in result.message
    day1_run = owner_conn.execute(
        "SELECT DISTINCT ingestion_run_id AS id FROM daily_metrics WHERE date = '2026-03-01'"
    ).fetchall()
    assert day1_run == [{"id": first.run_id}]  # the unchanged day was not rewritten


def test_rows_before_min_data_date_are_rejected(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    data = (
        HEADER
        + good_rows(120, day="2026-03-01")
        + ("0001-01-01,Acme Outdoor,Spring Sale,Prospecting,news-site.com,Old,10,1,0,0\n")
    )
    result = ingest("partner/old.csv", data)

    assert result.status == "partial"
    rejected = owner_conn.execute("SELECT column_name, reason FROM ingestion_rejected_rows").fetchall()
    assert rejected == [{"column_name": "date", "reason": "date before 2000-01-01 (MIN_DATA_DATE)"}]


def test_restatement_replaces_only_the_days_in_the_new_file(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    ingest("partner/day1-2.csv", event_bytes("partner_clean.csv"))
    restated = (
        HEADER + "2026-03-01,Acme Outdoor,Spring Sale,Prospecting,news-site.com,Banner 300x250,40000,100,10,999.99\n"
    )

    result = ingest("partner/restated.csv", restated)

    assert result.status == "success"
    day1 = owner_conn.execute(
        "SELECT count(*) AS rows, sum(impressions) AS imps, sum(conversion_revenue) AS rev FROM daily_metrics WHERE date = '2026-03-01'"
    ).fetchone()
    assert day1 == {"rows": 1, "imps": 40000, "rev": Decimal("999.990000")}
    day2 = owner_conn.execute("SELECT sum(impressions) AS imps FROM daily_metrics WHERE date = '2026-03-02'").fetchone()
    assert day2["imps"] == 60000


def test_restatement_of_another_client_leaves_acme_alone(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    other = add_client(
        owner_conn, name="Beta Bikes", slug="beta-bikes", advertisers=("Beta Bikes",), rates=(("2026-01-01", "2"),)
    )
    ingest("partner/acme.csv", event_bytes("partner_clean.csv"))
    ingest("partner/beta.csv", HEADER + good_rows(3, day="2026-03-01", advertiser="beta bikes"))

    assert totals(owner_conn, acme) == CLEAN_TOTALS
    assert totals(owner_conn, other)["rows"] == 3


def test_missing_cpm_loads_unpriced_rows_as_partial(ingest: Ingest, owner_conn: Any) -> None:
    add_client(
        owner_conn,
        name="Acme Outdoor",
        slug="acme-outdoor",
        advertisers=("Acme Outdoor",),
        rates=(("2026-03-02", "4"),),
    )

    result = ingest("partner/clean.csv", event_bytes("partner_clean.csv"))

    assert (result.status, result.records_loaded) == ("partial", 6)
    assert "no CPM for client Acme Outdoor on 2026-03-01 (3 rows have no spend)" in result.message
    stored = owner_conn.execute(
        "SELECT date::text, count(*) AS n, sum(spend) AS spend, bool_and(cpm IS NULL) AS no_cpm FROM daily_metrics GROUP BY date ORDER BY date"
    ).fetchall()
    assert stored == [
        {"date": "2026-03-01", "n": 3, "spend": None, "no_cpm": True},
        {"date": "2026-03-02", "n": 3, "spend": Decimal("240.00"), "no_cpm": False},
    ]
    [email] = sent_emails()
    assert "Missing CPM" in email.subject and "Acme Outdoor: 2026-03-01 to 2026-03-01" in body(email)


def test_row_rejections_are_stored_with_line_numbers(
    ingest: Ingest, acme: UUID, owner_conn: Any, settings: Settings
) -> None:
    add_client(owner_conn, name="Gone", slug="gone", advertisers=("Gone Inc",), status="disabled")
    bad = [
        ("2026-03-01,Acme Outdoor,C,S,P,X1,-5,0,0,0", "impressions", "negative value"),
        ("2026-03-01,Acme Outdoor,C,S,P,X2,100,0,0,NaN", "conversion_revenue", "not a finite number"),
        ("2026-03-01,Acme Outdoor,C,S,P,X3,1e5,0,0,0", "impressions", "exponent"),
        ("2026-03-01,Acme Outdoor,C,S,P,X4,10,11,0,0", "clicks", "clicks exceed impressions"),
        ("2026-03-01,Acme Outdoor,C, ,P,X5,10,1,0,0", "strategy", "blank name"),
        ("2026-04-01,Acme Outdoor,C,S,P,X6,10,1,0,0", "date", "date in the future"),
        ("2026-03-01,Nobody,C,S,P,X7,10,1,0,0", "advertiser", "unresolved advertiser"),
        ("2026-03-01,Gone Inc,C,S,P,X8,10,1,0,0", "advertiser", "client disabled"),
        ("2026-03-01,Acme Outdoor,C,S,P,X9,10,1", None, "expected 10 fields, found 8"),
    ]
    text = HEADER + good_rows(2) + "\n".join(line for line, _, _ in bad) + "\n"
    lenient = settings.model_copy(update={"reject_threshold": Decimal("1")})

    result = ingest("partner/bad.csv", text, settings=lenient)

    assert (result.status, result.records_loaded, result.records_failed) == ("partial", 2, len(bad))
    stored = owner_conn.execute(
        "SELECT line_number, column_name, reason FROM ingestion_rejected_rows WHERE ingestion_run_id = %s ORDER BY line_number",
        (result.run_id,),
    ).fetchall()
    assert [(r["line_number"], r["column_name"]) for r in stored] == [
        (4 + i, column) for i, (_, column, _) in enumerate(bad)
    ]
    for row, (_, _, reason) in zip(stored, bad, strict=True):
        assert reason in row["reason"]
    [email] = sent_emails()
    assert "Partial load: 9 rows rejected" in email.subject
    assert "line 4, impressions: '-5' negative value" in body(email)


@pytest.mark.parametrize(("bad_rows", "status"), [(1, "partial"), (2, "failed")])
def test_reject_threshold_edge(ingest: Ingest, acme: UUID, owner_conn: Any, bad_rows: int, status: str) -> None:
    # 100 data rows, threshold 1%: one rejection is allowed, two are not.
    text = HEADER + good_rows(100 - bad_rows) + "2026-03-05,Acme Outdoor,C,S,P,Bad,1,2,0,0\n" * bad_rows

    result = ingest("partner/edge.csv", text)

    assert result.status == status
    assert totals(owner_conn)["rows"] == (99 if status == "partial" else 0)
    if status == "failed":
        assert "2 of 100 rows rejected, more than the reject threshold" in result.message
        stored = owner_conn.execute("SELECT count(*) AS n FROM ingestion_rejected_rows").fetchone()
        assert stored["n"] == 2  # evidence kept on the failed run


def test_more_than_fifty_rejections_alert_lists_first_fifty(ingest: Ingest, acme: UUID, settings: Settings) -> None:
    lenient = settings.model_copy(update={"reject_threshold": Decimal("0.5")})
    text = HEADER + good_rows(100) + "2026-03-05,Acme Outdoor,C,S,P,Bad,1,2,0,0\n" * 60
    assert ingest("partner/many.csv", text, settings=lenient).status == "partial"
    [email] = sent_emails()
    assert "line 151, clicks" in body(email) and "line 152, clicks" not in body(email)


def test_alert_counts_over_999_carry_thousands_separators(ingest: Ingest, acme: UUID, settings: Settings) -> None:
    # given a file of 2,000 good and 1,234 bad rows, loaded under a lenient threshold
    lenient = settings.model_copy(update={"reject_threshold": Decimal("0.5")})
    text = HEADER + good_rows(2000) + "2026-03-05,Acme Outdoor,C,S,P,Bad,1,2,0,0\n" * 1234
    assert ingest("partner/big.csv", text, settings=lenient).status == "partial"
    # then the alert's subject, summary and details read the counts the human way
    [email] = sent_emails()
    assert "Partial load: 1,234 rows rejected in" in email.subject
    text_body = body(email)
    assert "2,000 rows of" in text_body and "1,234 were rejected" in text_body
    assert "1234 were rejected" not in text_body and "2000 rows of" not in text_body


def test_failed_alert_reason_formats_counts_over_999(ingest: Ingest, acme: UUID) -> None:
    text = HEADER + good_rows(2000) + "2026-03-05,Acme Outdoor,C,S,P,Bad,1,2,0,0\n" * 1234
    result = ingest("partner/too-many.csv", text)
    assert result.status == "failed"
    assert "1,234 of 3,234 rows rejected, more than the reject threshold" in result.message
    [email] = sent_emails()
    assert "1,234 of 3,234 rows rejected" in body(email)
    assert "3,234" in body(email)  # the "Data rows" detail


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("bad_empty.csv", "the file is empty"),
        ("bad_missing_column.csv", "missing required column: clicks"),
        ("bad_duplicate_header.csv", "duplicate header"),
        ("bad_unterminated_quote.csv", "unterminated quote"),
        ("bad_undecodable.csv", "not valid UTF-8"),
        ("bad_duplicate_key.csv", "lines 2 and 3"),
        ("bad_rows.csv", "2 of 3 rows rejected"),
    ],
)
def test_whole_file_failures_store_nothing(ingest: Ingest, acme: UUID, owner_conn: Any, name: str, reason: str) -> None:
    result = ingest(f"partner/{name}", event_bytes(name))

    assert result.status == "failed"
    assert reason in result.message
    assert totals(owner_conn)["rows"] == 0
    assert owner_conn.execute("SELECT count(*) AS n FROM campaigns").fetchone()["n"] == 0
    [run] = runs(owner_conn)
    assert (run["status"], run["records_loaded"]) == ("failed", 0) and reason in run["message"]
    [email] = sent_emails()
    assert email.subject.endswith(f"Ingestion failed: test-landing-bucket/partner/{name}")
    assert reason in body(email)


def test_other_whole_file_failures(ingest: Ingest, acme: UUID, owner_conn: Any, settings: Settings) -> None:
    small = settings.model_copy(update={"max_file_bytes": 100})
    assert "over the size limit" in ingest("partner/big.csv", event_bytes("partner_clean.csv"), settings=small).message
    assert "no data rows" in ingest("partner/header.csv", HEADER + "\n,,,\n").message
    no_client = HEADER.replace("advertiser,", "") + "2026-03-01,C,S,P,X,1,0,0,0\n"
    assert "not clients/<known client slug>/" in ingest("partner/no-client.csv", no_client).message
    assert "not clients/<known client slug>/" in ingest("clients/unknown/x.csv", no_client).message
    assert [r["status"] for r in runs(owner_conn)] == ["failed"] * 4
    assert totals(owner_conn)["rows"] == 0
    assert len(sent_emails()) == 4


def test_a_failed_file_can_be_loaded_once_fixed(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    assert ingest("partner/x.csv", event_bytes("bad_duplicate_key.csv")).status == "failed"
    assert ingest("partner/x.csv", event_bytes("partner_clean.csv")).status == "success"
    assert totals(owner_conn) == CLEAN_TOTALS


def test_restatement_regenerates_existing_summaries_in_the_same_transaction(
    ingest: Ingest, acme: UUID, owner_conn: Any, worker_db: Any, settings: Settings
) -> None:
    from datetime import date

    from shared.db import Tenant
    from shared.summaries.builder import build_summary

    ingest("partner/a.csv", event_bytes("partner_clean.csv"))
    with worker_db.transaction(tenant=Tenant.every_client()) as conn:
        build_summary(conn, kind="weekly", client_id=acme, period_start=date(2026, 2, 23), settings=settings)
        build_summary(conn, kind="weekly", client_id=acme, period_start=date(2026, 3, 2), settings=settings)
    restated = HEADER + "2026-03-02,Acme Outdoor,Spring Sale,Prospecting,news-site.com,Banner 300x250,1000,1,0,0\n"

    ingest("partner/restated.csv", restated)

    weeks = owner_conn.execute(
        "SELECT week_start::text, impressions FROM weekly_summaries ORDER BY week_start"
    ).fetchall()
    # 2026-03-01 (a Sunday) is untouched; the week of 2 March now holds only the restated row.
    assert weeks == [
        {"week_start": "2026-02-23", "impressions": 35000},
        {"week_start": "2026-03-02", "impressions": 1000},
    ]
    assert owner_conn.execute("SELECT count(*) AS n FROM summary_refresh_queue").fetchone()["n"] == 0


def test_partner_ctr_is_checked_not_stored(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    text = (
        "date,advertiser,campaign,strategy,placement,creative,impressions,clicks,ctr,conversions,conversion_revenue\n"
        "2026-03-01,Acme Outdoor,C,S,P,A,10000,50,0.50%,0,0\n"  # agrees
        "2026-03-01,Acme Outdoor,C,S,P,B,10000,50,5%,0,0\n"  # 4.5 pp off: a warning
        "2026-03-01,Acme Outdoor,C,S,P,C,10000,50,0.0095,0,0\n"  # 0.45 pp off: within tolerance
    )
    result = ingest("partner/ctr.csv", text)

    assert result.status == "success"
    assert "1 rows whose partner CTR differs" in result.message
    # Stored: the counts; the CTR shown is recomputed from them (clicks / impressions).
    stored = owner_conn.execute("SELECT DISTINCT impressions, clicks FROM daily_metrics").fetchall()
    assert stored == [{"impressions": 10000, "clicks": 50}]
    assert owner_conn.execute(
        "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'daily_metrics' AND column_name = 'ctr'"
    ).fetchone() == {"n": 0}


def test_extreme_but_valid_ratios_load(ingest: Ingest, owner_conn: Any) -> None:
    # given a CPM of 0.0001 and a row of 1 impression with a huge revenue (ROAS ~ 1e16),
    # which once overflowed numeric(16,4) and failed the whole file
    client = add_client(owner_conn, name="Tiny", slug="tiny", advertisers=("Tiny",), rates=(("2026-01-01", "0.0001"),))
    body = (
        b"date,advertiser,campaign,strategy,placement,creative,impressions,clicks,conversions,revenue\n"
        b"2026-03-01,Tiny,C,S,P,Cr,1,1,1,999999999.99\n"
    )
    # when it is ingested
    result = ingest("partner/extreme.csv", body)
    # then it loads, exactly
    assert result.status == "success", result.message
    row = owner_conn.execute(
        "SELECT impressions, clicks, conversions, conversion_revenue AS revenue, spend FROM daily_metrics"
        " WHERE client_id = %s",
        (client,),
    ).fetchone()
    assert row["spend"] == Decimal("0.0000001")
    assert Aggregate.from_row(row).roas == Decimal("9999999999900000")


def test_utf16_file_is_named_as_such(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    data = (HEADER + good_rows(2, day="2026-03-01")).encode("utf-16")

    result = ingest("partner/utf16.csv", data)

    assert result.status == "failed"
    assert "UTF-16" in result.message
    assert totals(owner_conn)["rows"] == 0


def test_nul_in_an_ignored_header_is_a_clean_failure(ingest: Ingest, acme: UUID, owner_conn: Any) -> None:
    header = HEADER.rstrip("\n") + ",extra\x00col\n"
    rows = "".join(line.rstrip("\n") + ",x\n" for line in good_rows(2, day="2026-03-01").splitlines(keepends=True))

    result = ingest("partner/nul.csv", header + rows)

    assert result.status == "failed"
    assert "header column 11" in result.message
    assert "NUL or control character" in result.message
    assert "database error" not in result.message


def test_huge_header_names_are_clipped_in_messages(
    ingest: Ingest, acme: UUID, owner_conn: Any, settings: Settings
) -> None:
    # given two near-identical 100,000-character header names (a duplicate header), under
    # header limits raised for the test (the default refuses a header this long outright)
    name = "x" * 100_000
    header = HEADER.rstrip("\n") + f",{name},{name} \n"
    roomy = settings.model_copy(update={"max_header_chars": 400_000, "max_line_chars": 400_000})

    result = ingest("partner/long.csv", header + good_rows(1, day="2026-03-01"), settings=roomy)

    # then the failure names them, each clipped to 200 characters
    assert result.status == "failed"
    assert "duplicate header" in result.message
    assert len(result.message) < 600
    stored = owner_conn.execute("SELECT length(message) AS n FROM ingestion_logs").fetchone()
    assert stored["n"] < 600


def test_many_long_ignored_columns_keep_the_message_bounded(
    ingest: Ingest, acme: UUID, owner_conn: Any, settings: Settings
) -> None:
    roomy = settings.model_copy(update={"max_header_chars": 400_000, "max_line_chars": 400_000})
    extra = [f"{i}" + "y" * 5000 for i in range(50)]
    header = HEADER.rstrip("\n") + "," + ",".join(extra) + "\n"
    rows = "".join(
        line.rstrip("\n") + "," * 50 + "\n" for line in good_rows(2, day="2026-03-01").splitlines(keepends=True)
    )

    result = ingest("partner/wide.csv", header + rows, settings=roomy)

    assert result.status == "success"
    assert "and 30 more" in result.message
    assert len(result.message) < 20 * 205 + 200
