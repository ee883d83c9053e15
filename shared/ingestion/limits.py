"""What a partner file may cost (SPEC §3 "Hostile files"): echo clipping, read limits, the deadline.

Every limit is enforced while the file streams, before anything is buffered, and each
breach is a `FileRejected` subclass, so it flows through the ordinary whole-file failure
path (a `failed` run, one alert, nothing stored).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

ECHO_LIMIT = 200  # characters of any file-supplied value echoed in a message, log, alert or response
REASON_LIMIT = 1000  # a whole-file failure reason: a sentence and at most a few clipped values
MESSAGE_LIMIT = 4000  # a stored run message (clipped on write by `ingest_finish_run`, and on read)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
TIME_LIMIT_REASON = "could not finish within the function's time limit — split the file"


def clip(value: str, limit: int = ECHO_LIMIT) -> str:
    """A file-supplied value safe to echo: control characters escaped, at most `limit` chars."""
    if len(value) > 4 * limit:
        value = value[: 4 * limit]  # never escape (copy) more than can be shown
    value = CONTROL_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


class FileRejected(Exception):
    """The whole file is refused (SPEC §3 whole-file failures). `reason` is safe to show:
    whoever builds it clips echoed values; the reason itself is capped as a safety net."""

    def __init__(self, reason: str) -> None:
        reason = clip(reason, REASON_LIMIT)
        super().__init__(reason)
        self.reason = reason


class LimitExceeded(FileRejected):
    """The file breaks a read limit (line, field, header length or columns, rows)."""


class DeadlineExceeded(FileRejected):
    """The run would not finish before the function's timeout; nothing is stored."""

    def __init__(self) -> None:
        super().__init__(TIME_LIMIT_REASON)


class LimitSettings(Protocol):
    max_line_chars: int
    max_field_chars: int
    max_header_chars: int
    max_header_columns: int
    max_file_rows: int


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on one file's text (defaults: see `Settings`; a real partner never hits them)."""

    max_line_chars: int = 1_048_576  # one CSV record, quoted line breaks included
    max_field_chars: int = 131_072
    max_header_chars: int = 65_536
    max_header_columns: int = 1_000
    max_file_rows: int = 10_000_000  # records after the header, blank ones included

    @classmethod
    def of(cls, settings: LimitSettings) -> ReadLimits:
        return cls(
            max_line_chars=settings.max_line_chars,
            max_field_chars=settings.max_field_chars,
            max_header_chars=settings.max_header_chars,
            max_header_columns=settings.max_header_columns,
            max_file_rows=settings.max_file_rows,
        )


@dataclass(frozen=True)
class Deadline:
    """A point in time (on `clock`, monotonic seconds) by which the run must have given up."""

    at: float
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @classmethod
    def after(cls, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    @classmethod
    def of_lambda(cls, remaining_ms: int, *, margin_seconds: float) -> Deadline:
        """The invocation's timeout (`context.get_remaining_time_in_millis()`) less a margin
        that leaves time to roll back, record the failed run and send its alert."""
        return cls.after(remaining_ms / 1000 - margin_seconds)

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - self.clock()

    def check(self) -> None:
        """Raise `DeadlineExceeded` once the deadline has passed."""
        if self.clock() >= self.at:
            raise DeadlineExceeded()
