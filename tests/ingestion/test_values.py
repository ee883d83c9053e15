"""Value parsing, header mapping and the streaming reader (no database)."""

from __future__ import annotations

import gzip
import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from shared.ingestion.csv_reader import FileRejected, map_header, normalise_header, open_csv
from shared.ingestion.validation import (
    ClientRef,
    ClientResolver,
    RowValidator,
    ValueProblem,
    name_key,
    parse_count,
    parse_ctr,
    parse_date,
    parse_money,
)

HEADER = "date,campaign,strategy,placement,creative,impressions,clicks,conversions,conversion_revenue"


@pytest.mark.parametrize(
    ("text", "expected"), [("0", 0), ("12345", 12345), ("12,345", 12345), (" 1,234,567 ", 1234567), ("12.0", 12)]
)
def test_counts_accept_plain_and_grouped_integers(text: str, expected: int) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-5", "negative"),
        ("NaN", "finite"),
        ("inf", "finite"),
        ("1e5", "exponent"),
        ("12.5", "whole"),
        ("1,23", "not a valid"),
        ("", "missing"),
        ("abc", "not a valid"),
        ("١٢", "not a valid"),  # non-ASCII digits
        ("9" * 16, "too large"),
    ],
)
def test_counts_reject_invalid_numbers(text: str, reason: str) -> None:
    with pytest.raises(ValueProblem, match=reason):
        parse_count(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250", Decimal("250")),
        ("$1,234.50", Decimal("1234.50")),
        ("€ 12.345678", Decimal("12.345678")),
        ("0.10€", Decimal("0.10")),
        (".5", Decimal("0.5")),
        ("1234567.891", Decimal("1234567.891")),
    ],
)
def test_money_is_exact(text: str, expected: Decimal) -> None:
    value = parse_money(text)
    assert value == expected
    assert isinstance(value, Decimal)


@pytest.mark.parametrize("text", ["-$5", "($5.00)", "NaN", "Infinity", "1E3", "1.1234567", "$", "", "12,34.5", "1.2.3"])
def test_money_rejects_invalid(text: str) -> None:
    with pytest.raises(ValueProblem):
        parse_money(text)


def test_ctr_fraction_percent_and_percent_column() -> None:
    assert parse_ctr("0.0052", percent_column=False) == Decimal("0.0052")
    assert parse_ctr("0.52%", percent_column=False) == Decimal("0.0052")
    assert parse_ctr("0.52", percent_column=True) == Decimal("0.0052")
    assert parse_ctr("", percent_column=False) is None
    for bad in ("1.5", "150%", "-0.1", "nan", "1e-3"):
        with pytest.raises(ValueProblem):
            parse_ctr(bad, percent_column=False)


def test_dates_iso_and_us() -> None:
    assert parse_date("2026-03-01") == date(2026, 3, 1)
    assert parse_date("3/1/2026") == date(2026, 3, 1)
    assert parse_date("12/31/2025") == date(2025, 12, 31)
    for bad in ("2026-02-30", "13/1/2026", "01.03.2026", "2026/03/01", "", "yesterday"):
        with pytest.raises(ValueProblem):
            parse_date(bad)


def test_name_key_matches_sql_rule() -> None:
    assert name_key(" ACME  Out\tdoor ") == "acmeoutdoor"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Report Date", "date"),
        ("reporting_date", "date"),
        ("Ad-Group Name", "strategy"),
        ("INSERTION ORDER", "strategy"),
        ("Site/App", "placement"),
        ("Impressions Delivered", "impressions"),
        ("Click-Through Rate", "ctr"),
        ("CTR %", "ctr"),
        ("Conv Revenue", "conversion_revenue"),
        ("Client Name", "advertiser"),
    ],
)
def test_header_aliases(header: str, field: str) -> None:
    names = HEADER.split(",")
    mapped = map_header([*names, header] if field not in names else [header if n == field else n for n in names])
    assert field in mapped.columns


def test_header_trailing_percent_marks_percent_column() -> None:
    assert "ctr" in map_header([*HEADER.split(","), "CTR %"]).percent_columns
    assert normalise_header(" Total_Clicks ") == "totalclicks"


def test_header_problems_are_whole_file_failures() -> None:
    with pytest.raises(FileRejected, match=r"missing required column.*clicks"):
        map_header(HEADER.replace(",clicks", "").split(","))
    with pytest.raises(FileRejected, match="duplicate header"):
        map_header([*HEADER.split(","), "Imps"])
    with pytest.raises(FileRejected, match="duplicate header"):
        map_header([*HEADER.split(","), "notes", "Notes"])


def _read(
    data: bytes, key: str = "f.csv", max_bytes: int = 10_000
) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    stream = open_csv(io.BytesIO(data), key=key, max_bytes=max_bytes)
    rows = list(stream.rows)
    stream.finish()
    return stream.header, rows, stream.delimiter


def test_reader_detects_delimiter_bom_gzip_and_counts_lines() -> None:
    text = '\ufeffa;b\r\n1;2\r\n\r\n"x\ny";3\r\n4;5\r\n'
    header, rows, delimiter = _read(text.encode())
    assert (header, delimiter) == (["a", "b"], ";")
    assert rows == [(2, ["1", "2"]), (3, []), (4, ["x\ny", "3"]), (6, ["4", "5"])]
    gz_header, gz_rows, gz_delimiter = _read(gzip.compress(b"a\tb\n1\t2\n"), key="f.csv")
    assert (gz_header, gz_rows, gz_delimiter) == (["a", "b"], [(2, ["1", "2"])], "\t")


def test_reader_hashes_the_stored_bytes() -> None:
    import hashlib

    data = gzip.compress(b"a,b\n1,2\n")
    stream = open_csv(io.BytesIO(data), key="f.csv.gz", max_bytes=10_000)
    list(stream.rows)
    stream.finish()
    assert stream.hasher.checksum == hashlib.sha256(data).hexdigest()
    assert stream.hasher.size == len(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\xef\xbb\xbf\r\n  \n", "empty"),
        (b'a,b\n"1,2\n', "unterminated quote"),
        (b"a,b\n1,\xff\n", "not valid UTF-8"),
        (b"a,b\n" + b"1,2\n" * 5000, "size limit"),
        (b"\x1f\x8b\x08\x00garbage", "gzip"),
    ],
)
def test_reader_whole_file_failures(data: bytes, reason: str) -> None:
    with pytest.raises(FileRejected, match=reason):
        _read(data)


def test_reader_refuses_gzip_bombs() -> None:
    with pytest.raises(FileRejected, match="decompressed"):
        _read(gzip.compress(b"a,b\n" + b"1,2\n" * 100_000), key="f.csv.gz", max_bytes=50_000)


# ---------------------------------------------------------------- the validator's fast path

_ROW_HEADER = [
    "date", "advertiser", "campaign", "strategy", "placement", "creative",
    "impressions", "clicks", "ctr", "conversions", "conversion_revenue",
]  # fmt: skip
_COUNTS = [
    "0",
    "7",
    "10",
    "1000",
    "0012",
    "12,345",
    " 12 ",
    "12.0",
    "1e3",
    "-4",
    "",
    "١٢",
    "²",
    "9" * 15,
    "9" * 16,
    "0" * 16 + "5",
]
_MONEY = [
    "0",
    "12",
    "12.5",
    "1234.567890",
    "1.1234567",
    "$12.50",
    "1,234.50",
    "12.",
    ".5",
    "",
    "-1",
    "€3",
    "9" * 12 + ".5",
    "9" * 13,
    "٣.5",
    "0" * 13 + "1",
    "$0",
    "$1234.567890",
    "$1,234.50",
    "$ 12",
    "$12.3456789",
    "$12.",
    "$",
    "$.5",
    "£" + "9" * 13,
    "¥12",
    "$$12",
    "$-1",
    "12$",
    "$٣",
]
_CTRS = [
    "",
    "0.005",
    "0.015",
    "0.0151",
    "0.0175",
    "1.5",
    "1.51",
    "0.0095",
    "0.05",
    "5%",
    "0.50%",
    "1",
    "1.5",
    "5.",
    ".5",
    " 0.01",
    "0.0050000000000",
    "\u0660.5",
    "0.123456789012",
    "1.0",
    "100",
]
_NAMES = ["C", "Ünïcode", " padded ", "", "tab\\there", "x" * 256, "bad\x01", "back\\slash"]
_DATES = ["2026-03-01", "3/1/2026", "2026-02-30", "2099-01-01", "", "1999-12-31"]


def _validators(percent: bool) -> tuple[RowValidator, RowValidator]:
    from uuid import UUID

    header = map_header([*_ROW_HEADER[:8], "ctr %" if percent else "ctr", *_ROW_HEADER[9:]])
    resolver = ClientResolver(
        advertisers={name_key("Acme"): ClientRef(UUID(int=1), True), name_key("Off"): ClientRef(UUID(int=2), False)},
        key_client=None,
    )
    return tuple(RowValidator(header, resolver=resolver, today=date(2026, 6, 1)) for _ in range(2))  # type: ignore[return-value]


@given(
    percent=st.booleans(),
    rows=st.lists(
        st.tuples(
            st.sampled_from(_DATES),
            st.sampled_from(["Acme", "acme ", "Off", "Nobody"]),
            st.sampled_from(_NAMES),
            st.sampled_from(_NAMES),
            st.sampled_from(_COUNTS),
            st.sampled_from(_COUNTS),
            st.sampled_from(_CTRS),
            st.sampled_from(_COUNTS),
            st.sampled_from(_MONEY),
        ),
        min_size=1,
        max_size=30,
    ),
)
@hsettings(max_examples=300, deadline=None)
def test_the_fast_path_accepts_and_rejects_exactly_as_the_careful_path(
    percent: bool, rows: list[tuple[str, ...]]
) -> None:
    fast, careful = _validators(percent)
    for number, (day, advertiser, campaign, name, imps, clicks, ctr, conv, revenue) in enumerate(rows, start=2):
        fields = [day, advertiser, campaign, "S", "P", name, imps, clicks, ctr, conv, revenue]
        # the same row twice: the second time every cache is warm
        for _ in range(2):
            assert fast.validate(number, fields) == careful._checked(number, fields), fields
    assert fast.ctr_warnings == careful.ctr_warnings
    assert (fast.client_ids, fast.date_from, fast.date_to) == (careful.client_ids, careful.date_from, careful.date_to)


@pytest.mark.parametrize(
    ("ctr", "percent", "warned"),
    [
        ("0.015", False, 0),  # 10 clicks / 1000 impressions = 1%: exactly 0.5 pp off is within tolerance
        ("0.0151", False, 1),
        ("0.005", False, 0),
        ("0.0049", False, 1),
        ("1.5", True, 0),  # a `CTR %` column: 1.5%
        ("1.51", True, 1),
        ("1.51%", False, 1),
        ("0.0175", False, 1),
    ],
)
def test_the_ctr_tolerance_is_exact_on_both_paths(ctr: str, percent: bool, warned: int) -> None:
    fast, careful = _validators(percent)
    fields = ["2026-03-01", "Acme", "C", "S", "P", "K", "1000", "10", ctr, "1", "2.5"]
    assert fast.validate(2, fields) == careful._checked(2, fields)
    assert (fast.ctr_warnings, careful.ctr_warnings) == (warned, warned)
