"""Weekly and monthly summaries: build, store, regenerate, schedule and backfill.

Entry points: `run_weekly` / `run_monthly` (schedules), `backfill` (admin route),
`regenerate_queued` (ingestion and re-pricing, inside their transaction).
"""

from shared.summaries.builder import PeriodSummary, build_monthly, build_summary, build_weekly
from shared.summaries.refresh import regenerate_queued
from shared.summaries.service import SummaryRunFailed, backfill, run_monthly, run_weekly

__all__ = [
    "PeriodSummary",
    "SummaryRunFailed",
    "backfill",
    "build_monthly",
    "build_summary",
    "build_weekly",
    "regenerate_queued",
    "run_monthly",
    "run_weekly",
]
