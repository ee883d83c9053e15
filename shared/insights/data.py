"""One client's performance by campaign and day, fetched once and summed in Python.

A single grouped query (campaign x day over the range and its history) feeds everything the
summaries and insights need: the client's daily series, period totals, per-campaign totals
and trailing weekly windows. A client has at most ~10^4 campaign-days in range, so the
Python sums are cheap, exact (Decimal) and save several scans of the fact table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from shared.db import QUERIES
from shared.metrics import Aggregate


@dataclass(frozen=True, slots=True)
class Window:
    """A 7-day window's sums and how many of its days had data."""

    totals: Aggregate
    days_with_data: int


class Performance:
    """Campaign-day sums of one client over [date_from, date_to]."""

    def __init__(self, rows: list[dict[str, Any]], *, date_from: date, date_to: date) -> None:
        self.date_from, self.date_to = date_from, date_to
        self.names: dict[UUID, str] = {}
        self.by_campaign: dict[UUID, dict[date, Aggregate]] = {}
        self.by_day: dict[date, Aggregate] = {}
        for row in rows:
            agg = Aggregate.from_row(row)
            self.names[row["campaign_id"]] = row["campaign_name"]
            self.by_campaign.setdefault(row["campaign_id"], {})[row["date"]] = agg
            day = row["date"]
            self.by_day[day] = self.by_day[day] + agg if day in self.by_day else agg

    @classmethod
    def load(cls, conn: Any, *, client_id: UUID, date_from: date, date_to: date) -> Performance:
        rows = conn.execute(
            QUERIES["insights_campaign_daily"], {"client_id": client_id, "date_from": date_from, "date_to": date_to}
        ).fetchall()
        return cls(rows, date_from=date_from, date_to=date_to)

    def _check(self, date_from: date, date_to: date) -> None:
        if date_from < self.date_from or date_to > self.date_to:
            raise ValueError("period outside the loaded range")

    def total(self, date_from: date, date_to: date) -> Aggregate:
        """The client's exact sums over [date_from, date_to]."""
        self._check(date_from, date_to)
        return sum((agg for day, agg in self.by_day.items() if date_from <= day <= date_to), Aggregate())

    def days_with_data(self, date_from: date, date_to: date) -> list[date]:
        self._check(date_from, date_to)
        return sorted(day for day in self.by_day if date_from <= day <= date_to)

    def campaigns(self, date_from: date, date_to: date) -> list[tuple[dict[str, Any], Aggregate]]:
        """(entity, sums) of every campaign with data in [date_from, date_to], by name."""
        self._check(date_from, date_to)
        found = []
        for campaign_id, days in self.by_campaign.items():
            in_range = [agg for day, agg in days.items() if date_from <= day <= date_to]
            if in_range:
                found.append((self.entity(campaign_id), sum(in_range, Aggregate())))
        found.sort(key=lambda item: (item[0]["name"], item[0]["id"]))
        return found

    def entity(self, campaign_id: UUID) -> dict[str, Any]:
        return {"type": "campaign", "id": str(campaign_id), "name": self.names[campaign_id]}

    def client_windows(self, date_to: date, count: int) -> list[Window | None]:
        """The client's `count` trailing 7-day windows ending at date_to, oldest first."""
        return _windows(self.by_day, date_to, count)

    def campaign_windows(self, date_to: date, count: int) -> list[tuple[dict[str, Any], list[Window | None]]]:
        """Per campaign (with data in any window), its trailing windows, oldest first."""
        start = date_to - timedelta(days=7 * count - 1)
        found = []
        for campaign_id, days in self.by_campaign.items():
            if any(start <= day <= date_to for day in days):
                found.append((self.entity(campaign_id), _windows(days, date_to, count)))
        found.sort(key=lambda item: (item[0]["name"], item[0]["id"]))
        return found


def _windows(series: dict[date, Aggregate], date_to: date, count: int) -> list[Window | None]:
    windows: list[Window | None] = []
    for index in reversed(range(count)):
        end = date_to - timedelta(days=7 * index)
        days = [series[d] for d in (end - timedelta(days=offset) for offset in range(7)) if d in series]
        windows.append(Window(sum(days, Aggregate()), len(days)) if days else None)
    return windows
