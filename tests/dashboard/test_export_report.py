"""CSV export (formula injection, chunked server-side cursor, size cap) and the PDF report."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shared.dashboard import service
from shared.dashboard.export import export_csv, neutralise
from shared.dashboard.params import DateRange, Level
from shared.dashboard.report import build_report, ranked_campaigns
from shared.errors import InvalidInput, NotFound
from tests.dashboard.data import DAYS, FIRST_DAY, add_client, add_metrics, add_tree

FULL = DateRange(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1))
HOSTILE = ['=HYPERLINK("http://evil","x")', "+1", "-2", "@x", "\tTabbed", "\rReturn"]


@pytest.fixture
def hostile(owner_conn):
    client = add_client(owner_conn, "Hostile Names", "hostile")
    add_tree(owner_conn, client, {name: {name + " s": {name + " p": [name + " c"]}} for name in HOSTILE})
    add_metrics(owner_conn, client, days=3)
    return client


@pytest.mark.parametrize("value", [*HOSTILE, "=1+1", "-", "@"])
def test_neutralise_prefixes_formula_like_cells(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Spring Sale", "1+1", "a=b", " =x", "", "'quoted"])
def test_neutralise_leaves_ordinary_text_alone(value):
    assert neutralise(value) == value


def test_export_neutralises_every_formula_like_name(api_db, hostile):
    for level in ("campaign", "strategy", "placement", "creative"):
        _check_neutralised(api_db, hostile, level)


def _check_neutralised(api_db, hostile, level):
    _, text = export_csv(api_db, client_id=hostile.id, level=Level(level), date_range=FULL, chunk_rows=2)
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[-10:] == [
        "impressions",
        "clicks",
        "conversions",
        "revenue",
        "spend",
        "ctr",
        "cvr",
        "cpc",
        "cpa",
        "roas",
    ]
    assert len(body) == len(HOSTILE)
    for row in body:
        for cell in row[: len(header) - 10]:
            assert cell.startswith("'"), cell
            assert any(cell[1:].startswith(name) for name in HOSTILE), cell


def test_export_creative_level_sums_match_overview_and_money_is_in_cents(api_db, acme, globex):
    filename, text = export_csv(api_db, client_id=acme.id, level=Level.CREATIVE, date_range=FULL, chunk_rows=3)
    assert filename == "acme-creative-2026-03-02-2026-03-15.csv"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 7
    assert {r["campaign"] for r in rows} == {"Spring Sale", "Brand Awareness", "Quiet Test"}
    totals = service.overview(api_db, client_id=acme.id, date_range=FULL)["totals"]
    assert sum(int(r["impressions"]) for r in rows) == totals["impressions"]
    assert all(len(r["spend"].split(".")[1]) == 2 for r in rows)


def test_daily_export_has_one_row_per_day_with_data(api_db, acme):
    _, text = export_csv(api_db, client_id=acme.id, level="daily", date_range=FULL)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["date"] for r in rows] == [(FIRST_DAY + timedelta(days=n)).isoformat() for n in range(DAYS)]


def test_export_over_the_size_cap_fails_cleanly(api_db, acme):
    with pytest.raises(InvalidInput, match="too large"):
        export_csv(api_db, client_id=acme.id, level=Level.CREATIVE, date_range=FULL, max_bytes=300)


def test_export_of_an_unknown_client_is_not_found(api_db, acme):
    import uuid

    with pytest.raises(NotFound):
        export_csv(api_db, client_id=uuid.uuid4(), level="daily", date_range=FULL)


def test_ranking_needs_volume_and_falls_back_to_ctr_without_spend():
    rows = [
        {"name": "big", "impressions": 5000, "roas": Decimal("2"), "ctr": Decimal("0.01")},
        {"name": "small", "impressions": 10, "roas": Decimal("9"), "ctr": Decimal("0.5")},
        {"name": "mid", "impressions": 2000, "roas": Decimal("3"), "ctr": Decimal("0.02")},
    ]
    ranked, metric = ranked_campaigns(rows, min_impressions=1000)
    assert metric == "roas" and [r["name"] for r in ranked] == ["mid", "big"]
    rows[0]["roas"] = None
    ranked, metric = ranked_campaigns(rows, min_impressions=1000)
    assert metric == "ctr" and [r["name"] for r in ranked] == ["mid", "big"]


def test_top_and_bottom_campaigns_never_overlap():
    from shared.dashboard.report import split_top_bottom

    def names(n):
        return [{"name": f"c{i}"} for i in range(n)]

    assert split_top_bottom(names(0)) == ([], [])
    assert split_top_bottom(names(1)) == ([{"name": "c0"}], [])
    top, bottom = split_top_bottom(names(3))
    assert [c["name"] for c in top] == ["c0", "c1"] and [c["name"] for c in bottom] == ["c2"]
    top, bottom = split_top_bottom(names(12))
    assert [c["name"] for c in top] == ["c0", "c1", "c2", "c3", "c4"]
    assert [c["name"] for c in bottom] == ["c11", "c10", "c9", "c8", "c7"]


def test_pdf_report_carries_the_client_name_and_figures(api_db, acme, globex, settings):
    from pypdf import PdfReader

    filename, pdf = build_report(
        api_db, client_id=acme.id, date_range=FULL, settings=settings, now=datetime(2026, 3, 16, tzinfo=UTC)
    )
    assert filename == "acme-report-2026-03-02-2026-03-15.pdf"
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    totals = service.overview(api_db, client_id=acme.id, date_range=FULL)["totals"]
    assert "Acme Outdoor" in text
    assert f"{totals['impressions']:,}" in text
    assert f"{totals['spend']:,}" in text
    assert "Spring Sale" in text or "Brand Awareness" in text
    assert "Globex" not in text
    assert len(reader.pages) <= 2


def test_pdf_report_survives_names_outside_latin1_and_no_data(api_db, owner_conn, settings):
    client = add_client(owner_conn, "Café Ünïcode 東京", "unicode")
    _, pdf = build_report(api_db, client_id=client.id, date_range=FULL, settings=settings)
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Café Ünïcode" in text
    assert "n/a" in text
