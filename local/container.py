"""Warm "Lambda containers": one subprocess per function, invoked one event at a time.

Each function runs in its own process with its own environment (the API functions connect
as `dash_api`, the workers as `dash_worker`), imports its handler once and keeps its module
state (database connection, boto3 clients, settings) between invocations, exactly like a
warm Lambda container. The parent sends one JSON event per line on the child's stdin and
reads one JSON reply per line from a private copy of the child's original stdout; the
handler's own stdout/stderr (Powertools logs) go to `<state dir>/logs/<function>.log`.

Run as `python -m local.container <handler module> <log file>` (the parent does this).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import IO, Any

from local.context import LambdaContext

REPO_ROOT = Path(__file__).resolve().parent.parent


class InvocationError(Exception):
    """The handler raised (the reply carries its type and message), or the container died."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message


class LambdaContainer:
    """Parent-side handle of one function's subprocess. Thread-safe: invocations are
    serialised by a lock, as a Lambda container handles one event at a time."""

    def __init__(self, function: str, *, env: dict[str, str], log_dir: Path, module: str | None = None) -> None:
        self.function = function
        self.module = module or f"functions.{function}.handler"
        self._env = env
        self._log_file = log_dir / f"{function}.log"
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._closed = False

    def _start(self) -> subprocess.Popen[bytes]:
        self._log_file.parent.mkdir(parents=True, exist_ok=True)
        return subprocess.Popen(
            [sys.executable, "-m", "local.container", self.module, str(self._log_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=self._env,
            cwd=REPO_ROOT,
            # Its own session: a Ctrl-C in the terminal reaches only the demo process, which
            # then stops the containers in order.
            start_new_session=True,
        )

    def start(self) -> None:
        """Start the process now (a cold start) instead of on the first invocation."""
        with self._lock:
            if self._process is None and not self._closed:
                self._process = self._start()

    def invoke(self, event: dict[str, Any]) -> Any:
        """Run the handler on `event` and return its result (raises `InvocationError`)."""
        with self._lock:
            if self._closed:
                raise InvocationError("ContainerStopped", f"{self.function} is stopped")
            process = self._process
            if process is None or process.poll() is not None:
                process = self._process = self._start()
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(json.dumps(event).encode("utf-8") + b"\n")
                process.stdin.flush()
                line = process.stdout.readline()
            except OSError:  # BrokenPipeError: it died before reading the event
                line = b""
            if not line:
                # Dead (crashed, killed, or its handler failed to import): the next event
                # gets a fresh process, like a new cold Lambda container.
                self._process = None
                _reap(process)
                raise InvocationError("ContainerDied", f"{self.function} exited (see {self._log_file})")
            reply = json.loads(line)
        if "error" in reply:
            raise InvocationError(reply["error"]["type"], reply["error"]["message"])
        return reply["result"]

    def stop(self, timeout: float = 5.0) -> None:
        """Close the container: EOF on stdin ends its loop; terminate/kill if it lingers."""
        self._closed = True
        process, self._process = self._process, None
        if process is not None:
            _reap(process, timeout=timeout)


def _reap(process: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    """Close the pipes and wait for the process; terminate, then kill, if it lingers."""
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


# ---------------------------------------------------------------- child side


def _serve(module_name: str, requests: IO[bytes], replies: IO[bytes]) -> None:
    handler = importlib.import_module(module_name).lambda_handler
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or module_name
    for line in requests:
        if not line.strip():
            continue
        event = json.loads(line)
        context = LambdaContext(function_name=function_name)
        try:
            reply: dict[str, Any] = {"result": handler(event, context)}
        except Exception as exc:  # noqa: BLE001 - reported to the caller like the Lambda runtime does
            traceback.print_exc()
            reply = {"error": {"type": type(exc).__name__, "message": str(exc)}}
        # Same rule as the Lambda runtime: the result must be JSON; default=str keeps the
        # container alive if a handler returns a Decimal or a date by mistake.
        replies.write(json.dumps(reply, default=str).encode("utf-8") + b"\n")
        replies.flush()


def main(argv: list[str]) -> int:
    module_name, log_path = argv
    # Keep the protocol channel private, then send everything the handler prints to the log.
    replies = os.fdopen(os.dup(1), "wb")
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop (stdin EOF)
    try:
        _serve(module_name, sys.stdin.buffer, replies)
    except Exception:  # noqa: BLE001 - an import error: logged, the parent sees EOF
        traceback.print_exc()
        code = 1
    else:
        code = 0
    # Like a Lambda container being reclaimed: no interpreter teardown (it takes a second
    # per process); the OS closes the database connection and the files.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
