"""The digest email to the admin after a scheduled run: each client's headline numbers,
their changes and the most important insights."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.alerts import Alert
from shared.insights.format import fmt_count, fmt_money, fmt_multiple, fmt_percent
from shared.summaries.builder import PeriodSummary

INSIGHTS_PER_CLIENT = 3


def _signed(change: Decimal | None) -> str:
    if change is None:
        return "n/a"
    return f"{'+' if change >= 0 else '-'}{(abs(change) * 100).quantize(Decimal('0.1'))}%"


def _pp(change: Decimal | None) -> str:
    if change is None:
        return "n/a"
    return f"{'+' if change >= 0 else '-'}{abs(change).quantize(Decimal('0.01'))} pp"


def headline(summary: PeriodSummary) -> str:
    """One line: spend, conversions, revenue, ROAS, CTR, each with its change, and completeness."""
    totals, change = summary.totals, summary.change
    parts = [
        f"spend {fmt_money(totals.spend)} ({_signed(change['spend'])})" if totals.spend is not None else "spend n/a",
        f"conversions {fmt_count(totals.conversions)} ({_signed(change['conversions'])})",
        f"revenue {fmt_money(totals.revenue)} ({_signed(change['revenue'])})",
        f"ROAS {fmt_multiple(totals.roas)} ({_signed(change['roas'])})" if totals.roas is not None else "ROAS n/a",
        f"CTR {fmt_percent(totals.ctr)} ({_pp(change['ctr_pp'])})" if totals.ctr is not None else "CTR n/a",
    ]
    name = summary.client_name or str(summary.client_id)
    return f"{name}: {', '.join(parts)}; data on {summary.days_with_data}/{summary.days_in_period} days"


def digest_alert(
    kind: str, period_start: date, period_end: date, summaries: list[PeriodSummary], failed: list[str]
) -> Alert:
    """The digest of one run (`failed` names the clients whose summary could not be built)."""
    lines: list[str] = []
    for summary in summaries:
        lines.append(headline(summary))
        lines += [f"  - {insight['message']}" for insight in summary.insights[:INSIGHTS_PER_CLIENT]]
    lines += [f"NOT BUILT: {name} (see the function's logs)" for name in failed]
    period = f"{period_start.isoformat()} to {period_end.isoformat()}"
    return Alert(
        kind=f"{kind}_digest",
        subject=f"{kind.title()} digest {period}: {len(summaries)} client(s)"
        + (f", {len(failed)} failed" if failed else ""),
        summary=f"The {kind} summaries for {period} are ready.",
        details=[("Period", period), ("Clients summarised", str(len(summaries))), ("Failed", str(len(failed)))],
        lines=lines,
    )
