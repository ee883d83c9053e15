"""A stand-in for the Lambda context object the runtime passes to every handler."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from local.aws import REGION

ACCOUNT_ID = "123456789012"  # moto's default account


@dataclass
class LambdaContext:
    """The attributes Powertools and the handlers read from a real context."""

    function_name: str
    memory_limit_in_mb: int = 1024
    timeout_seconds: int = 900
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/[{self.function_version}]{self.aws_request_id[:8]}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed_ms = int((time.monotonic() - self._started) * 1000)
        return max(self.timeout_seconds * 1000 - elapsed_ms, 0)
