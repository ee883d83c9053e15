"""SES adapter for the `EmailSender` port."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3


@lru_cache(maxsize=1)
def _client() -> Any:
    # One client per container (creating one costs ~100 ms). AWS_ENDPOINT_URL points it at
    # the emulator locally.
    return boto3.client("ses")


class SesEmailSender:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    def send(self, *, sender: str, recipients: list[str], subject: str, text: str, html: str) -> None:
        client = self._client or _client()
        client.send_email(
            Source=sender,
            Destination={"ToAddresses": recipients},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}, "Html": {"Data": html, "Charset": "UTF-8"}},
            },
        )
