"""Reading the running local stack's `stack.json` (for the command-line helpers)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


class NoStack(Exception):
    """No local stack is running (no stack.json)."""


def state_dir() -> Path:
    return Path(os.environ.get("LOCAL_STATE_DIR") or REPO_ROOT / ".local").resolve()


def read_stack() -> dict[str, Any]:
    """The running stack's facts; `NoStack` when none runs."""
    path = state_dir() / "stack.json"
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise NoStack(f"no running stack ({path} not found): start one with `make demo`") from None
