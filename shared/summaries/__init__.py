"""Weekly and monthly summaries: build, store, regenerate, schedule and backfill."""

from shared.summaries.builder import PeriodSummary, build_monthly, build_summary, build_weekly
from shared.summaries.refresh import regenerate_queued

__all__ = ["PeriodSummary", "build_monthly", "build_summary", "build_weekly", "regenerate_queued"]
