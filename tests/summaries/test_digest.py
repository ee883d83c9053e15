"""The digest email's content, and the email as SES (moto) receives it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from shared.alerts import send_alert
from shared.aws.ses import SesEmailSender
from shared.metrics import Aggregate, compare
from shared.summaries.builder import PeriodSummary
from shared.summaries.digest import digest_alert
from tests.conftest import sent_emails


def _summary(name: str, insights: list[str], currency: str = "USD") -> PeriodSummary:
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
        currency=currency,
    )


def test_digest_groups_each_headline_with_its_top_three_insights():
    alert = digest_alert(
        "weekly",
        date(2026, 3, 2),
        date(2026, 3, 8),
        [_summary("Acme <Outdoor>", ["first", "second", "third", "fourth"])],
        ["Globex"],
    )
    assert alert.kind == "weekly_digest"
    assert alert.subject == "Weekly digest, Mar 2 \N{EN DASH} Mar 8, 2026: 1 client, 1 failed"
    assert alert.groups == [
        (
            "Acme <Outdoor> (USD): spend $42.50 (+25.0%), conversions 5 (+25.0%), revenue $90.00 (+50.0%), "
            "ROAS 2.12x (+20.0%), CTR 0.50% (-0.50 pp); data on 6/7 days",
            ["first", "second", "third"],
        )
    ]
    assert alert.lines == ["NOT BUILT: Globex (see the function's logs)"]
    # client-provided names are escaped in the HTML part
    assert "Acme &lt;Outdoor&gt;" in alert.html() and "<Outdoor>" not in alert.html()


def test_digest_html_nests_insights_under_their_client_and_text_has_no_double_bullets():
    alert = digest_alert("weekly", date(2026, 3, 2), date(2026, 3, 8), [_summary("Acme", ["first", "second"])], [])
    html = alert.html()
    assert "<ul><li>first</li><li>second</li></ul></li>" in html
    assert "- first" not in html  # no hand-made bullet inside an HTML bullet
    text = alert.text()
    assert "\n  - first\n  - second" in text
    assert "-   -" not in text and "- -" not in text


def test_digest_amounts_carry_the_client_currency_and_strip_bidi_controls():
    alert = digest_alert(
        "weekly", date(2026, 3, 2), date(2026, 3, 8), [_summary("Mü\u202enchen\u0007", [], currency="EUR")], []
    )
    heading = alert.groups[0][0]
    assert heading.startswith("München (EUR): spend €42.50")
    assert "revenue €90.00" in heading


def test_digest_reaches_ses_as_text_and_html(ses, settings):
    # given the digest of a Greek-named EUR client
    alert = digest_alert(
        "weekly",
        date(2026, 3, 2),
        date(2026, 3, 8),
        [_summary("Αθήνα Ads", ["CTR fell 31% (0.42% → 0.29%)"], "EUR")],
        [],
    )
    # when it is sent through SES
    assert send_alert(alert, settings=settings, sender=SesEmailSender(ses)) is True
    # then SES holds both parts, UTF-8 intact, the insight nested once
    [message] = sent_emails()
    assert "Αθήνα Ads (EUR): spend €42.50" in message.body
    assert "CTR fell 31% (0.42% → 0.29%)" in message.body
    assert "-   -" not in message.body
