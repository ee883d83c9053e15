"""CSV export (formula injection, chunked server-side cursor, size cap) and the PDF report."""

from __future__ import annotations

import csv
import io
import re
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
        "revenue (USD)",
        "spend (USD)",
        "ctr",
        "cvr",
        "cpc (USD)",
        "cpa (USD)",
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
    assert all(re.fullmatch(r"\d+\.\d{2}", r["spend (USD)"]) for r in rows)
    assert all(re.fullmatch(r"\d+\.\d{4}", r["cpc (USD)"]) for r in rows if r["cpc (USD)"])
    assert all(re.fullmatch(r"\d+\.\d{6}", r["ctr"]) for r in rows if r["ctr"])


def test_export_headers_name_the_client_currency(api_db, owner_conn, acme):
    owner_conn.execute("UPDATE clients SET currency = 'JPY' WHERE id = %s", (acme.id,))
    _, text = export_csv(api_db, client_id=acme.id, level="daily", date_range=FULL)
    header = next(csv.reader(io.StringIO(text)))
    assert "spend (JPY)" in header and "revenue (JPY)" in header and "cpa (JPY)" in header
    assert "ctr" in header and "impressions" in header


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


def _pdf_text(pdf: bytes) -> tuple[str, int]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def _save_page_images(pdf: bytes, name: str) -> None:
    """Rendered pages as test artifacts (build/test-artifacts/), to be looked at."""
    import shutil
    import subprocess
    from pathlib import Path

    if shutil.which("pdftoppm") is None:
        return
    out = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(out / f"{name}.pdf"), str(out / name)], check=True)


def test_pdf_report_in_greek_and_cyrillic_with_currency_page_numbers_and_report_id(api_db, owner_conn, settings):
    # given a EUR client whose campaigns are named in Greek and Cyrillic
    client = add_client(owner_conn, "Ακμή Одежда \u202eOutdoor\u202c", "greek")
    owner_conn.execute("UPDATE clients SET currency = 'EUR' WHERE id = %s", (client.id,))
    add_tree(
        owner_conn,
        client,
        {"Καλοκαίρι": {"s1": {"p1": ["c1"]}}, "Весна распродажа": {"s2": {"p2": ["c2"]}}},
    )
    add_metrics(owner_conn, client, days=DAYS)
    # when the report of the whole data range is built
    _, pdf = build_report(api_db, client_id=client.id, date_range=FULL, settings=settings)
    _save_page_images(pdf, "report-greek-cyrillic")
    text, pages = _pdf_text(pdf)
    # then the names, the currency symbol, the page numbers and the report ID are there
    assert "Ακμή Одежда Outdoor" in text  # the bidi override is stripped
    assert "\u202e" not in text
    assert "Καλοκαίρι" in text and "Весна распродажа" in text
    assert "€" in text and "amounts in EUR" in text
    assert f"Page 1 of {pages}" in text
    assert re.search(r"report R-[0-9A-F]{12}", text)
    # a range with no earlier data says so instead of printing zeros
    assert "no data in the previous period" in text
    assert "?????" not in text
    assert pages == 1  # no page holding only a stray line


def test_pdf_report_id_changes_with_the_data_and_is_stable_otherwise(api_db, owner_conn, acme, settings):
    def rid() -> str:
        _, pdf = build_report(api_db, client_id=acme.id, date_range=FULL, settings=settings)
        found = re.search(r"report (R-[0-9A-F]{12})", _pdf_text(pdf)[0])
        assert found
        return found.group(1)

    first = rid()
    assert rid() == first
    owner_conn.execute(
        "UPDATE daily_metrics SET updated_at = now() + interval '1 minute' WHERE client_id = %s", (acme.id,)
    )
    assert rid() != first


def test_pdf_arrow_and_coloured_changes_render_as_text():
    from shared.dashboard.report import _render

    agg = {k: None for k in ("ctr", "cvr", "cpc", "cpa", "roas")} | {
        "impressions": 10,
        "clicks": 1,
        "conversions": 0,
        "revenue": "1.00",
        "spend": "2.00",
    }
    summary = {
        "previous_from": "2026-02-16",
        "previous_to": "2026-03-01",
        "totals": agg,
        "previous": agg,
        # CTR moved by less than the 0.05% and 0.005 pp the table shows: it reads as flat.
        "change": {"impressions": "0.100000", "cpc": "0.200000", "ctr": "-0.000300", "ctr_pp": "-0.000040"},
        "series": [{"date": "2026-03-02", "spend": "2.00", "revenue": "1.00"}],
    }
    pdf = _render(
        client={"name": "Ωμέγα", "currency": "GBP", "slug": "o"},
        date_range=FULL,
        summary=summary,
        ranked=[],
        metric="roas",
        insights=[{"message": "CTR for campaign Ωμέγα fell 31% week over week (0.46% → 0.43% → 0.41%)"}],
        min_impressions=1000,
        now=datetime(2026, 3, 16, tzinfo=UTC),
        source={"run_ids": [], "data_through": None, "last_change": None},
        report="R-000000000000",
    )
    _save_page_images(pdf, "report-arrow")
    text, _ = _pdf_text(pdf)
    assert "0.46% → 0.43% → 0.41%" in text
    assert "£2.00" in text and "▲ +10.0%" in text
    assert "0.0% (0.00 pp)" in text and "-0.0" not in text and "▼" not in text
    # Dates read as the web app writes them.
    assert "compared with Feb 16 \N{EN DASH} Mar 1, 2026" in text and "Mar 2, 2026" in text


def _logo_png(width: int = 300, height: int = 100) -> bytes:
    """A real PNG (valid chunks and CRCs): magenta with a dark stripe, easy to spot."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = []
    for y in range(height):
        pixel = b"\x33\x33\x33" if height // 3 <= y < 2 * height // 3 else b"\xcc\x33\x66"
        rows.append(b"\x00" + pixel * width)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def _brand(owner_conn, client, *, logo: bytes | None, accent: str | None) -> None:
    from shared.admin.branding import Logo

    stored = Logo(logo, "image/png", 300, 100) if logo else None
    owner_conn.execute(
        "INSERT INTO client_branding (client_id, accent_color, logo, logo_content_type, logo_sha256,"
        " logo_width, logo_height) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (
            client.id,
            accent,
            logo,
            stored and stored.content_type,
            stored and stored.sha256,
            stored and stored.width,
            stored and stored.height,
        ),
    )


def _images_and_fill_colours(pdf: bytes) -> tuple[list[tuple[int, int]], set[tuple[float, ...]]]:
    """(pixel sizes of the images on every page, the RGB fill/stroke colours the pages set)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    sizes: list[tuple[int, int]] = []
    colours: set[tuple[float, ...]] = set()
    for page in reader.pages:
        xobjects = page["/Resources"].get_object().get("/XObject", {})
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                sizes.append((int(obj["/Width"]), int(obj["/Height"])))
        stream = page.get_contents().get_data().decode("latin-1")
        for found in re.finditer(r"([\d.]+) ([\d.]+) ([\d.]+) (?:rg|RG)\b", stream):
            colours.add(tuple(round(float(v), 3) for v in found.groups()))
    return sizes, colours


ACCENT_CC3366 = (0.8, 0.2, 0.4)
PRODUCT_BLUE = (round(13 / 255, 3), round(110 / 255, 3), round(253 / 255, 3))


def test_pdf_report_carries_the_client_logo_and_accent_colour(api_db, owner_conn, acme, globex, settings):
    # given Acme has a logo and an accent colour set by the admin
    _brand(owner_conn, acme, logo=_logo_png(), accent="#cc3366")
    # when Acme's report is built (in Acme's tenant)
    _, pdf = build_report(api_db, client_id=acme.id, date_range=FULL, settings=settings)
    _save_page_images(pdf, "report-branded")
    sizes, colours = _images_and_fill_colours(pdf)
    # then the logo is on the page and the accent replaces the product blue
    assert sizes == [(300, 100)]
    assert ACCENT_CC3366 in colours
    assert PRODUCT_BLUE not in colours
    assert "Acme Outdoor" in _pdf_text(pdf)[0]
    # and another client's report shows none of it
    _, other = build_report(api_db, client_id=globex.id, date_range=FULL, settings=settings)
    other_sizes, other_colours = _images_and_fill_colours(other)
    assert other_sizes == [] and ACCENT_CC3366 not in other_colours and PRODUCT_BLUE in other_colours


def test_pdf_report_without_branding_has_no_image_and_the_product_blue(api_db, acme, settings):
    _, pdf = build_report(api_db, client_id=acme.id, date_range=FULL, settings=settings)
    sizes, colours = _images_and_fill_colours(pdf)
    assert sizes == []
    assert PRODUCT_BLUE in colours


def test_pdf_report_with_an_accent_only_uses_it_without_an_image(api_db, owner_conn, acme, settings):
    _brand(owner_conn, acme, logo=None, accent="#cc3366")
    _, pdf = build_report(api_db, client_id=acme.id, date_range=FULL, settings=settings)
    sizes, colours = _images_and_fill_colours(pdf)
    assert sizes == [] and ACCENT_CC3366 in colours


@pytest.mark.parametrize(
    "corrupt",
    [
        _logo_png()[:60],  # valid signature and IHDR (passes the upload sniffer), data cut off
        _logo_png()[:33] + b"\x00\x00\x00\x10IDAT" + b"not zlib at all!" + b"\x00\x00\x00\x00",
        b"\xff\xd8\xff\xe0" + b"\x00" * 40,  # a JPEG in name only
    ],
)
def test_a_corrupt_stored_logo_is_skipped_and_the_report_still_builds(
    api_db, owner_conn, acme, settings, corrupt, monkeypatch
):
    from shared.dashboard import report

    warnings: list[str] = []
    monkeypatch.setattr(report.logger, "warning", lambda message, **_: warnings.append(message))
    _brand(owner_conn, acme, logo=corrupt, accent="#cc3366")
    _, pdf = build_report(api_db, client_id=acme.id, date_range=FULL, settings=settings)
    assert warnings == ["report logo skipped: the stored image does not decode"]
    assert pdf.startswith(b"%PDF-")
    text, pages = _pdf_text(pdf)
    assert "Acme Outdoor" in text and f"Page 1 of {pages}" in text
    sizes, colours = _images_and_fill_colours(pdf)
    assert sizes == []
    assert ACCENT_CC3366 in colours  # the accent still applies


def test_a_light_accent_colours_the_rule_but_headings_stay_readable():
    from shared.dashboard.report import INK, contrast_on_white

    assert contrast_on_white((255, 255, 255)) == pytest.approx(1.0)
    assert contrast_on_white((0, 0, 0)) == pytest.approx(21.0)
    assert contrast_on_white((204, 51, 102)) > 3.0
    assert contrast_on_white((255, 235, 59)) < 3.0  # a pale yellow
    assert contrast_on_white(INK) > 7.0


def test_pdf_report_says_why_roas_moved(api_db, acme, settings):
    # given the second week, compared with the first (both with data)
    week2 = DateRange(FIRST_DAY + timedelta(days=7), FIRST_DAY + timedelta(days=13))
    explained = service.overview(api_db, client_id=acme.id, date_range=week2)["change"]["roas_explained"]
    assert explained["available"] is True
    # when
    _, pdf = build_report(api_db, client_id=acme.id, date_range=week2, settings=settings)
    # then the report carries the overview's sentence, word for word
    text = " ".join(_pdf_text(pdf)[0].split())
    assert f"Why ROAS moved: {explained['message']}" in text
    _save_page_images(pdf, "report-roas-explained")


def test_pdf_report_says_why_roas_is_not_broken_down(api_db, owner_conn, settings):
    # given a client whose rows are unpriced (no CPM): no ROAS on either side
    client = add_client(owner_conn, "No Rate", "no-rate", cpm=None)
    add_tree(owner_conn, client, {"C": {"S": {"P": ["Ad"]}}})
    add_metrics(owner_conn, client, priced=False)
    week2 = DateRange(FIRST_DAY + timedelta(days=7), FIRST_DAY + timedelta(days=13))
    _, pdf = build_report(api_db, client_id=client.id, date_range=week2, settings=settings)
    text = " ".join(_pdf_text(pdf)[0].split())
    assert "ROAS change not broken down: no priced spend in this period (no CPM in force)." in text
    assert "Why ROAS moved" not in text
