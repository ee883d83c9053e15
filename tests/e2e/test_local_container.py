"""Warm "Lambda containers" of the local stack: one process per function, one event at a time."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from local.container import InvocationError, LambdaContainer

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def container(tmp_path: Path) -> Any:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPO_ROOT),
        "DB_USER": "dash_worker",
        "AWS_LAMBDA_FUNCTION_NAME": "local-fake",
    }
    handle = LambdaContainer("fake", env=env, log_dir=tmp_path, module="tests.e2e.fake_handler")
    yield handle
    handle.stop()


def test_warm_container_keeps_state_and_its_own_environment(container: LambdaContainer, tmp_path: Path) -> None:
    first = container.invoke({"echo": "é ünïcode \n newline"})
    second = container.invoke({"echo": 2})
    assert first["echo"] == "é ünïcode \n newline"
    assert (first["invocations"], second["invocations"]) == (1, 2)  # module state survives: warm
    assert first["pid"] == second["pid"] != os.getpid()
    assert first["db_user"] == "dash_worker"  # the container's environment, not the parent's
    assert first["function_name"] == "local-fake"
    assert first["request_id"] != second["request_id"]
    assert first["remaining_ms"] > 0
    assert "fake handler invoked" in (tmp_path / "fake.log").read_text()


def test_a_raising_handler_is_an_invocation_error_and_the_container_lives_on(
    container: LambdaContainer, tmp_path: Path
) -> None:
    before = container.invoke({})
    with pytest.raises(InvocationError) as raised:
        container.invoke({"action": "raise"})
    assert (raised.value.error_type, raised.value.message) == ("ValueError", "bad event")
    after = container.invoke({})
    assert after["pid"] == before["pid"]
    assert "Traceback" in (tmp_path / "fake.log").read_text()


def test_a_dead_container_is_replaced_by_a_cold_one(container: LambdaContainer) -> None:
    warm = container.invoke({})
    with pytest.raises(InvocationError) as died:
        container.invoke({"action": "die"})
    assert died.value.error_type == "ContainerDied"
    cold = container.invoke({})
    assert cold["pid"] != warm["pid"]
    assert cold["invocations"] == 1


def test_invocations_are_serialised(container: LambdaContainer) -> None:
    results: list[int] = []

    def call() -> None:
        results.append(container.invoke({})["invocations"])

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [1, 2, 3, 4, 5, 6]  # one at a time, no reply mixed up


def test_stop_ends_the_process_and_refuses_more_work(container: LambdaContainer) -> None:
    pid = container.invoke({})["pid"]
    container.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(InvocationError):
        container.invoke({})


def test_a_missing_handler_module_fails_cleanly(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO_ROOT)}
    broken = LambdaContainer("nope", env=env, log_dir=tmp_path, module="tests.e2e.no_such_module")
    try:
        with pytest.raises(InvocationError) as failed:
            broken.invoke({})
        assert failed.value.error_type == "ContainerDied"
        assert "ModuleNotFoundError" in (tmp_path / "nope.log").read_text()
    finally:
        broken.stop()
