"""Periods: Monday-Sunday weeks, calendar months and "the previous one" in the reporting zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.errors import InvalidInput
from shared.summaries.periods import (
    add_months,
    month_end,
    period_end,
    previous_month_start,
    previous_week_start,
    week_end,
)

NEW_YORK = ZoneInfo("America/New_York")
AUCKLAND = ZoneInfo("Pacific/Auckland")


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        # Monday 05:00 UTC: the week before.
        (datetime(2026, 3, 9, 5, tzinfo=UTC), UTC, date(2026, 3, 2)),
        # Across the year boundary: the ISO week of 2026-12-28 ends on 2027-01-03.
        (datetime(2027, 1, 4, 5, tzinfo=UTC), UTC, date(2026, 12, 28)),
        # Monday 05:00 in Auckland is still Sunday in UTC: the local calendar decides.
        (datetime(2026, 3, 8, 16, tzinfo=UTC), AUCKLAND, date(2026, 3, 2)),
        # Monday 05:00 in New York the day after DST began (EDT, UTC-4).
        (datetime(2026, 3, 9, 9, tzinfo=UTC), NEW_YORK, date(2026, 3, 2)),
        # A retry on Tuesday still means the last full week.
        (datetime(2026, 3, 10, 12, tzinfo=UTC), UTC, date(2026, 3, 2)),
        # Naive times are UTC.
        (datetime(2026, 3, 9, 5), UTC, date(2026, 3, 2)),
    ],
)
def test_previous_week_is_the_last_full_local_week(now, zone, expected):
    assert previous_week_start(now, zone) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 05:00 EDT on 1 April (after the March DST change) = 09:00 UTC: March.
        (datetime(2026, 4, 1, 9, tzinfo=UTC), date(2026, 3, 1)),
        # 05:00 EST on 1 March (before it) = 10:00 UTC: February.
        (datetime(2026, 3, 1, 10, tzinfo=UTC), date(2026, 2, 1)),
        # 03:30 UTC on 1 April is still 31 March in New York: the month before is February.
        (datetime(2026, 4, 1, 3, 30, tzinfo=UTC), date(2026, 2, 1)),
        # January looks back across the year boundary.
        (datetime(2027, 1, 1, 10, tzinfo=UTC), date(2026, 12, 1)),
    ],
)
def test_previous_month_is_computed_from_the_local_date(now, expected):
    assert previous_month_start(now, NEW_YORK) == expected


def test_period_ends():
    assert week_end(date(2026, 12, 28)) == date(2027, 1, 3)
    assert month_end(date(2028, 2, 1)) == date(2028, 2, 29)  # leap day
    assert month_end(date(2026, 2, 1)) == date(2026, 2, 28)
    assert month_end(date(2026, 12, 1)) == date(2026, 12, 31)
    assert period_end("weekly", date(2028, 2, 28)) == date(2028, 3, 5)
    assert add_months(date(2026, 1, 1), -2) == date(2025, 11, 1)


@pytest.mark.parametrize(
    ("kind", "start"),
    [
        ("weekly", date(2026, 3, 3)),
        ("weekly", date(2026, 3, 1)),
        ("monthly", date(2026, 3, 2)),
        ("daily", date(2026, 3, 2)),
    ],
)
def test_invalid_period_starts_are_rejected(kind, start):
    with pytest.raises(InvalidInput):
        period_end(kind, start)
