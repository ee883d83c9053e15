"""Asynchronous Lambda invocation (admin ingestion retry -> the ingestion function)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote_plus
from uuid import UUID

from shared.errors import UpstreamUnavailable

_client: Any = None


def _lambda_client() -> Any:
    global _client
    if _client is None:
        import boto3

        _client = boto3.client("lambda")
    return _client


def retry_event(bucket: str, key: str, retry_of: UUID) -> dict[str, Any]:
    """An S3 ObjectCreated-shaped event for one object, plus `retry_of`.

    The ingestion handler processes it like the S3 notification (so a retry works with the
    handler as it is); `retry_of` lets it link the new run to the failed one. The key is
    URL-encoded as in real S3 events.
    """
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:AdminRetry",
                "responseElements": {"x-amz-request-id": f"retry-{retry_of}"},
                "s3": {"bucket": {"name": bucket}, "object": {"key": quote_plus(key)}},
            }
        ],
        "retry_of": str(retry_of),
    }


class LambdaIngestionDispatcher:
    """Invokes the ingestion function asynchronously (InvocationType=Event) with `retry_event`."""

    def __init__(self, function_name: str, client: Any | None = None) -> None:
        self._function_name = function_name
        self._client = client

    def dispatch(self, *, bucket: str, key: str, retry_of: UUID) -> dict[str, Any] | None:
        from botocore.exceptions import BotoCoreError, ClientError

        payload = retry_event(bucket, key, retry_of)
        client = self._client or _lambda_client()
        try:
            client.invoke(
                FunctionName=self._function_name, InvocationType="Event", Payload=json.dumps(payload).encode()
            )
        except (ClientError, BotoCoreError) as exc:
            code = exc.response.get("Error", {}).get("Code", "Unknown") if isinstance(exc, ClientError) else "Unknown"
            raise UpstreamUnavailable(
                "the ingestion function could not be invoked, retry later", details={"code": code}
            ) from exc
        return None
