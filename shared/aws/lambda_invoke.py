"""Asynchronous Lambda invocation (admin ingestion retry -> the ingestion function)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from shared.errors import StorageError

_client: Any = None


def _lambda_client() -> Any:
    global _client
    if _client is None:
        import boto3

        _client = boto3.client("lambda")
    return _client


class LambdaIngestionDispatcher:
    """Invokes the ingestion function with `{"retry": {"bucket", "key", "retry_of"}}` (Event)."""

    def __init__(self, function_name: str, client: Any | None = None) -> None:
        self._function_name = function_name
        self._client = client

    def dispatch(self, *, bucket: str, key: str, retry_of: UUID) -> dict[str, Any] | None:
        from botocore.exceptions import BotoCoreError, ClientError

        payload = {"retry": {"bucket": bucket, "key": key, "retry_of": str(retry_of)}}
        client = self._client or _lambda_client()
        try:
            client.invoke(
                FunctionName=self._function_name, InvocationType="Event", Payload=json.dumps(payload).encode()
            )
        except (ClientError, BotoCoreError) as exc:
            code = exc.response.get("Error", {}).get("Code", "Unknown") if isinstance(exc, ClientError) else "Unknown"
            raise StorageError("the ingestion function could not be invoked", code=code) from exc
        return None
