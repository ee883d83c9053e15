"""Streaming reader for partner CSV files: bytes -> hashed, decoded, dialect-detected rows.

Nothing here holds the whole file, nor one whole line: the object stream is hashed (SHA-256
of the stored bytes) and size-checked while it is read, gunzipped on the fly when needed,
decoded as UTF-8 incrementally and read line by line with a length bound (`ReadLimits`)
before the `csv` module splits the records.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from shared.ingestion.limits import (
    CONTROL_CHARS,
    ECHO_LIMIT,
    Deadline,
    FileRejected,
    LimitExceeded,
    ReadLimits,
    clip,
)

__all__ = ["ECHO_LIMIT", "CsvStream", "FileRejected", "HeaderMap", "clip", "map_header", "open_csv"]

GZIP_MAGIC = b"\x1f\x8b"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
DEADLINE_EVERY = 1024  # records between two deadline checks


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
            raise LimitExceeded(f"the {self._what} is larger than the size limit of {self._max:,} bytes")
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


def _line_breaks(data: bytes) -> int:
    """Line ends in raw bytes, counted as universal newlines (CRLF once)."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


class _Lines:
    """The decoded text's physical lines, each read with a length bound and counted.

    `TextIOWrapper.readline(n)` decodes chunk by chunk and stops after n characters, so an
    endless line costs one bound, never its length. The chars of the record being parsed
    are summed too: a quoted field may span lines, and a record stays under the same bound.
    """

    def __init__(self, text: io.TextIOWrapper, limits: ReadLimits) -> None:
        self._readline = text.readline
        self._limits = limits
        self.number = 0  # physical lines read so far
        self.record_start = 1  # the first line of the record being parsed
        self.record_chars = 0

    def _read(self, limit: int) -> str:
        try:
            return self._readline(limit + 1)
        except UnicodeDecodeError as exc:
            raise self._undecodable(exc) from exc

    def _undecodable(self, exc: UnicodeDecodeError) -> FileRejected:
        # The failing chunk was being decoded while the current line was still open: the
        # bad byte is on that line plus the line breaks before it within the chunk.
        line = self.number + 1 + _line_breaks(bytes(exc.object[: exc.start]))
        return FileRejected(f"the file is not valid UTF-8 (undecodable bytes at line {line})")

    def header(self) -> str:
        """The first non-blank line (leading blank lines carry nothing)."""
        limit = self._limits.max_header_chars
        while True:
            line = self._read(limit)
            if not line:
                return line
            self.number += 1
            if len(line) > limit:
                raise LimitExceeded(
                    f"the header line (line {self.number}) is longer than {limit:,} characters (MAX_HEADER_CHARS)"
                )
            if line.strip():
                return line
            if self.number > self._limits.max_file_rows:
                raise _too_many_rows(self._limits)

    def __iter__(self) -> Iterator[str]:
        limit = self._limits.max_line_chars
        readline, bound = self._readline, limit + 1  # the hot loop: no call but readline's
        while True:
            try:
                line = readline(bound)
            except UnicodeDecodeError as exc:
                raise self._undecodable(exc) from exc
            if not line:
                return
            self.number += 1
            self.record_chars += len(line)
            if self.record_chars > limit:
                where = (
                    f"line {self.record_start}"
                    if self.number == self.record_start
                    else f"the record starting at line {self.record_start}"
                )
                raise LimitExceeded(f"{where} is longer than {limit:,} characters (MAX_LINE_CHARS)")
            yield line


def _too_many_rows(limits: ReadLimits) -> LimitExceeded:
    return LimitExceeded(f"the file has more than {limits.max_file_rows:,} rows (MAX_FILE_ROWS); split it")


def open_csv(
    raw: BinaryIO,
    *,
    key: str,
    max_bytes: int,
    limits: ReadLimits | None = None,
    deadline: Deadline | None = None,
) -> CsvStream:
    """Open a partner file for streaming. Raises `FileRejected` for an empty, oversized,
    undecodable or malformed file, `LimitExceeded` past a read limit and `DeadlineExceeded`
    once `deadline` passes while rows are read (header problems are checked by the caller)."""
    limits = limits or ReadLimits()
    hasher = HashingReader(raw, max_bytes=max_bytes)
    buffered = io.BufferedReader(hasher, buffer_size=CHUNK)
    compressed = key.lower().endswith(".gz") or buffered.peek(2)[:2] == GZIP_MAGIC
    binary: BinaryIO = buffered
    if compressed:
        gz = gzip.GzipFile(fileobj=buffered, mode="rb")
        binary = io.BufferedReader(_LimitedReader(gz, max_bytes=max_bytes), buffer_size=CHUNK)  # type: ignore[arg-type]
    # utf-8-sig drops a leading BOM; strict errors make undecodable bytes a whole-file failure.
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline="")
    lines = _Lines(text, limits)
    try:
        if _looks_utf16(binary.peek(64)[:64]):  # type: ignore[attr-defined]
            raise FileRejected("the file is UTF-16 encoded; export it as UTF-8 (with or without BOM)")
        header_line = lines.header()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise FileRejected("the file is not a valid gzip stream") from exc
    if not header_line.strip():
        hasher.drain()
        raise FileRejected("the file is empty")
    delimiter = _sniff_delimiter(header_line)
    # Process-wide in the csv module; set for each file (one load at a time per process).
    csv.field_size_limit(limits.max_field_chars)
    lines.record_start, lines.record_chars = lines.number, len(header_line)
    reader = csv.reader(itertools.chain((header_line,), lines), delimiter=delimiter, quotechar='"', strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FileRejected(f"malformed header line: {clip(_csv_reason(exc, limits))}") from exc
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise FileRejected("the file is not a valid gzip stream") from exc
    if len(header) > limits.max_header_columns:
        raise LimitExceeded(
            f"the header has {len(header):,} columns, more than {limits.max_header_columns:,} (MAX_HEADER_COLUMNS)"
        )

    def records() -> Iterator[tuple[int, list[str]]]:
        count = 0
        while True:
            lines.record_start, lines.record_chars = lines.number + 1, 0
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                refused = LimitExceeded if "field limit" in str(exc) else FileRejected
                raise refused(f"malformed CSV at line {lines.record_start}: {_csv_reason(exc, limits)}") from exc
            except (OSError, EOFError, gzip.BadGzipFile) as exc:
                raise FileRejected("the file is not a valid gzip stream") from exc
            count += 1
            if count > limits.max_file_rows:
                raise _too_many_rows(limits)
            if deadline is not None and not count % DEADLINE_EVERY:
                deadline.check()
            yield lines.record_start, fields

    return CsvStream(header=header, delimiter=delimiter, rows=records(), hasher=hasher, compressed=compressed)


def _csv_reason(exc: csv.Error, limits: ReadLimits) -> str:
    message = str(exc)
    if "unexpected end of data" in message:
        return "unterminated quote"
    if "field larger than field limit" in message:
        return f"a field is longer than {limits.max_field_chars:,} characters (MAX_FIELD_CHARS; an unterminated quote?)"
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


def _quoted(name: str) -> str:
    """A header name as shown in a reason: clipped, control characters escaped once."""
    return f"'{clip(name)}'"


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
        if CONTROL_CHARS.search(name):
            raise FileRejected(
                f"header column {index + 1} ({_quoted(name)}) contains a NUL or control character; fix the header line"
            )
        key = normalise_header(name)
        if key in seen:
            raise FileRejected(f"duplicate header: {_quoted(seen[key])} and {_quoted(name)}")
        seen[key] = name
        target = _ALIAS_TO_FIELD.get(key)
        if target is None:
            unknown.append(clip(name))
            continue
        if target in columns:
            raise FileRejected(
                f"duplicate header: two columns map to {target!r} ({_quoted(header[columns[target]])}, {_quoted(name)})"
            )
        columns[target] = index
        if name.endswith("%"):
            percent.add(target)
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise FileRejected(f"missing required {'column' if len(missing) == 1 else 'columns'}: " + ", ".join(missing))
    return HeaderMap(columns=columns, unknown=unknown, percent_columns=frozenset(percent), width=len(header))
