"""The digest email to the admin after a scheduled run: each client's headline numbers,
their changes and the most important insights (numbers from `shared.numbers.human`, so a
figure reads as it does in `/insights` and the PDF)."""

from __future__ import annotations

from datetime import date

from shared.alerts import Alert
from shared.numbers import human
from shared.summaries.builder import PeriodSummary

INSIGHTS_PER_CLIENT = 3


def headline(summary: PeriodSummary) -> str:
    """One line: spend, conversions, revenue, ROAS, CTR, each with its change, and completeness."""
    totals, change, currency = summary.totals, summary.change, summary.currency
    parts = [
        f"spend {human.money(totals.spend, currency)} ({human.signed_change(change['spend'])})",
        f"conversions {human.count(totals.conversions)} ({human.signed_change(change['conversions'])})",
        f"revenue {human.money(totals.revenue, currency)} ({human.signed_change(change['revenue'])})",
        f"ROAS {human.multiple(totals.roas)} ({human.signed_change(change['roas'])})",
        f"CTR {human.percent(totals.ctr)} ({human.signed_pp(change['ctr_pp'])})",
    ]
    name = human.clean_name(summary.client_name or str(summary.client_id))
    return f"{name} ({currency}): {', '.join(parts)}; data on {summary.days_with_data}/{summary.days_in_period} days"


def digest_alert(
    kind: str, period_start: date, period_end: date, summaries: list[PeriodSummary], failed: list[str]
) -> Alert:
    """The digest of one run (`failed` names the clients whose summary could not be built)."""
    groups = [
        (headline(summary), [insight["message"] for insight in summary.insights[:INSIGHTS_PER_CLIENT]])
        for summary in summaries
    ]
    period = human.period(period_start, period_end)
    return Alert(
        kind=f"{kind}_digest",
        subject=f"{kind.title()} digest, {period}: {human.count_of(len(summaries), 'client')}"
        + (f", {len(failed)} failed" if failed else ""),
        summary=f"The {kind} summaries for {period} are ready.",
        details=[("Period", period), ("Clients summarised", str(len(summaries))), ("Failed", str(len(failed)))],
        lines=[f"NOT BUILT: {human.clean_name(name)} (see the function's logs)" for name in failed],
        groups=groups,
    )
