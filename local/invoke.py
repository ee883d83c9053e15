"""Invoke one function of the running local stack once, as its schedule would.

    python -m local.invoke missing_file_check
    python -m local.invoke weekly_summary [--event path/to/event.json]

The function runs in a fresh container with the same environment the stack gives it (role,
database, emulated AWS); its result is printed, its logs go to `<state dir>/logs/`. The
default event is `events/scheduled_event.json` (an EventBridge Scheduler event). API
functions are reached over HTTP instead (see the URL in stack.json).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.container import InvocationError, LambdaContainer
from local.demo import API_FUNCTIONS, NOT_RUN_LOCALLY, REPO_ROOT, function_environment
from local.notifications import EVENTS_DIR

SCHEDULED_FUNCTIONS = ("missing_file_check", "partner_sync", "weekly_summary", "monthly_summary", "ingest")


def _default_event() -> dict[str, Any]:
    """The sample scheduled event, fired now (the functions derive their period from `time`)."""
    path = EVENTS_DIR / "scheduled_event.json"
    event: dict[str, Any] = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.scheduler", "detail": {}}
    if path.exists():
        event = dict(json.loads(path.read_text(encoding="utf-8")))
    event["id"] = str(uuid.uuid4())
    event["time"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return event


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("function", choices=SCHEDULED_FUNCTIONS)
    parser.add_argument("--event", type=Path, help="JSON event file (default: events/scheduled_event.json)")
    args = parser.parse_args(argv)
    if args.function in API_FUNCTIONS or args.function in NOT_RUN_LOCALLY:
        parser.error(f"{args.function} is not invoked this way")

    state = Path(os.environ.get("LOCAL_STATE_DIR") or REPO_ROOT / ".local").resolve()
    stack_file = state / "stack.json"
    if not stack_file.exists():
        print(f"no running stack ({stack_file} not found): start one with `make demo`", file=sys.stderr)
        return 2
    stack = json.loads(stack_file.read_text(encoding="utf-8"))
    event = json.loads(args.event.read_text(encoding="utf-8")) if args.event else _default_event()
    env = function_environment(
        args.function,
        base=dict(os.environ),
        database_url=stack["database_url"],
        endpoint=stack["s3_endpoint"],
        jwt_secret="",  # only the API functions sign tokens
        admin_email=stack["admin_email"],
    )
    container = LambdaContainer(args.function, env=env, log_dir=state / "logs")
    try:
        result = container.invoke(event)
    except InvocationError as exc:
        print(f"{args.function} failed: {exc} (logs: {state / 'logs' / (args.function + '.log')})", file=sys.stderr)
        return 1
    finally:
        container.stop()
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
