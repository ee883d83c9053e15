"""Emulated S3 ObjectCreated notifications, and a console feed of the alert emails sent.

`S3Notifier` polls the landing bucket and, for every object it has not seen (new key, or a
key overwritten with new content), invokes the ingestion handler with a real-shaped S3
event, one object at a time in upload order, like the deployed bucket notification: every
object (no suffix filter, so `UPPER.CSV` loads and `notes.txt` is a failed run), with an
`eventTime` (the upload time) and a `sequencer` that grows per key.
`MailWatcher` polls moto's SES store and prints each new email.
"""

from __future__ import annotations

import copy
import html
import json
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from local.aws import REGION

EVENTS_DIR = Path(__file__).resolve().parent.parent / "events"

_FALLBACK_RECORD: dict[str, Any] = {
    "eventVersion": "2.1",
    "eventSource": "aws:s3",
    "awsRegion": REGION,
    "eventTime": "",
    "eventName": "ObjectCreated:Put",
    "userIdentity": {"principalId": "AWS:LOCALPARTNER"},
    "requestParameters": {"sourceIPAddress": "127.0.0.1"},
    "responseElements": {"x-amz-request-id": "LOCAL", "x-amz-id-2": "LOCAL"},
    "s3": {
        "s3SchemaVersion": "1.0",
        "configurationId": "landing-object-created",
        "bucket": {"name": "", "ownerIdentity": {"principalId": "LOCAL"}, "arn": ""},
        "object": {"key": "", "size": 0, "eTag": "", "sequencer": ""},
    },
}


def _record_template() -> dict[str, Any]:
    """The first record of `events/s3_object_created.json` (shared with the tests), or a
    built-in copy of the same shape when that file is not there."""
    path = EVENTS_DIR / "s3_object_created.json"
    if path.exists():
        records = json.loads(path.read_text(encoding="utf-8")).get("Records") or []
        if records:
            return dict(records[0])
    return copy.deepcopy(_FALLBACK_RECORD)


def s3_event(
    *, bucket: str, key: str, size: int, etag: str, sequence: int, when: datetime | None = None
) -> dict[str, Any]:
    """An S3 ObjectCreated:Put notification for one object. The key is URL-encoded as S3
    encodes it (spaces as `+`), so handlers must `unquote_plus` it."""
    record = copy.deepcopy(_record_template())
    moment = when or datetime.now(UTC)
    record["eventTime"] = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    record["eventName"] = "ObjectCreated:Put"
    record["awsRegion"] = REGION
    s3 = record.setdefault("s3", {})
    s3["bucket"] = {**s3.get("bucket", {}), "name": bucket, "arn": f"arn:aws:s3:::{bucket}"}
    s3["object"] = {
        **s3.get("object", {}),
        "key": quote_plus(key, safe="/"),
        "size": size,
        "eTag": etag.strip('"'),
        "sequencer": f"{sequence:016X}",
    }
    return {"Records": [record]}


class S3Notifier:
    """Polls `bucket` and delivers one ObjectCreated event per new object to `deliver`."""

    def __init__(
        self,
        s3: Any,
        *,
        bucket: str,
        deliver: Callable[[dict[str, Any]], Any],
        on_result: Callable[[str, Any, BaseException | None], None] | None = None,
        interval: float = 1.0,
    ) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._deliver = deliver
        self._on_result = on_result
        self._interval = interval
        self._seen: dict[str, str] = {}  # key -> etag delivered
        self._sequence = 0
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread = threading.Thread(target=self._run, name="s3-notifier", daemon=True)
        self.delivered = 0

    def _new_objects(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self._bucket):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                if self._seen.get(key) != obj["ETag"]:
                    found.append(obj)
        # Upload order, so a partner's restatement lands after the file it restates.
        found.sort(key=lambda o: (o["LastModified"], o["Key"]))
        return found

    def poll_once(self) -> int:
        """Deliver every object not delivered yet; return how many."""
        objects = self._new_objects()
        for obj in objects:
            if self._stop.is_set():
                break
            self._sequence += 1
            event = s3_event(
                bucket=self._bucket,
                key=obj["Key"],
                size=obj["Size"],
                etag=obj["ETag"],
                sequence=self._sequence,
                when=obj["LastModified"],
            )
            self._seen[obj["Key"]] = obj["ETag"]
            error: BaseException | None = None
            result: Any = None
            try:
                result = self._deliver(event)
            except Exception as exc:  # noqa: BLE001 - reported, the poller keeps going (no retry storms)
                error = exc
            self.delivered += 1
            if self._on_result is not None:
                self._on_result(obj["Key"], result, error)
        return len(objects)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                count = self.poll_once()
            except Exception:  # noqa: BLE001 - moto is stopping, or a transient error: try again
                count = 0
            if count == 0:
                self._idle.set()
                self._stop.wait(self._interval)
            else:
                self._idle.clear()

    def wait_until_idle(self, *, after: float = 0.0, timeout: float = 600.0) -> bool:
        """Block until a poll after now (+`after` seconds) finds nothing new."""
        deadline = time.monotonic() + timeout
        self._idle.clear()
        time.sleep(after)
        while time.monotonic() < deadline and not self._stop.is_set():
            if self._idle.wait(0.2):
                return True
        return False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)


def html_to_text(markup: str) -> str:
    """Readable text of a simple alert email body (moto keeps only the HTML part)."""
    text = re.sub(r"(?i)</th>\s*<td[^>]*>", ": ", markup)
    text = re.sub(r"(?i)<li[^>]*>", "- ", text)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</tr>|</li>|</h\d>|</div>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return "\n".join(line.strip() for line in html.unescape(text).splitlines() if line.strip())


def format_email(message: dict[str, Any]) -> str:
    """A console rendering of one email from moto's SES store (subject, recipients, text)."""
    body = message.get("body")
    text = body.get("text") if isinstance(body, dict) else body
    if text and "<" in str(text):
        text = html_to_text(str(text))
    destination = message.get("destinations") or {}
    recipients = ", ".join(destination.get("ToAddresses", [])) if isinstance(destination, dict) else str(destination)
    lines = [f"--- alert email to {recipients}: {message.get('subject', '')}"]
    lines += [f"    {line}" for line in str(text or "").rstrip().splitlines()[:25]]
    return "\n".join(lines)


class MailWatcher:
    """Prints every email SES (moto) has sent that it has not printed yet."""

    def __init__(
        self, fetch: Callable[[], list[dict[str, Any]]], printer: Callable[[str], None], interval: float = 2.0
    ) -> None:
        self._fetch = fetch
        self._print = printer
        self._interval = interval
        self._printed: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mail-watcher", daemon=True)

    def poll_once(self) -> int:
        count = 0
        for message in self._fetch():
            message_id = str(message.get("id") or json.dumps(message, sort_keys=True, default=str))
            if message_id in self._printed:
                continue
            self._printed.add(message_id)
            self._print(format_email(message))
            count += 1
        return count

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.poll_once()
            except Exception:  # noqa: BLE001, S112 - moto stopping; keep polling until told to stop
                continue

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
