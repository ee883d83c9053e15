"""Counts, dates and changes as people read them (shared.numbers.human), as the web app writes them."""

from datetime import date

import pytest

from shared.numbers import human


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 2), date(2026, 3, 8), "Mar 2 \N{EN DASH} Mar 8, 2026"),
        (date(2025, 12, 29), date(2026, 1, 4), "Dec 29, 2025 \N{EN DASH} Jan 4, 2026"),
        (date(2026, 2, 1), date(2026, 2, 28), "February 2026"),  # a whole month is its name
        (date(2024, 2, 1), date(2024, 2, 29), "February 2024"),
        (date(2024, 2, 1), date(2024, 2, 28), "Feb 1 \N{EN DASH} Feb 28, 2024"),  # not the whole leap month
        (date(2026, 3, 1), date(2026, 4, 30), "Mar 1 \N{EN DASH} Apr 30, 2026"),
        (date(2026, 3, 10), date(2026, 3, 10), "Mar 10, 2026"),
    ],
)
def test_a_period_reads_like_the_web_apps_labels(start, end, expected):
    assert human.period(start, end) == expected


def test_days_and_weekdays():
    assert human.day(date(2026, 3, 10)) == "Mar 10, 2026"
    assert human.weekday(date(2026, 3, 10)) == "Tuesday, Mar 10, 2026"
    assert human.weekday(date(2026, 11, 29)) == "Sunday, Nov 29, 2026"


@pytest.mark.parametrize(
    ("value", "noun", "plural", "expected"),
    [
        (1, "file", None, "1 file"),
        (0, "file", None, "0 files"),
        (2, "failed file", None, "2 failed files"),
        (1204, "row", None, "1,204 rows"),
        (3, "day", None, "3 days"),
        (2, "summary", "summaries", "2 summaries"),
    ],
)
def test_a_count_takes_its_noun_in_the_right_number(value, noun, plural, expected):
    assert human.count_of(value, noun, plural) == expected


@pytest.mark.parametrize(
    ("change", "shown", "flat"),
    [
        ("-0.000300", "0.0%", True),
        ("0.000499", "0.0%", True),
        ("0.000500", "+0.1%", False),
        ("-0.1234", "-12.3%", False),
    ],
)
def test_a_change_that_rounds_to_zero_reads_flat_and_neutral(change, shown, flat):
    assert human.signed_change(change) == shown
    assert human.is_flat(change) is flat
    assert (human.tone("ctr", change) == "neutral") is flat
    assert human.signed_pp("-0.004") == "0.00 pp" and human.signed_pp("0.005") == "+0.01 pp"
