"""`report.pdf`: a one-document performance report for a client and a date range.

KPIs with their change against the previous period of equal length (coloured good/bad) and
the sentence that explains the ROAS change (`shared.insights.roas`), two
daily charts (spend, revenue: each on its own axis with "nice" ticks, so spend is never
squashed under revenue), the top and bottom campaigns, the insights, and a footer on every
page with the period, the data-through date, the generation time, the page number and a
report ID that names the data the report was built from (client, range and the ingestion
runs read), so a sent report can be reproduced.

Text is drawn with DejaVu Sans, shipped in `shared/fonts/` (Latin, Greek, Cyrillic, Hebrew
and Arabic letters, currency and arrow symbols). CJK is not covered (a CJK font would add
10-20 MB to every function's layer): a character without a glyph prints as the font's
replacement mark and the full name stays in the CSV export. Names are drawn left to right
as stored; control and bidi-override characters are stripped first. fpdf2 is imported only
here, so the API handler's cold start does not pay for it unless a report is requested.

Branding: where the admin set them, the client's logo sits in the header (scaled to fit
`LOGO_BOX`, aspect kept, right-aligned) and its accent colour draws the title rule, the
section headings and the spend line in place of the product blue (headings stay ink when the
accent is too light to read on white). A stored logo that does not decode is skipped with a
warning: it never breaks the report. Without branding the report keeps the product look.
"""

from __future__ import annotations

import hashlib
import io
import math
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast
from uuid import UUID

from shared.dashboard.params import DateRange, Level, Page, Sort
from shared.dashboard.service import breakdown, client_info, insights, overview
from shared.db import QUERIES, Database, Tenant
from shared.numbers import human
from shared.numbers.currency import symbol
from shared.observability import logger
from shared.settings import Settings

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT = "DejaVu"
TOP_CAMPAIGNS = 5
MAX_INSIGHTS = 8
KPI_ROWS = (
    ("Impressions", "impressions"),
    ("Clicks", "clicks"),
    ("Conversions", "conversions"),
    ("Spend", "spend"),
    ("Revenue", "revenue"),
    ("CTR", "ctr"),
    ("CVR", "cvr"),
    ("CPC", "cpc"),
    ("CPA", "cpa"),
    ("ROAS", "roas"),
)
INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (13, 110, 253)
SECOND = (25, 135, 84)
GRID = (222, 226, 230)
TONES = {"good": (25, 135, 84), "bad": (200, 35, 51), "neutral": MUTED}
MISSING_GLYPH = "\ufffd"
LOGO_BOX = (42.0, 16.0)  # mm, width x height: the logo is scaled to fit, aspect kept
MIN_HEADING_CONTRAST = 3.0  # WCAG ratio against white for large bold text


def accent_rgb(value: str | None) -> tuple[int, int, int] | None:
    """`#RRGGBB` as an RGB tuple; None (no or malformed colour) keeps the product accent."""
    if not value or len(value) != 7 or value[0] != "#":
        return None
    try:
        return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)
    except ValueError:
        return None


def contrast_on_white(rgb: tuple[int, int, int]) -> float:
    """The WCAG contrast ratio of a colour against white (1 to 21)."""

    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def nice_ticks(top: Decimal | float, count: int = 5) -> list[Decimal]:
    """Axis ticks from 0 to at least `top` in steps of 1, 2, 2.5 or 5 x 10^n."""
    peak = float(top)
    if peak <= 0:
        return [Decimal(0), Decimal(1)]
    raw = peak / (count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = []
    value = 0.0
    while True:
        ticks.append(Decimal(repr(round(value, 10))))
        if value >= peak - 1e-12:
            break
        value += step
    return ticks


def tick_label(value: Decimal, currency: str) -> str:
    """A short axis label: "$0", "$250", "$2.5k", "$1.2M"."""
    number = float(value)
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(number) >= size:
            return f"{symbol(currency)}{f'{number / size:.1f}'.rstrip('0').rstrip('.')}{suffix}"
    return f"{symbol(currency)}{f'{number:.2f}'.rstrip('0').rstrip('.')}"


def report_id(client_id: UUID, date_range: DateRange, run_ids: list[str], last_change: Any) -> str:
    """A short, stable ID of the data a report shows: the same client, range, runs and last
    change give the same ID; new or restated data gives a new one."""
    digest = hashlib.sha256()
    for part in (str(client_id), date_range.start.isoformat(), date_range.end.isoformat(), str(last_change)):
        digest.update(part.encode() + b"\0")
    for run in sorted(run_ids):
        digest.update(run.encode() + b"\0")
    return "R-" + digest.hexdigest()[:12].upper()


def ranked_campaigns(rows: list[dict[str, Any]], *, min_impressions: int) -> tuple[list[dict[str, Any]], str]:
    """Campaigns with enough volume, best first, and the metric used: ROAS when every one of
    them has spend, else CTR (unpriced rows have no ROAS)."""
    eligible = [row for row in rows if row["impressions"] >= min_impressions]
    metric = "roas" if eligible and all(row["roas"] is not None for row in eligible) else "ctr"
    eligible = [row for row in eligible if row[metric] is not None]
    eligible.sort(key=lambda row: (row[metric], row["impressions"]), reverse=True)
    return eligible, metric


def split_top_bottom(ranked: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Up to 5 best and 5 worst (worst first) of a best-first list, never the same campaign
    in both: with few campaigns the better half is "top" and the rest "bottom"."""
    top_count = min(TOP_CAMPAIGNS, (len(ranked) + 1) // 2)
    rest = ranked[top_count:]
    return ranked[:top_count], list(reversed(rest[-TOP_CAMPAIGNS:]))


def roas_sentence(summary: dict[str, Any]) -> str | None:
    """The report's line on why ROAS moved: the overview's insight sentence, or why there is
    none; nothing without a comparison period."""
    explained = (summary.get("change") or {}).get("roas_explained")
    if not explained or not summary["previous"] or summary["previous"]["impressions"] == 0:
        return None
    if explained["available"]:
        return f"Why ROAS moved: {explained['message']}"
    return f"ROAS change not broken down: {explained['reason']}."


def provenance(db: Database, *, client_id: UUID, date_range: DateRange) -> dict[str, Any]:
    """The ingestion runs, data-through date and last change behind a report of the range,
    and the client's branding (`accent_color`, `logo` bytes; None where not set), read in
    one transaction in the client's tenant."""
    params = {"client_id": client_id, "date_from": date_range.previous().start, "date_to": date_range.end}
    with db.transaction(tenant=Tenant.client(client_id)) as conn:
        row = conn.execute(QUERIES["dashboard_report_provenance"], params).fetchone()
        brand = conn.execute(QUERIES["dashboard_report_branding"], {"client_id": client_id}).fetchone()
    assert row is not None  # an aggregate always returns one row
    return {
        "run_ids": sorted(row["run_ids"] or []),
        "data_through": row["data_through"],
        "last_change": row["last_change"],
        "accent_color": brand["accent_color"] if brand else None,
        "logo": bytes(brand["logo"]) if brand and brand["logo"] is not None else None,
    }


def build_report(
    db: Database, *, client_id: UUID, date_range: DateRange, settings: Settings, now: datetime | None = None
) -> tuple[str, bytes]:
    """`(filename, PDF bytes)` of the client's report for the range."""
    client = client_info(db, client_id=client_id)
    summary = overview(db, client_id=client_id, date_range=date_range)
    campaigns = breakdown(
        db,
        client_id=client_id,
        level=Level.CAMPAIGN,
        date_range=date_range,
        filters={},
        sort=Sort("spend", descending=True),
        page=Page(limit=settings.max_page_size, offset=0),
    )
    found = insights(db, client_id=client_id, date_range=date_range, settings=settings)["items"]
    ranked, metric = ranked_campaigns(campaigns["items"], min_impressions=settings.ranking_min_impressions)
    source = provenance(db, client_id=client_id, date_range=date_range)
    pdf = _render(
        client=client,
        date_range=date_range,
        summary=summary,
        ranked=ranked,
        metric=metric,
        insights=found,
        min_impressions=settings.ranking_min_impressions,
        now=now or datetime.now(UTC),
        source=source,
        report=report_id(client_id, date_range, source["run_ids"], source["last_change"]),
    )
    filename = f"{client['slug']}-report-{date_range.start.isoformat()}-{date_range.end.isoformat()}.pdf"
    return filename, pdf


def _renderable(text: str, cmap: Any) -> str:
    """Clean text with every character the font lacks shown as the replacement mark."""
    clean = human.clean_name(text)
    return "".join(ch if ord(ch) in cmap or ch == " " else MISSING_GLYPH for ch in clean)


def _render(
    *,
    client: dict[str, Any],
    date_range: DateRange,
    summary: dict[str, Any],
    ranked: list[dict[str, Any]],
    metric: str,
    insights: list[dict[str, Any]],
    min_impressions: int,
    now: datetime,
    source: dict[str, Any],
    report: str,
) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    currency = client["currency"]
    accent = accent_rgb(source.get("accent_color")) or ACCENT
    heading_ink = accent if source.get("accent_color") and contrast_on_white(accent) >= MIN_HEADING_CONTRAST else INK
    period = human.period(date_range.start, date_range.end)
    through = human.day(source["data_through"]) if source["data_through"] else "no data"
    generated = now.strftime("%Y-%m-%d %H:%M UTC")

    class Report(FPDF):  # type: ignore[misc]
        def footer(self) -> None:
            self.set_y(-12)
            self.set_draw_color(*GRID)
            self.line(self.l_margin, self.get_y() - 1, self.w - self.r_margin, self.get_y() - 1)
            self.set_font(FONT, "", 7)
            self.set_text_color(*MUTED)
            text = f"{period} · data through {through} · generated {generated} · report {report}"
            self.cell(self.w - self.l_margin - self.r_margin - 25, 5, text)
            self.cell(25, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    pdf = Report(orientation="portrait", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    fonts: Any = pdf.fonts
    cmap = fonts["dejavu"].cmap
    cmap_bold = fonts["dejavuB"].cmap

    def t(text: str, bold: bool = False) -> str:
        return _renderable(text, cmap_bold if bold else cmap)

    pdf.set_creation_date(now)
    pdf.set_title(f"Performance report - {t(client['name'])}")
    pdf.set_author("Paid Media Performance Dashboard")
    pdf.set_subject(f"{period}; report {report}")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(15, 15, 15)
    pdf.alias_nb_pages()
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    page_bottom = pdf.h - 18

    def room(height: float) -> None:
        """Start a new page unless `height` fits: a block never leaves an orphan line."""
        if pdf.get_y() + height > page_bottom:
            pdf.add_page()

    def heading(text: str, keep_with: float = 20) -> None:
        room(12 + keep_with)
        pdf.ln(3)
        pdf.set_font(FONT, "B", 12)
        pdf.set_text_color(*heading_ink)
        pdf.cell(width, 7, t(text, True), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # Title block: an accent bar, the client's logo (right) if any, the (wrapped) client
    # name beside it, the period.
    pdf.set_fill_color(*accent)
    pdf.rect(pdf.l_margin, 12, width, 1.2, style="F")
    logo_bottom = _logo(pdf, source.get("logo"), x_right=pdf.l_margin + width, y=16)
    title_width = width if logo_bottom is None else width - LOGO_BOX[0] - 4
    pdf.set_y(16)
    pdf.set_font(FONT, "B", 17)
    pdf.set_text_color(*INK)
    pdf.multi_cell(title_width, 8, t(client["name"], True), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9.5)
    pdf.set_text_color(*MUTED)
    no_previous = not summary["previous"] or summary["previous"]["impressions"] == 0
    compared = (
        "no data in the previous period"
        if no_previous
        else "compared with "
        + human.period(date.fromisoformat(summary["previous_from"]), date.fromisoformat(summary["previous_to"]))
    )
    pdf.multi_cell(
        title_width,
        5,
        f"Performance report · {period} ({date_range.days} days), {compared} · amounts in {currency}",
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    if logo_bottom is not None and pdf.get_y() < logo_bottom:
        pdf.set_y(logo_bottom)

    # KPIs with coloured changes.
    heading("Key figures", keep_with=70)
    columns = (44, 42, 42, 52)
    pdf.set_font(FONT, "B", 8.5)
    pdf.set_fill_color(241, 243, 245)
    pdf.set_text_color(*INK)
    for text, w in zip(("Metric", "This period", "Previous period", "Change"), columns, strict=True):
        pdf.cell(w, 7, text, fill=True, align="L" if text == "Metric" else "R")
    pdf.ln()
    for label, key in KPI_ROWS:
        change = summary["change"].get(key)
        pp = summary["change"].get(f"{key}_pp")
        change_text = human.signed_change(change)
        if pp is not None:
            change_text += f" ({human.signed_pp(pp)})"
        pdf.set_font(FONT, "", 8.5)
        pdf.set_text_color(*INK)
        pdf.cell(columns[0], 6, label)
        pdf.set_font(FONT, "B", 8.5)
        pdf.cell(columns[1], 6, human.metric(key, summary["totals"][key], currency), align="R")
        pdf.set_font(FONT, "", 8.5)
        pdf.set_text_color(*MUTED)
        previous = "\u2013" if no_previous else human.metric(key, summary["previous"][key], currency)
        pdf.cell(columns[2], 6, previous, align="R")
        if no_previous:
            pdf.cell(columns[3], 6, "no previous data", align="R")
        else:
            pdf.set_text_color(*TONES[human.tone(key, change)])
            flat = change is None or human.is_flat(change)
            direction = 0 if flat else (Decimal(change) > 0) - (Decimal(change) < 0)
            arrow = {1: "▲ ", -1: "▼ "}.get(direction, "")
            pdf.cell(columns[3], 6, arrow + change_text, align="R")
        pdf.ln()
        pdf.set_draw_color(*GRID)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + sum(columns), pdf.get_y())
    pdf.set_font(FONT, "", 7)
    pdf.set_text_color(*MUTED)
    pdf.cell(width, 5, "Green: better than the previous period; red: worse (a higher cost is worse).")
    pdf.ln()
    why = roas_sentence(summary)
    if why:
        pdf.set_font(FONT, "B", 8.5)
        pdf.set_text_color(*INK)
        pdf.multi_cell(width, 5, t(why, True), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    heading("Daily spend and revenue", keep_with=100)
    y = pdf.get_y() + 1
    _chart(
        pdf,
        summary["series"],
        "spend",
        f"Spend ({currency})",
        accent,
        currency,
        x=pdf.l_margin,
        y=y,
        w=width / 2 - 3,
        h=52,
    )
    _chart(
        pdf,
        summary["series"],
        "revenue",
        f"Revenue ({currency})",
        SECOND,
        currency,
        x=pdf.l_margin + width / 2 + 3,
        y=y,
        w=width / 2 - 3,
        h=52,
    )
    pdf.set_xy(pdf.l_margin, y + 56)

    top, bottom = split_top_bottom(ranked)
    label = "ROAS" if metric == "roas" else "CTR"
    heading(
        f"Top campaigns by {label} (at least {human.count(min_impressions)} impressions)", keep_with=8 + 8 * len(top)
    )
    _campaign_table(pdf, top, metric, currency, t, room)
    heading(f"Bottom campaigns by {label}", keep_with=8 + 8 * len(bottom))
    _campaign_table(pdf, bottom, metric, currency, t, room)

    heading("Insights", keep_with=22)
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(*INK)
    if not insights:
        pdf.cell(width, 6, "No notable changes in this period.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for item in insights[:MAX_INSIGHTS]:
        text = "• " + t(item.get("message", ""))
        lines = len(cast(list[str], pdf.multi_cell(width, 5, text, align="L", dry_run=True, output="LINES")))
        room(lines * 5 + 1)
        pdf.set_text_color(*(TONES["bad"] if item.get("severity") == "high" else INK))
        pdf.multi_cell(width, 5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    # The runs behind the report: in the document's metadata always, on the page when it
    # fits (never a page of its own: the footer already names the report).
    pdf.set_keywords(f"report {report}; ingestion runs {' '.join(source['run_ids']) or 'none'}")
    runs = ", ".join(run[:8] for run in source["run_ids"][:12]) or "none"
    more = f" and {len(source['run_ids']) - 12} more" if len(source["run_ids"]) > 12 else ""
    note = (
        f"Report {report}: built from {len(source['run_ids'])} ingestion run(s) ({runs}{more}); "
        f"data through {through}. Ratios are computed from sums; amounts in {currency}."
    )
    pdf.set_font(FONT, "", 7)
    note_lines = len(cast(list[str], pdf.multi_cell(width, 3.5, note, dry_run=True, output="LINES")))
    if pdf.get_y() + 2 + note_lines * 3.5 <= page_bottom:
        pdf.ln(2)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(width, 3.5, note, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _logo(pdf: Any, content: bytes | None, *, x_right: float, y: float) -> float | None:
    """Place the logo scaled into `LOGO_BOX` (aspect kept) with its right edge at `x_right`;
    the y of its bottom edge, or None without a logo or when the bytes do not decode."""
    if not content:
        return None
    from fpdf.image_parsing import preload_image

    try:
        _, _, loaded = preload_image(pdf.image_cache, io.BytesIO(content))
        info: Any = loaded
        px_w, px_h = float(info["w"]), float(info["h"])
        if px_w <= 0 or px_h <= 0:
            raise ValueError("image without dimensions")
        scale = min(LOGO_BOX[0] / px_w, LOGO_BOX[1] / px_h)
        w, h = px_w * scale, px_h * scale
        pdf.image(io.BytesIO(content), x=x_right - w, y=y, w=w, h=h)
    except Exception as exc:  # noqa: BLE001 - any decoder failure: the report goes out without the logo
        logger.warning("report logo skipped: the stored image does not decode", error=repr(exc)[:200])
        return None
    return y + h


def _campaign_table(pdf: Any, rows: list[dict[str, Any]], metric: str, currency: str, t: Any, room: Any) -> None:
    columns = (76, 28, 22, 26, 28)
    pdf.set_font(FONT, "B", 8.5)
    pdf.set_fill_color(241, 243, 245)
    pdf.set_text_color(*INK)
    headers = ("Campaign", "Impressions", "Clicks", f"Spend ({currency})", metric.upper())
    for text, w in zip(headers, columns, strict=True):
        pdf.cell(w, 6, text, fill=True, align="L" if text == "Campaign" else "R")
    pdf.ln()
    pdf.set_font(FONT, "", 8.5)
    if not rows:
        pdf.set_text_color(*MUTED)
        pdf.cell(sum(columns), 6, "Not enough campaigns with volume to rank.")
        pdf.ln()
        return
    for row in rows:
        name = t(row["name"])
        lines = pdf.multi_cell(columns[0], 5, name, align="L", dry_run=True, output="LINES")
        height = 5 * len(lines) + 1
        room(height)
        x, y = pdf.get_x(), pdf.get_y()
        pdf.set_text_color(*INK)
        pdf.multi_cell(columns[0], 5, name, align="L", new_x="RIGHT", new_y="TOP")
        pdf.set_xy(x + columns[0], y)
        cells = (
            human.count(row["impressions"]),
            human.count(row["clicks"]),
            human.money(row["spend"], currency),
            human.metric(metric, row[metric], currency),
        )
        for text, w in zip(cells, columns[1:], strict=True):
            pdf.cell(w, 5, text, align="R")
        pdf.set_xy(x, y + height)
        pdf.set_draw_color(*GRID)
        pdf.line(x, y + height - 0.5, x + sum(columns), y + height - 0.5)


def _chart(
    pdf: Any,
    series: list[dict[str, Any]],
    key: str,
    title: str,
    color: tuple[int, int, int],
    currency: str,
    *,
    x: float,
    y: float,
    w: float,
    h: float,
) -> None:
    """One daily series on its own axis: nice ticks, an axis title, first/last dates."""
    label_w = 14
    plot_x, plot_y, plot_w, plot_h = x + label_w, y + 6, w - label_w, h - 14
    values = [Decimal(p[key] or 0) for p in series]
    ticks = nice_ticks(max(values, default=Decimal(0)))
    top = ticks[-1] or Decimal(1)
    pdf.set_font(FONT, "B", 8)
    pdf.set_text_color(*INK)
    pdf.set_xy(x, y)
    pdf.cell(w, 4, title)
    pdf.set_line_width(0.2)
    pdf.set_font(FONT, "", 6.5)
    pdf.set_text_color(*MUTED)
    for tick in ticks:
        gy = plot_y + plot_h - float(tick / top) * plot_h
        pdf.set_draw_color(*GRID)
        pdf.line(plot_x, gy, plot_x + plot_w, gy)
        pdf.set_xy(x, gy - 2)
        pdf.cell(label_w - 1, 4, tick_label(tick, currency), align="R")
    n = max(len(series) - 1, 1)
    line = [(plot_x + plot_w * i / n, plot_y + plot_h - float(v / top) * plot_h) for i, v in enumerate(values)]
    pdf.set_draw_color(*color)
    pdf.set_line_width(0.5)
    if len(line) == 1:
        pdf.circle(line[0][0], line[0][1], 1)
    elif line:
        pdf.polyline(line)
    pdf.set_line_width(0.2)
    if series:
        pdf.set_xy(plot_x, plot_y + plot_h + 1)
        pdf.cell(plot_w / 2, 4, human.day(date.fromisoformat(series[0]["date"])), align="L")
        pdf.cell(plot_w / 2, 4, human.day(date.fromisoformat(series[-1]["date"])), align="R")
        pdf.set_xy(plot_x, plot_y + plot_h + 4.5)
        pdf.cell(plot_w, 3.5, "day", align="C")
    pdf.set_text_color(*INK)
