"""The scheduled entry point shared by the weekly and monthly summary functions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.db import Database
from shared.ports import EmailSender
from shared.settings import Settings
from shared.summaries.periods import MONTHLY, WEEKLY
from shared.summaries.service import run_monthly, run_weekly


class ScheduleEvent(BaseModel):
    """What a schedule (or an operator invoking the function by hand) sends.

    EventBridge rules send `time`; an EventBridge Scheduler target should pass
    `{"scheduled_time": "<aws.scheduler.scheduled-time>", "id": "<aws.scheduler.execution-id>"}`.
    Without either, the invocation time is now. `period_start` / `client_id` override the
    period and the client set for a manual run.
    """

    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    time: datetime | None = None
    scheduled_time: datetime | None = None
    period_start: date | None = None
    client_id: UUID | None = None

    @property
    def invoked_at(self) -> datetime:
        return self.scheduled_time or self.time or datetime.now(UTC)


def run_scheduled(
    kind: str, event: ScheduleEvent, *, settings: Settings, db: Database, sender: EmailSender
) -> dict[str, Any]:
    """Run the `kind` summaries for the period before the event's time, then email the digest."""
    runner = run_weekly if kind == WEEKLY else run_monthly
    if kind not in (WEEKLY, MONTHLY):
        raise ValueError(f"unknown summary kind {kind!r}")
    options: dict[str, Any] = {"week_start" if kind == WEEKLY else "month_start": event.period_start}
    summaries = runner(db, settings=settings, client_id=event.client_id, sender=sender, now=event.invoked_at, **options)
    period = summaries[0].period_start.isoformat() if summaries else None
    return {"kind": kind, "period_start": period, "summaries": len(summaries)}
