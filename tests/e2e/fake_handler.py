"""A handler for the container tests: echoes, raises, prints, counts, or dies on demand."""

from __future__ import annotations

import os
from typing import Any

_invocations = 0  # module state: survives between invocations of a warm container


def lambda_handler(event: dict[str, Any], context: Any) -> Any:
    global _invocations
    _invocations += 1
    action = event.get("action")
    print(f"fake handler invoked: {action}")  # must land in the log, not on the reply channel
    if action == "raise":
        raise ValueError("bad event")
    if action == "die":
        os._exit(3)
    return {
        "invocations": _invocations,
        "pid": os.getpid(),
        "db_user": os.environ.get("DB_USER"),
        "function_name": context.function_name,
        "request_id": context.aws_request_id,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "echo": event.get("echo"),
    }
