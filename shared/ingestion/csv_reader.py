"""Streaming reader for partner CSV files: bytes -> hashed, decoded, dialect-detected rows.

Nothing here holds the whole file: the object stream is hashed (SHA-256 of the stored
bytes) and size-checked while it is read, gunzipped on the fly when needed, decoded as
UTF-8 incrementally and split into records by the `csv` module.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

# Bound one field so an unterminated quote cannot swallow the file into memory.
csv.field_size_limit(1_048_576)

GZIP_MAGIC = b"\x1f\x8b"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
ECHO_LIMIT = 200  # characters of any file-supplied value echoed in a message, log or alert
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clip(value: str, limit: int = ECHO_LIMIT) -> str:
    """A file-supplied value safe to echo: control characters escaped, at most `limit` chars."""
    value = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _looks_utf16(head: bytes) -> bool:
    """A UTF-16 BOM, or ASCII text with every other byte NUL."""
    if head[:2] in UTF16_BOMS:
        return True
    sample = head[:64]
    return len(sample) >= 4 and (
        sample[1::2].count(0) == len(sample[1::2]) or sample[0::2].count(0) == len(sample[0::2])
    )


DELIMITERS = (",", "\t", ";")
CHUNK = 1 << 16


class FileRejected(Exception):
    """The whole file is refused (SPEC §3 whole-file failures). `reason` is safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _LimitedReader(io.RawIOBase):
    """Counts the bytes read through it and refuses the file past the size limit (also
    applied after gzip: a small archive must not expand past it)."""

    def __init__(self, raw: BinaryIO, *, max_bytes: int, what: str = "decompressed file") -> None:
        self._raw = raw
        self._max = max_bytes
        self._what = what
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        if not data:
            return 0
        self.size += len(data)
        if self.size > self._max:
            raise FileRejected(f"the {self._what} is larger than the size limit of {self._max} bytes")
        self._seen(data)
        buffer[: len(data)] = data
        return len(data)

    def _seen(self, data: bytes) -> None:
        """Hook for subclasses: every chunk read, after the size check."""


class HashingReader(_LimitedReader):
    """Wraps the object body: hashes and counts every byte read, enforces the size limit."""

    def __init__(self, raw: BinaryIO, *, max_bytes: int) -> None:
        super().__init__(raw, max_bytes=max_bytes, what="file")
        self.sha256 = hashlib.sha256()

    def _seen(self, data: bytes) -> None:
        self.sha256.update(data)

    def drain(self) -> None:
        """Read what the parser left (e.g. after the last record) so the checksum is complete."""
        buffer = memoryview(bytearray(CHUNK))
        while self.readinto(buffer):
            pass

    @property
    def checksum(self) -> str:
        return self.sha256.hexdigest()


@dataclass
class CsvStream:
    """An opened partner file: the header and an iterator of (line_number, fields)."""

    header: list[str]
    delimiter: str
    rows: Iterator[tuple[int, list[str]]]
    hasher: HashingReader
    compressed: bool

    def finish(self) -> None:
        """Consume any trailing bytes so `hasher.checksum` covers the whole object."""
        self.hasher.drain()


def _sniff_delimiter(header_line: str) -> str:
    """The delimiter occurring most often in the header line, outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    in_quotes = False
    for char in header_line:
        if char == '"':
            in_quotes = not in_quotes
        elif not in_quotes and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    # A one-column header has no delimiter: comma (the header check then reports what is missing).
    return best if counts[best] else ","


def _decode_error(exc: UnicodeDecodeError, line_hint: int) -> FileRejected:
    return FileRejected(f"the file is not valid UTF-8 (undecodable bytes near line {line_hint})")


def open_csv(raw: BinaryIO, *, key: str, max_bytes: int) -> CsvStream:
    """Open a partner file for streaming. Raises `FileRejected` for an empty, oversized,
    undecodable or malformed file (header problems are checked by the caller)."""
    hasher = HashingReader(raw, max_bytes=max_bytes)
    buffered = io.BufferedReader(hasher, buffer_size=CHUNK)
    compressed = key.lower().endswith(".gz") or buffered.peek(2)[:2] == GZIP_MAGIC
    binary: BinaryIO = buffered
    if compressed:
        gz = gzip.GzipFile(fileobj=buffered, mode="rb")
        binary = io.BufferedReader(_LimitedReader(gz, max_bytes=max_bytes), buffer_size=CHUNK)  # type: ignore[arg-type]
    # utf-8-sig drops a leading BOM; strict errors make undecodable bytes a whole-file failure.
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline="")
    try:
        if _looks_utf16(binary.peek(64)[:64]):  # type: ignore[attr-defined]
            raise FileRejected("the file is UTF-16 encoded; export it as UTF-8 (with or without BOM)")
        header_line = text.readline()
        while header_line and not header_line.strip():
            header_line = text.readline()  # leading blank lines carry nothing
    except UnicodeDecodeError as exc:
        raise _decode_error(exc, 1) from exc
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise FileRejected("the file is not a valid gzip stream") from exc
    if not header_line.strip():
        hasher.drain()
        raise FileRejected("the file is empty")
    delimiter = _sniff_delimiter(header_line)

    def lines() -> Iterator[str]:
        yield header_line
        yield from text

    reader = csv.reader(lines(), delimiter=delimiter, quotechar='"', strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FileRejected(f"malformed header line: {clip(str(exc))}") from exc

    def records() -> Iterator[tuple[int, list[str]]]:
        # reader.line_num counts physical lines read; a quoted field may span lines, so the
        # record's first line is the previous count + 1 (plus skipped blank header lines).
        line_number = reader.line_num
        while True:
            start = line_number + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FileRejected(f"malformed CSV at line {start}: {_csv_reason(exc)}") from exc
            except UnicodeDecodeError as exc:
                raise _decode_error(exc, start) from exc
            except (OSError, EOFError, gzip.BadGzipFile) as exc:
                raise FileRejected("the file is not a valid gzip stream") from exc
            line_number = reader.line_num
            yield start, fields

    return CsvStream(header=header, delimiter=delimiter, rows=records(), hasher=hasher, compressed=compressed)


def _csv_reason(exc: csv.Error) -> str:
    message = str(exc)
    if "unexpected end of data" in message:
        return "unterminated quote"
    if "field larger than field limit" in message:
        return "a field is too large (unterminated quote?)"
    return message


# ---------------------------------------------------------------- header mapping

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "report date", "reporting date"),
    "advertiser": ("advertiser", "advertiser name", "client", "client name", "account"),
    "campaign": ("campaign", "campaign name"),
    "strategy": (
        "strategy",
        "strategy name",
        "ad group",
        "ad group name",
        "line item",
        "line item name",
        "insertion order",
    ),
    "placement": ("placement", "placement name", "site", "site/app", "inventory", "publisher"),
    "creative": ("creative", "creative name", "ad", "ad name"),
    "impressions": ("impressions", "imps", "impressions delivered"),
    "clicks": ("clicks", "total clicks"),
    "ctr": ("ctr", "click through rate", "click-through rate"),
    "conversions": ("conversions", "total conversions", "conv"),
    "conversion_revenue": ("conversion revenue", "revenue", "total revenue", "conv revenue", "conversion value"),
}
REQUIRED_FIELDS = (
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
_STRIP = re.compile(r"[\s_\-]+")


def normalise_header(name: str) -> str:
    """Case-insensitive, ignoring spaces, underscores, dashes and a trailing `%`."""
    key = _STRIP.sub("", name.strip().lower())
    return key[:-1] if key.endswith("%") else key


_ALIAS_TO_FIELD = {normalise_header(alias): name for name, aliases in FIELD_ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class HeaderMap:
    """Which column index holds each known field; unknown columns are listed."""

    columns: dict[str, int]
    unknown: list[str]
    percent_columns: frozenset[str]  # fields whose header ends in % (values are percents)
    width: int


def map_header(header: list[str]) -> HeaderMap:
    """Map header names through the aliases. Raises `FileRejected` for a duplicate header
    or a missing required column."""
    columns: dict[str, int] = {}
    unknown: list[str] = []
    seen: dict[str, str] = {}
    percent: set[str] = set()
    for index, raw_name in enumerate(header):
        name = raw_name.strip()
        if not name:
            continue
        if _CONTROL.search(name):
            raise FileRejected(
                f"header column {index + 1} ({clip(name)!r}) contains a NUL or control character; fix the header line"
            )
        key = normalise_header(name)
        if key in seen:
            raise FileRejected(f"duplicate header: {clip(seen[key])!r} and {clip(name)!r}")
        seen[key] = name
        target = _ALIAS_TO_FIELD.get(key)
        if target is None:
            unknown.append(clip(name))
            continue
        if target in columns:
            raise FileRejected(
                f"duplicate header: two columns map to {target!r} ({clip(header[columns[target]])!r}, {clip(name)!r})"
            )
        columns[target] = index
        if name.endswith("%"):
            percent.add(target)
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise FileRejected("missing required column(s): " + ", ".join(missing))
    return HeaderMap(columns=columns, unknown=unknown, percent_columns=frozenset(percent), width=len(header))
