"""Value parsing and row validation for partner files (SPEC §3 "Values" and "Row rejection").

Numbers are parsed as exact integers / Decimals from their text, never through float.
A row is either turned into the tuple written to staging, or rejected with the first
problem found (line number, column, value, reason).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from uuid import UUID

from shared.ingestion.csv_reader import HeaderMap
from shared.ingestion.limits import CONTROL_CHARS, ECHO_LIMIT, clip

MAX_NAME_LENGTH = 255
MAX_COUNT_DIGITS = 15  # bigint with room for sums over years of rows
MAX_MONEY_INTEGER_DIGITS = 12  # numeric(18, 6)
MAX_MONEY_DECIMALS = 6
CTR_WARNING_TOLERANCE = Decimal("0.005")  # 0.5 percentage points
MAX_REJECTED_VALUE = ECHO_LIMIT  # characters of a rejected value kept (clipped, controls escaped)
MAX_CACHED_PATHS = 100_000  # distinct (campaign, strategy, placement, creative) texts remembered
_FAST_CTR_CHARS = 12  # a CTR this short is compared in integers (exactly what Decimal gives)
_SCALES = [10**n for n in range(_FAST_CTR_CHARS + 3)]

_GROUPED = r"\d{1,3}(?:,\d{3})+"
_COUNT = re.compile(rf"^({_GROUPED}|\d+)(?:\.0+)?$", re.ASCII)
_CURRENCY = "$€£¥"
_CURRENCY_PREFIXES = frozenset(_CURRENCY)  # (not "": an empty text keeps its own path)
_MONEY = re.compile(rf"^[{_CURRENCY}]?\s*({_GROUPED}|\d+)?(?:\.(\d+))?\s*[{_CURRENCY}]?$", re.ASCII)
_CTR = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)\s*(%)?$", re.ASCII)
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", re.ASCII)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # a name is one line of printable text


class ValueProblem(Exception):
    """A value that cannot be accepted; the message is the rejection reason."""


def name_key(value: str) -> str:
    """Python twin of SQL `app.name_key`: lower case, no whitespace."""
    return _WHITESPACE.sub("", value).lower()


def _number_problem(text: str) -> str:
    lowered = text.lower()
    if lowered.startswith("-") or lowered.startswith("(") or "-" in lowered.lstrip(_CURRENCY + " "):
        return "negative value"
    if any(word in lowered for word in ("nan", "inf")):
        return "not a finite number"
    if "e" in lowered:
        return "exponent notation is not accepted"
    return "not a valid number"


def parse_count(text: str) -> int:
    """A non-negative integer, thousands separators allowed; `12.0` is accepted as 12."""
    value = text.strip()
    if value.isascii() and value.isdigit():
        digits = value
    else:
        match = _COUNT.match(value)
        if not match:
            if re.match(r"^\d[\d,]*\.\d+$", value, re.ASCII):
                raise ValueProblem("not a whole number")
            raise ValueProblem(_number_problem(value) if value else "missing value")
        digits = match.group(1).replace(",", "")
    if len(digits.lstrip("0")) > MAX_COUNT_DIGITS:
        raise ValueProblem("number too large")
    return int(digits)


def money_text(text: str) -> str:
    """The canonical decimal text of a non-negative amount (validated as `parse_money`)."""
    value = text.strip()
    integer, dot, decimals = value.partition(".")
    if integer.isdigit() and integer.isascii() and (not decimals or (decimals.isdigit() and decimals.isascii())):
        pass  # the common case, e.g. 1234.50: no symbol, no separators
    else:
        match = _MONEY.match(value)
        if not match or (match.group(1) is None and match.group(2) is None):
            raise ValueProblem(_number_problem(value) if value else "missing value")
        integer = (match.group(1) or "0").replace(",", "")
        decimals = match.group(2) or ""
        dot = "." if decimals else ""
    if len(decimals) > MAX_MONEY_DECIMALS:
        raise ValueProblem(f"more than {MAX_MONEY_DECIMALS} decimal places")
    if len(integer.lstrip("0")) > MAX_MONEY_INTEGER_DIGITS:
        raise ValueProblem("amount too large")
    return f"{integer}{dot}{decimals}" if decimals else integer


def parse_money(text: str) -> Decimal:
    """A non-negative amount: optional currency symbol, thousands separators, ≤ 6 decimals."""
    return Decimal(money_text(text))


def parse_ctr(text: str, *, percent_column: bool) -> Decimal | None:
    """CTR as a fraction: `0.0052`, `0.52%`, or a bare number in a column headed `CTR %`."""
    value = text.strip()
    if not value:
        return None
    match = _CTR.match(value)
    if not match:
        raise ValueProblem(_number_problem(value))
    number = Decimal(match.group(1))
    if match.group(2) or percent_column:
        number = number / 100
    if number > 1:
        raise ValueProblem("CTR above 100%")
    return number


def parse_date(text: str) -> date:
    """ISO `2026-03-01` or US `3/1/2026`."""
    value = text.strip()
    try:
        if _ISO_DATE.match(value):
            return date.fromisoformat(value)
        match = _US_DATE.match(value)
        if match:
            return date(int(match.group(3)), int(match.group(1)), int(match.group(2)))
    except ValueError:
        raise ValueProblem("not a valid calendar date") from None
    raise ValueProblem("not a date (expected YYYY-MM-DD or M/D/YYYY)" if value else "missing value")


def parse_name(text: str) -> str:
    """A dimension name: trimmed, not blank, at most 255 characters."""
    value = text.strip()
    if not value:
        raise ValueProblem("blank name")
    if len(value) > MAX_NAME_LENGTH:
        raise ValueProblem(f"longer than {MAX_NAME_LENGTH} characters")
    control = _NAME_CONTROL.search(value)
    if control:
        raise ValueProblem(_control_reason(control.group()))
    return value


def _control_reason(char: str) -> str:
    what = "a NUL" if char == "\x00" else f"a control character (\\x{ord(char):02x})"
    return f"contains {what}; fix the export"


def _value_problem(text: str, problem: str) -> str:
    """The reason a value was refused: a NUL or control character is named precisely."""
    control = CONTROL_CHARS.search(text)
    return _control_reason(control.group()) if control else problem


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """One refused row: where, which column, the offending value, and why."""

    line_number: int
    column: str | None
    value: str | None
    reason: str

    def describe(self) -> str:
        where = f"line {self.line_number}" + (f", {self.column}" if self.column else "")
        shown = f" {self.value!r}" if self.value is not None else ""
        return f"{where}:{shown} {self.reason}"


@dataclass(frozen=True)
class ClientRef:
    """A client a row may belong to."""

    client_id: UUID
    active: bool


class ClientResolver:
    """Resolves a row's client: by advertiser name, or the key's `clients/<slug>/` prefix."""

    def __init__(self, *, advertisers: dict[str, ClientRef], key_client: ClientRef | None) -> None:
        self._advertisers = advertisers
        self._key_client = key_client

    @property
    def has_key_client(self) -> bool:
        """Whether the object key names a known client (`clients/<slug>/...`)."""
        return self._key_client is not None

    def resolve(self, advertiser: str | None) -> ClientRef | str:
        """The client, or a rejection reason."""
        if advertiser is None:
            ref = self._key_client
            if ref is None:
                return "no advertiser column and the object key names no known client"
        else:
            ref = self._advertisers.get(name_key(advertiser))
            if ref is None:
                return "unresolved advertiser"
        return ref if ref.active else "client disabled"


def copy_escape(value: str) -> str:
    """A value in PostgreSQL COPY text format (backslash, tab, newline, CR escaped)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


class RowValidator:
    """Turns a CSV record into a staging line (COPY text format), or a `RejectedRow`.

    Hot path: one call per data row. Names, dates and advertisers repeat across rows, so
    each distinct text is checked once and its result (already COPY-escaped) reused; the
    common value shapes (plain digits, `1234.50`, a fractional CTR) are checked inline. A
    row the fast path cannot accept goes through `_checked`, which finds the first problem
    in column order: the fast path only ever accepts what `_checked` accepts, with the
    same staging line.
    """

    def __init__(
        self, header: HeaderMap, *, resolver: ClientResolver, today: date, min_date: date = date(2000, 1, 1)
    ) -> None:
        cols = header.columns
        self._cols = cols
        self._width = header.width
        self._ctr_percent = "ctr" in header.percent_columns
        self._i_ctr = cols.get("ctr")
        self._i_advertiser = cols.get("advertiser")
        self._i = tuple(
            cols[name]
            for name in (
                "date",
                "campaign",
                "strategy",
                "placement",
                "creative",
                "impressions",
                "clicks",
                "conversions",
                "conversion_revenue",
            )
        )
        self._resolver = resolver
        self._today = today
        self._min_date = min_date
        self.ctr_warnings = 0
        self._names: dict[str, str] = {}
        self._paths: dict[tuple[str, str, str, str], str] = {}  # the 4 raw names -> their staging text
        self._dates: dict[str, str] = {}
        self._clients: dict[str | None, str] = {}  # advertiser text -> client id text
        self.client_ids: set[UUID] = set()
        self.date_from: date | None = None
        self.date_to: date | None = None

    def _name(self, text: str) -> str:
        cached = self._names.get(text)
        if cached is None:
            cached = copy_escape(parse_name(text))
            if len(self._names) < 200_000:  # bounded: a file of unique names stays in budget
                self._names[text] = cached
        return cached

    def _date(self, text: str) -> str:
        cached = self._dates.get(text)
        if cached is None:
            day = parse_date(text)
            if day > self._today:
                raise ValueProblem("date in the future")
            if day < self._min_date:
                raise ValueProblem(f"date before {self._min_date.isoformat()} (MIN_DATA_DATE)")
            if self.date_from is None or day < self.date_from:
                self.date_from = day
            if self.date_to is None or day > self.date_to:
                self.date_to = day
            cached = self._dates[text] = day.isoformat()
        return cached

    def _client(self, advertiser: str | None) -> str:
        cached = self._clients.get(advertiser)
        if cached is None:
            resolved = self._resolver.resolve(advertiser)
            if isinstance(resolved, str):
                raise ValueProblem(resolved)
            self.client_ids.add(resolved.client_id)
            cached = self._clients[advertiser] = str(resolved.client_id)
        return cached

    def _rejected(self, line_number: int, fields: list[str], column: str, problem: str) -> RejectedRow:
        index = self._cols.get(column)
        if index is None:
            return RejectedRow(line_number, column, None, problem)
        text = fields[index]
        return RejectedRow(line_number, column, clip(text, MAX_REJECTED_VALUE), _value_problem(text, problem))

    def validate(self, line_number: int, fields: list[str]) -> str | RejectedRow:
        """The staging line (`ingest_copy_staging` column order) or the rejection."""
        if len(fields) != self._width:
            return RejectedRow(line_number, None, None, f"expected {self._width} fields, found {len(fields)}")
        i_date, i_campaign, i_strategy, i_placement, i_creative, i_imps, i_clicks, i_conv, i_revenue = self._i
        try:
            advertiser = None if self._i_advertiser is None else fields[self._i_advertiser]
            client = self._clients.get(advertiser) or self._client(advertiser)
            text = fields[i_date]
            day = self._dates.get(text) or self._date(text)
            names = (fields[i_campaign], fields[i_strategy], fields[i_placement], fields[i_creative])
            path = self._paths.get(names) or self._path(names)
            text = fields[i_imps]
            impressions = (
                int(text) if text.isdigit() and text.isascii() and len(text) <= MAX_COUNT_DIGITS else parse_count(text)
            )
            text = fields[i_clicks]
            clicks = (
                int(text) if text.isdigit() and text.isascii() and len(text) <= MAX_COUNT_DIGITS else parse_count(text)
            )
            if clicks > impressions:
                raise ValueProblem("clicks exceed impressions")
            text = fields[i_conv]
            conversions = (
                int(text) if text.isdigit() and text.isascii() and len(text) <= MAX_COUNT_DIGITS else parse_count(text)
            )
            text = fields[i_revenue]
            if text[:1] in _CURRENCY_PREFIXES:
                text = text[1:]  # `$1234.50`: what money_text keeps of it (the checks below are the same)
            integer, dot, decimals = text.partition(".")
            if (
                integer.isdigit()
                and integer.isascii()
                and len(integer) <= MAX_MONEY_INTEGER_DIGITS
                and (not dot or (decimals.isdigit() and decimals.isascii() and len(decimals) <= MAX_MONEY_DECIMALS))
            ):
                revenue = text  # what money_text returns for these shapes
            else:
                revenue = money_text(fields[i_revenue])
            if self._i_ctr is not None:
                self._check_ctr(fields[self._i_ctr], impressions, clicks)
        except (ValueProblem, InvalidOperation, ValueError):
            return self._checked(line_number, fields)
        return f"{line_number}\t{client}\t{day}\t{path}\t{impressions}\t{clicks}\t{conversions}\t{revenue}\n"

    def _path(self, names: tuple[str, str, str, str]) -> str:
        path = "\t".join([self._name(names[0]), self._name(names[1]), self._name(names[2]), self._name(names[3])])
        if len(self._paths) < MAX_CACHED_PATHS:
            self._paths[names] = path
        return path

    def _check_ctr(self, text: str, impressions: int, clicks: int) -> None:
        """Count a partner CTR more than 0.5 pp from clicks / impressions (it is never stored:
        CTR is recomputed from sums). Raises `ValueProblem` for a CTR that is not accepted."""
        integer, dot, decimals = text.partition(".")
        if (
            integer.isdigit()
            and integer.isascii()
            and len(text) <= _FAST_CTR_CHARS
            and (not dot or (decimals.isdigit() and decimals.isascii()))
        ):
            # ctr = digits / scale, exactly: |ctr x impressions - clicks| > 0.005 x impressions
            # in integers (the Decimal comparison below, without building Decimals).
            digits = int(integer + decimals)
            scale = _SCALES[len(decimals) + (2 if self._ctr_percent else 0)]
            if digits > scale:
                raise ValueProblem("CTR above 100%")
            if impressions and abs(digits * impressions - clicks * scale) * 200 > impressions * scale:
                self.ctr_warnings += 1
            return
        ctr = parse_ctr(text, percent_column=self._ctr_percent)
        if ctr is not None and impressions and abs(ctr * impressions - clicks) > CTR_WARNING_TOLERANCE * impressions:
            self.ctr_warnings += 1

    def _checked(self, line_number: int, fields: list[str]) -> str | RejectedRow:
        """The careful path: each value in column order; the first problem rejects the row."""
        i_date, i_campaign, i_strategy, i_placement, i_creative, i_imps, i_clicks, i_conv, i_revenue = self._i
        column = "advertiser"
        try:
            client = self._client(None if self._i_advertiser is None else fields[self._i_advertiser])
            column = "date"
            day = self._date(fields[i_date])
            column = "campaign"
            campaign = self._name(fields[i_campaign])
            column = "strategy"
            strategy = self._name(fields[i_strategy])
            column = "placement"
            placement = self._name(fields[i_placement])
            column = "creative"
            creative = self._name(fields[i_creative])
            column = "impressions"
            impressions = parse_count(fields[i_imps])
            column = "clicks"
            clicks = parse_count(fields[i_clicks])
            if clicks > impressions:
                raise ValueProblem("clicks exceed impressions")
            column = "conversions"
            conversions = parse_count(fields[i_conv])
            column = "conversion_revenue"
            revenue = money_text(fields[i_revenue])
            if self._i_ctr is not None:
                column = "ctr"
                ctr = parse_ctr(fields[self._i_ctr], percent_column=self._ctr_percent)
                # The partner's CTR is only checked, never stored: CTR is recomputed from sums.
                if (
                    ctr is not None
                    and impressions
                    and abs(ctr * impressions - clicks) > CTR_WARNING_TOLERANCE * impressions
                ):
                    self.ctr_warnings += 1
        except ValueProblem as problem:
            return self._rejected(line_number, fields, column, str(problem))
        except (InvalidOperation, ValueError):
            return self._rejected(line_number, fields, column, "not a valid value")
        return (
            f"{line_number}\t{client}\t{day}\t{campaign}\t{strategy}\t{placement}\t{creative}"
            f"\t{impressions}\t{clicks}\t{conversions}\t{revenue}\n"
        )
