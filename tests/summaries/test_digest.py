"""The digest email's content (pure: no database, no SES)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from shared.metrics import Aggregate, compare
from shared.summaries.builder import PeriodSummary
from shared.summaries.digest import digest_alert


def _summary(name: str, insights: list[str]) -> PeriodSummary:
    now = Aggregate(impressions=10_000, clicks=50, conversions=5, revenue=Decimal("90"), spend=Decimal("42.5"))
    before = Aggregate(impressions=8_000, clicks=80, conversions=4, revenue=Decimal("60"), spend=Decimal("34"))
    return PeriodSummary(
        id=uuid4(),
        client_id=uuid4(),
        kind="weekly",
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 8),
        totals=now,
        previous=before,
        change=compare(now, before),
        days_with_data=6,
        insights=[{"message": message} for message in insights],
        client_name=name,
    )


def test_digest_lists_headlines_top_three_insights_and_failures():
    alert = digest_alert(
        "weekly",
        date(2026, 3, 2),
        date(2026, 3, 8),
        [_summary("Acme <Outdoor>", ["first", "second", "third", "fourth"])],
        ["Globex"],
    )
    assert alert.kind == "weekly_digest"
    assert alert.subject == "Weekly digest 2026-03-02 to 2026-03-08: 1 client(s), 1 failed"
    assert alert.lines == [
        "Acme <Outdoor>: spend 42.50 (+25.0%), conversions 5 (+25.0%), revenue 90.00 (+50.0%), "
        "ROAS 2.12 (+20.0%), CTR 0.50% (-0.50 pp); data on 6/7 days",
        "  - first",
        "  - second",
        "  - third",
        "NOT BUILT: Globex (see the function's logs)",
    ]
    # client-provided names are escaped in the HTML part
    assert "Acme &lt;Outdoor&gt;" in alert.html() and "<Outdoor>" not in alert.html()
