"""`report.pdf`: a one-document performance report for a client and a date range.

KPIs with their change against the previous period of equal length, a daily trend chart of
spend and revenue (drawn with fpdf2 line primitives: no plotting library), the top and
bottom campaigns, and the insights. fpdf2 is imported only here, so the API handler's cold
start does not pay for it unless a report is requested.

The core PDF fonts cover Latin-1 only; text outside it (a client or campaign name in another
script) is replaced with `?` rather than failing the report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from shared.dashboard.params import DateRange, Level, Page, Sort
from shared.dashboard.service import breakdown, client_info, insights, overview
from shared.db import Database
from shared.settings import Settings

TOP_CAMPAIGNS = 5
MAX_INSIGHTS = 8
KPI_ROWS = (
    ("Impressions", "impressions", "count"),
    ("Clicks", "clicks", "count"),
    ("Conversions", "conversions", "count"),
    ("Spend", "spend", "money"),
    ("Revenue", "revenue", "money"),
    ("CTR", "ctr", "percent"),
    ("CVR", "cvr", "percent"),
    ("CPC", "cpc", "money"),
    ("CPA", "cpa", "money"),
    ("ROAS", "roas", "multiple"),
)
INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (13, 110, 253)
SECOND = (25, 135, 84)
GRID = (222, 226, 230)


def latin1(text: str) -> str:
    """Text the core PDF fonts can draw."""
    return text.encode("latin-1", "replace").decode("latin-1")


def fmt(value: Any, kind: str) -> str:
    """A KPI value for people: thousands separators, money to cents, ratios as percent."""
    if value is None:
        return "n/a"
    number = Decimal(value)
    if kind == "count":
        return f"{int(number):,}"
    if kind == "money":
        return f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    if kind == "percent":
        return f"{(number * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"
    return f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}x"


def fmt_change(change: Any) -> str:
    if change is None:
        return "n/a"
    percent = (Decimal(change) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{'+' if percent > 0 else ''}{percent}%"


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
    pdf = _render(
        client=client,
        date_range=date_range,
        summary=summary,
        ranked=ranked,
        metric=metric,
        insights=found,
        min_impressions=settings.ranking_min_impressions,
        now=now or datetime.now(UTC),
    )
    filename = f"{client['slug']}-report-{date_range.start.isoformat()}-{date_range.end.isoformat()}.pdf"
    return filename, pdf


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
) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_creation_date(now)
    pdf.set_title(latin1(f"Performance report - {client['name']}"))
    pdf.set_author("Paid Media Performance Dashboard")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def heading(text: str, size: int = 12) -> None:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", size)
        pdf.set_text_color(*INK)
        pdf.cell(width, 7, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # Title block.
    pdf.set_font("Helvetica", "B", 18)
    pdf.set_text_color(*INK)
    pdf.cell(width, 10, latin1(client["name"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 10)
    pdf.set_text_color(*MUTED)
    pdf.cell(
        width,
        5,
        latin1(
            f"Performance report {date_range.start.isoformat()} to {date_range.end.isoformat()} "
            f"({date_range.days} days), compared with {summary['previous_from']} to {summary['previous_to']}"
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.cell(width, 5, f"Generated {now.strftime('%Y-%m-%d %H:%M')} UTC", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # KPIs with changes.
    heading("Key figures")
    columns = (50, 45, 45, 40)
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(*GRID)
    for text, w in zip(("Metric", "This period", "Previous period", "Change"), columns, strict=True):
        pdf.cell(w, 7, text, fill=True, align="L" if text == "Metric" else "R")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for label, key, kind in KPI_ROWS:
        change = summary["change"].get(key)
        if key in ("ctr", "cvr") and summary["change"].get(f"{key}_pp") is not None:
            change_text = f"{fmt_change(change)} ({Decimal(summary['change'][f'{key}_pp']):+.2f} pp)"
        else:
            change_text = fmt_change(change)
        cells = (label, fmt(summary["totals"][key], kind), fmt(summary["previous"][key], kind), change_text)
        for text, w in zip(cells, columns, strict=True):
            pdf.cell(w, 6, latin1(text), align="L" if text == label else "R")
        pdf.ln()

    heading("Daily spend and revenue")
    _trend_chart(pdf, summary["series"], x=pdf.l_margin, y=pdf.get_y() + 1, w=width, h=55)

    heading(f"Top campaigns (by {metric.upper()}, at least {min_impressions:,} impressions)")
    top, bottom = split_top_bottom(ranked)
    _campaign_table(pdf, top, metric)
    heading(f"Bottom campaigns (by {metric.upper()})")
    _campaign_table(pdf, bottom, metric)

    heading("Insights")
    pdf.set_font("Helvetica", "", 9)
    pdf.set_text_color(*INK)
    if not insights:
        pdf.cell(width, 6, "No notable changes in this period.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for item in insights[:MAX_INSIGHTS]:
        pdf.multi_cell(width, 5, latin1(f"- {item.get('message', '')}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _campaign_table(pdf: Any, rows: list[dict[str, Any]], metric: str) -> None:
    columns = (70, 30, 25, 25, 30)
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(*GRID)
    pdf.set_text_color(*INK)
    headers = ("Campaign", "Impressions", "Clicks", "Spend", metric.upper())
    for text, w in zip(headers, columns, strict=True):
        pdf.cell(w, 6, text, fill=True, align="L" if text == "Campaign" else "R")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    if not rows:
        pdf.cell(sum(columns), 6, "Not enough campaigns with volume to rank.")
        pdf.ln()
        return
    for row in rows:
        name = row["name"] if len(row["name"]) <= 40 else row["name"][:39] + "..."
        value = fmt(row[metric], "multiple" if metric == "roas" else "percent")
        cells = (name, fmt(row["impressions"], "count"), fmt(row["clicks"], "count"), fmt(row["spend"], "money"), value)
        for text, w in zip(cells, columns, strict=True):
            pdf.cell(w, 6, latin1(text), align="L" if text == name else "R")
        pdf.ln()


def _trend_chart(pdf: Any, series: list[dict[str, Any]], *, x: float, y: float, w: float, h: float) -> None:
    """Two money series on one axis, with gridlines, min/max labels and a legend."""
    label_w = 18
    plot_x, plot_w, plot_h = x + label_w, w - label_w, h - 10
    values = [Decimal(p["spend"] or 0) for p in series] + [Decimal(p["revenue"] or 0) for p in series]
    top = max(values, default=Decimal(0)) or Decimal(1)
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.2)
    pdf.set_font("Helvetica", "", 7)
    pdf.set_text_color(*MUTED)
    for step in range(5):
        level = top * step / 4
        gy = y + plot_h - float(level / top) * plot_h
        pdf.line(plot_x, gy, plot_x + plot_w, gy)
        pdf.set_xy(x, gy - 2)
        pdf.cell(label_w - 1, 4, fmt(level, "money"), align="R")

    def points(key: str) -> list[tuple[float, float]]:
        n = max(len(series) - 1, 1)
        return [
            (plot_x + plot_w * i / n, y + plot_h - float(Decimal(p[key] or 0) / top) * plot_h)
            for i, p in enumerate(series)
        ]

    pdf.set_line_width(0.5)
    for key, color in (("spend", ACCENT), ("revenue", SECOND)):
        pdf.set_draw_color(*color)
        line = points(key)
        if len(line) == 1:
            pdf.circle(line[0][0], line[0][1], 1)
        else:
            pdf.polyline(line)
    # X axis labels and legend.
    if series:
        pdf.set_xy(plot_x, y + plot_h + 1)
        pdf.cell(plot_w / 2, 4, series[0]["date"], align="L")
        pdf.cell(plot_w / 2, 4, series[-1]["date"], align="R")
    legend_y = y + plot_h + 5
    for offset, (label, color) in enumerate((("Spend", ACCENT), ("Revenue", SECOND))):
        lx = plot_x + offset * 30
        pdf.set_draw_color(*color)
        pdf.line(lx, legend_y + 2, lx + 6, legend_y + 2)
        pdf.set_xy(lx + 7, legend_y)
        pdf.cell(20, 4, label)
    pdf.set_line_width(0.2)
    pdf.set_text_color(*INK)
    pdf.set_xy(x, y + h)
