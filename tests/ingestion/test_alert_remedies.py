"""Every ingestion alert ends with "What to do": the exact fix, then how to re-run (moto SES)."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from shared.alerts import Alert
from shared.ingestion import remedies
from shared.settings import Settings
from tests.conftest import sent_emails
from tests.ingestion.conftest import Ingest, add_client, body, event_bytes

HEADER = "date,advertiser,campaign,strategy,placement,creative,impressions,clicks,conversions,conversion_revenue\n"


def _rows(count: int, advertiser: str = "Acme Outdoor") -> str:
    return "".join(f"2026-03-05,{advertiser},C,S,P,Creative {i},1000,10,1,5.00\n" for i in range(count))


def _what_to_do(email: Any) -> str:
    text = body(email)
    assert "<h3>What to do</h3><ol>" in text, text
    return text.split("<h3>What to do</h3>", 1)[1]


def test_a_missing_column_names_the_column_its_accepted_headers_and_the_retry(ingest: Ingest, acme: UUID) -> None:
    result = ingest("partner/bad_missing_column.csv", event_bytes("bad_missing_column.csv"))

    assert result.status == "failed"
    [email] = sent_emails()
    steps = _what_to_do(email)
    assert "include the column 'clicks' (accepted headers: clicks, total clicks" in steps
    assert f"POST /admin/ingestions/{result.run_id}/retry" in steps


def test_every_wording_of_missing_columns_gets_its_steps() -> None:
    # one column, several, and the "column(s)" of runs stored before the wording changed
    run_id = uuid4()
    for reason, fields in [
        ("missing required column: clicks", ["clicks"]),
        ("missing required columns: clicks, impressions", ["clicks", "impressions"]),
        ("missing required column(s): clicks", ["clicks"]),
    ]:
        steps = remedies.for_failed_file(reason, run_id=run_id)
        named = [step for step in steps if "include the column" in step]
        assert [next(f for f in fields if f"include the column {f!r}" in step) for step in named] == fields
    assert not any("include the column" in s for s in remedies.for_failed_file("bad encoding", run_id=run_id))


def test_an_unknown_advertiser_names_the_advertiser_the_route_and_the_reupload(
    ingest: Ingest, acme: UUID, settings: Settings
) -> None:
    lenient = settings.model_copy(update={"reject_threshold": Decimal("0.5")})

    result = ingest("partner/mixed.csv", HEADER + _rows(9) + _rows(1, advertiser="Globex Bikes"), settings=lenient)

    assert result.status == "partial"
    [email] = sent_emails()
    steps = _what_to_do(email)
    assert "Add the advertiser name 'Globex Bikes'" in steps
    assert "PUT /admin/clients/{client_id}/advertisers" in steps and "Advertiser names" in steps
    assert "upload the file again" in steps and "not counted twice" in steps
    assert "retry" not in steps.lower()  # only failed runs can be retried


def test_too_many_unknown_advertisers_fail_the_file_and_name_them_with_the_retry(ingest: Ingest, acme: UUID) -> None:
    result = ingest("partner/unknown.csv", HEADER + _rows(3, advertiser="Initech") + _rows(3, advertiser="Hooli"))

    assert result.status == "failed"
    [email] = sent_emails()
    steps = _what_to_do(email)
    assert "'Hooli', 'Initech'" in steps
    assert steps.index("PUT /admin/clients/{client_id}/advertisers") < steps.index(
        f"POST /admin/ingestions/{result.run_id}/retry"
    )


def test_missing_cpm_names_the_client_the_first_date_and_needs_no_reupload(ingest: Ingest, owner_conn: Any) -> None:
    add_client(owner_conn, name="Globex Bikes", slug="globex-bikes", advertisers=("Globex Bikes",), rates=())

    result = ingest("partner/globex.csv", HEADER + _rows(2, advertiser="Globex Bikes"))

    assert result.status == "partial"
    [email] = sent_emails()
    assert "Missing CPM" in email.subject
    steps = _what_to_do(email)
    assert "Add a CPM rate for Globex Bikes effective on or before 2026-03-05" in steps
    assert '"effective_date": "2026-03-05"' in steps and "POST /admin/clients/{client_id}/cpm" in steps
    assert "No re-upload is needed" in steps


def _email_steps(email: Any) -> list[str]:
    listed = _what_to_do(email).split("</ol>", 1)[0]
    return [html.unescape(step) for step in re.findall(r"<li>(.*?)</li>", listed, flags=re.S)]


def _stored_steps(owner_conn: Any, run_id: UUID | None) -> list[str]:
    return owner_conn.execute("SELECT what_to_do FROM ingestion_logs WHERE id = %s", (run_id,)).fetchone()["what_to_do"]


def test_the_run_keeps_the_steps_its_emails_gave(
    ingest: Ingest, acme: UUID, owner_conn: Any, settings: Settings
) -> None:
    # a whole-file failure: the email's steps, in order, end with the retry
    failed = ingest("partner/bad_missing_column.csv", event_bytes("bad_missing_column.csv"))
    [email] = sent_emails()
    assert _stored_steps(owner_conn, failed.run_id) == _email_steps(email)
    assert _stored_steps(owner_conn, failed.run_id)[-1] == remedies.retry_step(failed.run_id)  # type: ignore[arg-type]

    # a partial load (an unknown advertiser) and rows without a CPM: both emails' steps, in that order
    add_client(owner_conn, name="Globex Bikes", slug="globex-bikes", advertisers=("Globex Bikes",), rates=())
    lenient = settings.model_copy(update={"reject_threshold": Decimal("0.5")})
    mixed = HEADER + _rows(6) + _rows(3, advertiser="Globex Bikes") + _rows(1, advertiser="Initech")
    partial = ingest("partner/mixed.csv", mixed, settings=lenient)
    assert partial.status == "partial"
    _, rejected_email, cpm_email = sent_emails()
    assert "Missing CPM" in cpm_email.subject
    assert _stored_steps(owner_conn, partial.run_id) == _email_steps(rejected_email) + _email_steps(cpm_email)

    # a clean load needs nothing
    clean = ingest("partner/clean.csv", HEADER + _rows(5).replace("2026-03-05", "2026-03-06"))
    assert clean.status == "success"
    assert _stored_steps(owner_conn, clean.run_id) == []


def test_the_steps_are_numbered_in_text_and_escaped_in_html() -> None:
    alert = Alert(kind="k", subject="s", summary="x", todo=["Add <b>this</b>", "Then retry"])

    assert alert.text().endswith("What to do:\n1. Add <b>this</b>\n2. Then retry\n")
    assert "<ol><li>Add &lt;b&gt;this&lt;/b&gt;</li><li>Then retry</li></ol>" in alert.html()


def test_every_remedy_ends_with_how_to_re_run_or_why_none_is_needed() -> None:
    run = uuid4()
    assert remedies.for_failed_file("the file is empty", run_id=run)[-1] == remedies.retry_step(run)
    assert remedies.for_access_denied("b", "k.csv", run_id=run)[-1] == remedies.retry_step(run)
    assert remedies.for_crash(run)[-1] == remedies.retry_step(run)
    assert "retry" in remedies.for_database_down()[-1]
    assert "late file is loaded as soon as it lands" in remedies.for_missing_file("Acme", "acme", "2026-03-05")[-1]
    assert remedies.for_interrupted([run])[0] == f"Retry run {run}: POST /admin/ingestions/{run}/retry."


def test_stored_steps_keep_their_order_and_are_bounded(owner_conn: Any) -> None:
    steps = [f"{n:02d}" + "x" * 3000 for n in range(25)]
    stored = owner_conn.execute("SELECT app.run_steps(%s::text[]) AS s", (steps,)).fetchone()["s"]
    assert [step[:2] for step in stored] == [f"{n:02d}" for n in range(20)]
    assert {len(step) for step in stored} == {2000}
    assert owner_conn.execute("SELECT app.run_steps('{}'::text[]) AS s").fetchone()["s"] == []
