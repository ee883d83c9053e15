"""Validated request parameters of the dashboard reads: date ranges, pages, sorting, filters.

Parsers take the raw query-string values (or None) and raise `InvalidInput` with a message
safe to show the caller. Everything that ends up in SQL text (sort column, direction) comes
from the fixed whitelists here, never from the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal
from uuid import UUID

from psycopg import sql

from shared import validation
from shared.errors import InvalidInput
from shared.validation import DateBounds

DEFAULT_DAYS = 30
DEFAULT_LIMIT = 50


class Level(StrEnum):
    """A drill-down level of the campaign hierarchy."""

    CAMPAIGN = "campaign"
    STRATEGY = "strategy"
    PLACEMENT = "placement"
    CREATIVE = "creative"


# Parent filters each level accepts, outermost first (also the parent ids a row carries).
PARENTS: dict[Level, tuple[str, ...]] = {
    Level.CAMPAIGN: (),
    Level.STRATEGY: ("campaign_id",),
    Level.PLACEMENT: ("campaign_id", "strategy_id"),
    Level.CREATIVE: ("campaign_id", "strategy_id", "placement_id"),
}
ENTITY_FILTERS = ("campaign_id", "strategy_id", "placement_id", "creative_id")

# Sort key -> column of the breakdown query's `ranked` row. A fixed list: the only way a
# request influences ORDER BY.
SORT_KEYS = ("name", "impressions", "clicks", "conversions", "revenue", "spend", "ctr", "cvr", "cpc", "cpa", "roas")
DEFAULT_SORT = "spend"
GRANULARITIES = ("day", "week", "month")
Granularity = Literal["day", "week", "month"]


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive range of reporting days."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> DateRange:
        """The period of equal length that ends the day before this one starts."""
        end = self.start - timedelta(days=1)
        return DateRange(end - timedelta(days=self.days - 1), end)

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]


def parse_date(value: str, *, field: str, bounds: DateBounds | None = None) -> date:
    """An ISO `YYYY-MM-DD` date (within `bounds` when given), or InvalidInput naming the field."""
    return validation.parse_date(value, field=field, bounds=bounds)


def parse_date_range(
    date_from: str | None,
    date_to: str | None,
    *,
    max_days: int,
    today: date | None = None,
    bounds: DateBounds | None = None,
) -> DateRange:
    """`from`/`to` (inclusive). Missing `to` is yesterday; missing `from` is 30 days before `to`.

    Raises InvalidInput when a date is malformed or outside `bounds`, `from` is after `to`, or
    the range is longer than `max_days`.
    """
    given_start = parse_date(date_from, field="from", bounds=bounds) if date_from is not None else None
    end = (
        parse_date(date_to, field="to", bounds=bounds)
        if date_to is not None
        else (today or date.today()) - timedelta(days=1)
    )
    start = given_start if given_start is not None else end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise InvalidInput("from must be on or before to")
    result = DateRange(start, end)
    if result.days > max_days:
        raise InvalidInput(f"from and to may span at most {max_days} days")
    return result


def parse_optional_range(
    date_from: str | None, date_to: str | None, *, bounds: DateBounds | None = None
) -> tuple[date | None, date | None]:
    """Optional bounds for list filters (summaries); either may be omitted."""
    start = parse_date(date_from, field="from", bounds=bounds) if date_from is not None else None
    end = parse_date(date_to, field="to", bounds=bounds) if date_to is not None else None
    if start is not None and end is not None and start > end:
        raise InvalidInput("from must be on or before to")
    return start, end


def parse_month(value: str | None, *, today: date, bounds: DateBounds) -> date:
    """`month` (`YYYY-MM`) as its first day; by default the month of `today`."""
    if value is None or value == "":
        return today.replace(day=1)
    return validation.parse_month(value, field="month", bounds=bounds)


COMPARE_MODES = ("previous", "none")


def parse_comparison(
    compare: str | None,
    compare_from: str | None,
    compare_to: str | None,
    *,
    date_range: DateRange,
    max_days: int,
    bounds: DateBounds | None = None,
) -> DateRange | None:
    """The overview's comparison period: `compare_from`/`compare_to` (both or neither, inclusive,
    at most `max_days`), `compare=none` (no comparison: None) or, by default (`compare=previous`),
    the period of equal length just before `date_range`.

    Explicit dates and `compare` exclude each other, so a request has one meaning.
    """
    if compare is not None and compare not in COMPARE_MODES:
        raise InvalidInput(f"compare must be one of: {', '.join(COMPARE_MODES)}")
    if compare_from is None and compare_to is None:
        return None if compare == "none" else date_range.previous()
    if compare is not None:
        raise InvalidInput("compare cannot be combined with compare_from/compare_to")
    if compare_from is None:
        raise InvalidInput("compare_from is required with compare_to")
    if compare_to is None:
        raise InvalidInput("compare_to is required with compare_from")
    start = parse_date(compare_from, field="compare_from", bounds=bounds)
    end = parse_date(compare_to, field="compare_to", bounds=bounds)
    if start > end:
        raise InvalidInput("compare_from must be on or before compare_to")
    result = DateRange(start, end)
    if result.days > max_days:
        raise InvalidInput(f"the comparison range (compare_from, compare_to) may span at most {max_days} days")
    return result


@dataclass(frozen=True, slots=True)
class Page:
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def _parse_int(value: str | int | None, *, field: str, default: int, minimum: int, maximum: int) -> int:
    if value is None:
        return default
    if isinstance(value, int):
        if not minimum <= value <= maximum:
            raise InvalidInput(f"{field} must be between {minimum} and {maximum}")
        return value
    return validation.parse_int(value, field=field, minimum=minimum, maximum=maximum)


def parse_page(limit: str | int | None, offset: str | int | None, *, max_limit: int) -> Page:
    """limit (1..max_limit, default 50) and offset (0..MAX_OFFSET, default 0), ASCII digits."""
    return Page(
        _parse_int(limit, field="limit", default=DEFAULT_LIMIT, minimum=1, maximum=max_limit),
        _parse_int(offset, field="offset", default=0, minimum=0, maximum=validation.MAX_OFFSET),
    )


@dataclass(frozen=True, slots=True)
class Sort:
    key: str = DEFAULT_SORT
    descending: bool = True

    def order_by(self) -> dict[str, sql.Composable]:
        """The `{sort}` and `{direction}` fragments for the breakdown queries."""
        return {
            "sort": sql.Identifier("r", self.key),
            "direction": sql.SQL("DESC" if self.descending else "ASC"),
        }


def parse_sort(sort: str | None, order: str | None) -> Sort:
    """A sort key from SORT_KEYS (default spend) and order asc|desc (default desc; asc for name)."""
    key = DEFAULT_SORT if sort is None or sort == "" else sort
    if key not in SORT_KEYS:
        raise InvalidInput(f"sort must be one of: {', '.join(SORT_KEYS)}")
    if order is None or order == "":
        return Sort(key, descending=key != "name")
    if order.lower() not in ("asc", "desc"):
        raise InvalidInput("order must be asc or desc")
    return Sort(key, descending=order.lower() == "desc")


def parse_uuid(value: str | None, *, field: str) -> UUID | None:
    """An optional UUID filter."""
    if value is None or value == "":
        return None
    try:
        return UUID(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a UUID") from None


def parse_filters(values: dict[str, str | None], *, allowed: tuple[str, ...]) -> dict[str, UUID | None]:
    """Entity filters by name; names outside `allowed` are always None."""
    return {name: parse_uuid(values.get(name), field=name) if name in allowed else None for name in ENTITY_FILTERS}


def parse_granularity(value: str | None) -> Granularity:
    """day (default), week (ISO, starting Monday) or month."""
    if value is None or value == "":
        return "day"
    if value not in GRANULARITIES:
        raise InvalidInput(f"granularity must be one of: {', '.join(GRANULARITIES)}")
    return value  # type: ignore[return-value]


def parse_level(value: str | None, *, allow_daily: bool = False) -> Level | Literal["daily"]:
    """A drill-down level (campaign, strategy, placement, creative), or `daily` for exports."""
    choices = [level.value for level in Level] + (["daily"] if allow_daily else [])
    if value not in choices:
        raise InvalidInput(f"level must be one of: {', '.join(choices)}")
    return "daily" if value == "daily" else Level(value)
