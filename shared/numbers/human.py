"""Numbers for people: the one formatter behind insight sentences, the digest, the PDF, the
CSV headers and the alert emails, so a figure reads the same wherever it appears. Dates in
prose read as the web app writes them ("Mar 10, 2026"); machine fields stay ISO.

Every function takes the exact value (or its JSON string) and rounds once, half up:
0.005049 is "0.50%" everywhere, never "0.50%" in one place and "0.51%" in another.
"""

from __future__ import annotations

import calendar
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.numbers.currency import DEFAULT_CURRENCY, minor_units, symbol

NOT_AVAILABLE = "n/a"
# Metrics for which a rise is bad news (a cost); spend is neither good nor bad.
LOWER_IS_BETTER = frozenset({"cpc", "cpa", "cpm", "ecpm"})
NEUTRAL = frozenset({"spend"})


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _q(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def count(value: Any) -> str:
    """1234567 -> "1,234,567"."""
    if value is None:
        return NOT_AVAILABLE
    return f"{_q(_dec(value), 0):,}"


def count_of(value: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: "1 file", "3 files", "1,204 rows"."""
    return f"{count(value)} {noun if value == 1 else plural or noun + 's'}"


def money(value: Any, currency: str = DEFAULT_CURRENCY) -> str:
    """An amount with its currency: "$1,234.50", "€0.80", "¥1,235", "-$12.00"."""
    if value is None:
        return NOT_AVAILABLE
    amount = _q(_dec(value), minor_units(currency))
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol(currency)}{abs(amount):,}"


def unit_cost(value: Any, currency: str = DEFAULT_CURRENCY) -> str:
    """A cost per unit (CPC, CPA, CPM): cents, or 4 decimals under one unit so $0.048 stays
    $0.0480 rather than reading $0.05."""
    if value is None:
        return NOT_AVAILABLE
    amount = _dec(value)
    places = minor_units(currency)
    if abs(amount) < 1 and amount != 0:
        places = max(places, 4) if places else 2
    rounded = _q(amount, places)
    sign = "-" if rounded < 0 else ""
    return f"{sign}{symbol(currency)}{abs(rounded):,}"


def percent(value: Any) -> str:
    """A fraction as a percentage with two decimals: 0.0042 -> "0.42%"."""
    if value is None:
        return NOT_AVAILABLE
    return f"{_q(_dec(value) * 100, 2)}%"


def multiple(value: Any) -> str:
    """ROAS and other multiples: 3.456 -> "3.46x"."""
    if value is None:
        return NOT_AVAILABLE
    return f"{_q(_dec(value), 2)}x"


def change_size(change: Any) -> str:
    """The size of a relative change ("31%"), one decimal under 10% ("4.2%")."""
    size = abs(_dec(change)) * 100
    return f"{_q(size, 1 if size < 10 else 0)}%"


def signed_change(change: Any) -> str:
    """A relative change with its sign and one decimal: "+12.3%", "-4.0%", and "0.0%" for any
    change that rounds to zero (never "-0.0%")."""
    if change is None:
        return NOT_AVAILABLE
    size = _q(_dec(change) * 100, 1)
    return f"{'+' if size > 0 else ''}{size if size else Decimal('0.0')}%"


def is_flat(change: Any) -> bool:
    """Whether a relative change reads as "0.0%": no arrow, no colour, whatever its sign."""
    return change is not None and _q(_dec(change) * 100, 1) == 0


MINUS = "\u2212"  # a typographic minus, as in "ROAS \u221231%"


def moved(change: Any) -> str:
    """A relative change as a sentence states it: "\u221231%", "+4.2%" (the size as `change_size`
    rounds it), or "unchanged" when that size rounds to zero."""
    if change is None:
        return NOT_AVAILABLE
    size = change_size(change)
    if Decimal(size.rstrip("%")) == 0:
        return "unchanged"
    return f"{MINUS if _dec(change) < 0 else '+'}{size}"


def signed_pp(change_pp: Any) -> str:
    """A percentage-point change: "+0.12 pp"."""
    if change_pp is None:
        return NOT_AVAILABLE
    size = _q(_dec(change_pp), 2)
    return f"{'+' if size > 0 else ''}{size if size else Decimal('0.00')} pp"


def metric(key: str, value: Any, currency: str = DEFAULT_CURRENCY) -> str:
    """Any aggregate key's value as people read it."""
    if key in ("impressions", "clicks", "conversions"):
        return count(value)
    if key in ("spend", "revenue", "margin", "budget"):
        return money(value, currency)
    if key in ("cpc", "cpa", "cpm", "ecpm", "revenue_per_conversion", "aov", "break_even_cpm"):
        return unit_cost(value, currency)
    if key == "roas":
        return multiple(value)
    return percent(value)


def tone(key: str, change: Any) -> str:
    """ "good", "bad" or "neutral" for a change of `key` (a cost rising is bad; a change that
    reads as 0.0% is neutral)."""
    if change is None or key in NEUTRAL or is_flat(change):
        return "neutral"
    number = _dec(change)
    return "good" if (number > 0) != (key in LOWER_IS_BETTER) else "bad"


def column_label(key: str, currency: str = DEFAULT_CURRENCY) -> str:
    """A CSV or table header: the key, with the currency for amounts ("spend (EUR)")."""
    if key in ("spend", "revenue", "margin", "budget", "cpc", "cpa", "cpm", "ecpm"):
        return f"{key} ({currency})"
    return key


_STRIPPED = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def clean_name(name: str) -> str:
    """A name safe to render: control, format (bidi overrides, zero-width) and separator
    characters removed, whitespace collapsed."""
    kept = "".join(
        " " if ch in "\t\n\r" else ch for ch in name if ch in "\t\n\r" or unicodedata.category(ch) not in _STRIPPED
    )
    return " ".join(kept.split())


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def day(value: date) -> str:
    """2026-03-10 -> "Mar 10, 2026" (the web app's dates)."""
    return f"{MONTHS[value.month - 1][:3]} {value.day}, {value.year}"


def weekday(value: date) -> str:
    """2026-03-10 -> "Tuesday, Mar 10, 2026" (a day named in a sentence)."""
    return f"{WEEKDAYS[value.weekday()]}, {day(value)}"


def period(start: date, end: date) -> str:
    """A period as the web app labels it: a whole calendar month is "March 2026"; any other
    span is "Mar 2 \N{EN DASH} Mar 8, 2026", with both years when they differ."""
    last_of_month = calendar.monthrange(end.year, end.month)[1]
    if start.day == 1 and (start.year, start.month) == (end.year, end.month) and end.day == last_of_month:
        return f"{MONTHS[start.month - 1]} {start.year}"
    if start == end:
        return day(start)
    first = day(start) if start.year != end.year else day(start).rsplit(",", 1)[0]
    return f"{first} \u2013 {day(end)}"
