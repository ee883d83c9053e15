"""Strict parsing of untrusted scalar input: integers, dates and text.

The one set of rules every entry point applies (both API routers, through
`shared.api.inputs` and `shared.dashboard.params`): ASCII digits only (no signs, Unicode
digits such as "²" or "٣", exponents), integers within explicit bounds and at most
`MAX_INTEGER_DIGITS` digits, dates as `YYYY-MM-DD` (months as `YYYY-MM`) between
`MIN_DATA_DATE` and a year ahead, and text without NUL, other control characters or lone
surrogates. Every failure is an
`InvalidInput` whose message starts with the field's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shared.errors import InvalidInput

MAX_OFFSET = 1_000_000  # the deepest page offset of any list (both routers)
MAX_INTEGER_DIGITS = 18  # below 2**63: every accepted integer fits a PostgreSQL bigint
DAYS_AHEAD = 366  # dates may lie up to a year ahead (rate cards are set in advance)

_ASCII_DIGITS = re.compile(r"[0-9]+")
_PLAIN_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
# C0 controls, DEL, C1 controls, and UTF-16 surrogates (a lone one cannot be encoded).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# What no stored or echoed string may hold at all: NUL (PostgreSQL refuses it) and surrogates.
_NEVER = re.compile(r"[\x00\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class DateBounds:
    """The inclusive range of dates any input may name."""

    earliest: date
    latest: date

    @classmethod
    def around(cls, earliest: date, today: date | None = None) -> DateBounds:
        """From `earliest` (the `MIN_DATA_DATE` setting) to a year after today."""
        return cls(earliest, (today or date.today()) + timedelta(days=DAYS_AHEAD))

    def describe(self) -> str:
        return f"between {self.earliest.isoformat()} and {self.latest.isoformat()}"


def parse_int(value: str, *, field: str, minimum: int, maximum: int) -> int:
    """A decimal integer of ASCII digits within [minimum, maximum] (minimum >= 0)."""
    text = value.strip()
    if not _ASCII_DIGITS.fullmatch(text):
        raise InvalidInput(f"{field} must be a non-negative integer (ASCII digits)")
    if len(text) > MAX_INTEGER_DIGITS or not minimum <= int(text) <= maximum:
        raise InvalidInput(f"{field} must be between {minimum} and {maximum}")
    return int(text)


def parse_decimal(value: str, *, field: str) -> Decimal:
    """A plain decimal of ASCII digits ("4.25", "-1", ".5"): `Decimal()` alone also takes
    Arabic-Indic and full-width digits, underscores ("1_000"), exponents and "NaN"."""
    text = value.strip()
    if not _PLAIN_DECIMAL.fullmatch(text):
        raise InvalidInput(f'{field} must be a decimal number of ASCII digits (e.g. "4.25")')
    return Decimal(text)


def parse_date(value: str, *, field: str, bounds: DateBounds | None = None) -> date:
    """An ISO `YYYY-MM-DD` date (ASCII digits), within `bounds` when given."""
    text = value.strip()
    # fromisoformat alone also accepts "20260301", week dates and non-ASCII digits.
    if not _ISO_DATE.fullmatch(text):
        raise InvalidInput(f"{field} must be a date in YYYY-MM-DD format")
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field} must be a date in YYYY-MM-DD format") from None
    if bounds is not None and not bounds.earliest <= parsed <= bounds.latest:
        raise InvalidInput(f"{field} must be a date {bounds.describe()}")
    return parsed


def parse_month(value: str, *, field: str, bounds: DateBounds) -> date:
    """A calendar month `YYYY-MM` (ASCII digits, month 01-12) as its first day; the month must
    overlap `bounds` (from the month of `bounds.earliest` to the month of `bounds.latest`)."""
    text = value.strip()
    if not _ISO_MONTH.fullmatch(text):
        raise InvalidInput(f"{field} must be a month in YYYY-MM format")
    first = date(int(text[:4]), int(text[5:]), 1)
    if not bounds.earliest.replace(day=1) <= first <= bounds.latest:
        raise InvalidInput(f"{field} must be a month {bounds.describe()}")
    return first


def check_date(value: date, *, field: str, bounds: DateBounds) -> date:
    """A parsed date within `bounds`."""
    if not bounds.earliest <= value <= bounds.latest:
        raise InvalidInput(f"{field} must be a date {bounds.describe()}")
    return value


def check_text(value: str, *, field: str) -> str:
    """Text that may be stored and shown: no control characters, no lone surrogates."""
    if _CONTROL.search(value):
        raise InvalidInput(f"{field} must not contain control characters")
    return value


def check_storable(value: str, *, field: str) -> str:
    """Any string that reaches the database or a log: no NUL byte, no lone surrogate
    (tabs and newlines are fine here; names use `check_text`)."""
    if _NEVER.search(value):
        raise InvalidInput(f"{field} must not contain NUL bytes or invalid characters")
    return value
