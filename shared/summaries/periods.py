"""Summary periods: Monday-Sunday weeks and calendar months, and "the previous one" as seen
from an invocation time in the reporting timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.errors import InvalidInput

WEEKLY = "weekly"
MONTHLY = "monthly"
KINDS = (WEEKLY, MONTHLY)


def week_end(week_start: date) -> date:
    """The Sunday ending the week that starts on `week_start` (which must be a Monday)."""
    if week_start.isoweekday() != 1:
        raise InvalidInput(
            f"period_start must be a Monday for a weekly period; {week_start.isoformat()} is a {week_start:%A}"
        )
    return week_start + timedelta(days=6)


def month_end(month_start: date) -> date:
    """The last day of the month that starts on `month_start` (which must be a 1st)."""
    if month_start.day != 1:
        raise InvalidInput(
            f"period_start must be the 1st of a month for a monthly period; {month_start.isoformat()} is not"
        )
    return add_months(month_start, 1) - timedelta(days=1)


def period_end(kind: str, period_start: date) -> date:
    if kind == WEEKLY:
        return week_end(period_start)
    if kind == MONTHLY:
        return month_end(period_start)
    raise InvalidInput(f"kind must be one of {', '.join(KINDS)}")


def previous_period_start(kind: str, period_start: date) -> date:
    """The start of the period before (the comparison period for deltas)."""
    return period_start - timedelta(days=7) if kind == WEEKLY else add_months(period_start, -1)


def add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def local_date(now: datetime, timezone: ZoneInfo) -> date:
    """The calendar date in the reporting timezone at instant `now` (naive means UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(timezone).date()


def previous_week_start(now: datetime, timezone: ZoneInfo) -> date:
    """The Monday of the last full week before the local week containing `now`."""
    today = local_date(now, timezone)
    return today - timedelta(days=today.weekday() + 7)


def previous_month_start(now: datetime, timezone: ZoneInfo) -> date:
    """The 1st of the last full month before the local month containing `now`."""
    return add_months(local_date(now, timezone).replace(day=1), -1)
