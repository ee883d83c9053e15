"""The layer builder (no Docker) and the deployment settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.config import ConfigError, DeploySettings
from layers import build


def test_layer_installs_pyproject_runtime_dependencies_for_the_lambda_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a fake installer that records the command and drops a runtime-provided package
    calls: list[list[str]] = []

    def fake_run(command: list[str], check: bool) -> Any:
        calls.append(command)
        target = Path(command[command.index("--target") + 1])
        (target / "pydantic").mkdir()
        (target / "botocore").mkdir()
        (target / "botocore-1.0.dist-info").mkdir()
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(build.subprocess, "run", fake_run)
    # when
    python_dir = build.build_layer(tmp_path, architecture="arm64")
    # then
    (command,) = calls
    assert set(build.runtime_dependencies()) <= set(command)
    assert any("psycopg[binary]==" in part for part in command)
    joined = " ".join(command)
    assert "aarch64" in joined and "3.12" in joined and ":all:" in joined
    assert (python_dir / "shared" / "settings.py").is_file()
    assert (python_dir / "shared" / "db" / "migrations" / "0001_schema.sql").is_file()
    assert not list(python_dir.rglob("__pycache__"))
    assert (python_dir / "pydantic").is_dir()
    assert not (python_dir / "botocore").exists() and not (python_dir / "botocore-1.0.dist-info").exists()


def test_layer_builder_runs_tools_from_the_project_environment_never_from_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a PATH whose only tool is a decoy `uv` (a globally installed tool on one machine)
    decoy = tmp_path / "bin" / "uv"
    decoy.parent.mkdir()
    decoy.write_text("#!/bin/sh\nexit 1\n")
    decoy.chmod(0o755)
    monkeypatch.setenv("PATH", str(decoy.parent))
    # when
    command = build._install_command(tmp_path / "out", "arm64", ["pydantic==2.14.3"])
    # then the installer is the project's own (`.venv/bin/uv`, or this interpreter's pip)
    executable = Path(command[0])
    assert executable != decoy
    assert executable.parent == Path(sys.executable).parent


@pytest.mark.parametrize(("architecture", "machine"), [("arm64", "aarch64"), ("x86_64", "x86_64")])
def test_pip_fallback_accepts_every_wheel_tag_amazon_linux_2023_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, architecture: str, machine: str
) -> None:
    # given no uv in the project environment
    monkeypatch.setattr(build, "_project_tool", lambda name: None)
    # when
    command = build._install_command(tmp_path, architecture, ["psycopg[binary]==3.3.9"])
    # then pip may pick glibc 2.34, 2.28 (psycopg-binary 3.3's only aarch64 tag) and 2014 wheels
    assert command[:3] == [sys.executable, "-m", "pip"]
    platforms = [command[i + 1] for i, part in enumerate(command) if part == "--platform"]
    assert platforms == [f"manylinux_2_34_{machine}", f"manylinux_2_28_{machine}", f"manylinux_2_17_{machine}",
                         f"manylinux2014_{machine}"]  # fmt: skip


def test_layer_rejects_an_unknown_architecture(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="architecture"):
        build.build_layer(tmp_path, architecture="sparc")


def test_layer_hash_changes_with_shared_code_dependencies_and_architecture(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "a.py").write_text("x = 1\n")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["pydantic==2.14.3"]\n')
    base = build.content_hash("arm64", shared, pyproject)
    assert build.content_hash("arm64", shared, pyproject) == base  # stable
    (shared / "__pycache__").mkdir()
    (shared / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"junk")
    assert build.content_hash("arm64", shared, pyproject) == base  # bytecode ignored
    assert build.content_hash("x86_64", shared, pyproject) != base
    (shared / "a.py").write_text("x = 2\n")
    changed_code = build.content_hash("arm64", shared, pyproject)
    assert changed_code != base
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["pydantic==2.14.4"]\n')
    assert build.content_hash("arm64", shared, pyproject) != changed_code


def test_local_bundling_builds_the_layer_and_never_falls_back_to_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    import infra.layer as layer

    built: list[tuple[Path, str]] = []
    monkeypatch.setattr(layer, "build_layer", lambda path, architecture: built.append((path, architecture)))
    assert layer.SharedLayerBundling().try_bundle("/tmp/out", None) is True
    assert built == [(Path("/tmp/out"), "arm64")]


def context_getter(values: dict[str, Any]) -> Any:
    return values.get


def test_settings_defaults_match_cdk_json() -> None:
    from tests.infra.conftest import cdk_json_context

    settings = DeploySettings.from_context(context_getter(cdk_json_context()), environ={})
    assert settings == DeploySettings().validate()
    assert settings.zones == ("us-east-1a", "us-east-1b")
    assert settings.stack_name == "PaidMediaDashboard-dev"


def test_settings_environment_overrides_context() -> None:
    settings = DeploySettings.from_context(
        context_getter({"alertSender": "a@x.example", "stage": "dev"}),
        environ={
            "DASHBOARD_ALERT_SENDER": "b@y.example",
            "DASHBOARD_STAGE": "prod",
            "DASHBOARD_ALERT_RECIPIENTS": "c@y.example, d@y.example",
            "CDK_DEFAULT_REGION": "eu-central-1",
        },
    )
    assert settings.alert_sender == "b@y.example"
    assert settings.is_production
    assert settings.alert_recipients == ("c@y.example", "d@y.example")
    assert settings.zones == ("eu-central-1a", "eu-central-1b")


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"stage": "Prod!"}, "stage"),
        ({"alertSender": "not-an-email"}, "alertSender"),
        ({"alertRecipients": "ok@x.example,bad"}, "alertRecipients"),
        ({"partnerBucket": "Bad_Bucket"}, "partnerBucket"),
        ({"partnerPrefix": "/abs"}, "partnerPrefix"),
        ({"reportingTimezone": "Mars/Olympus"}, "reportingTimezone"),
        ({"missingFileCheckHour": 24}, "missingFileCheckHour"),
        ({"corsOrigins": "dashboard.example"}, "corsOrigins"),
        ({"corsOrigins": "https://x.example/path"}, "corsOrigins"),
        ({"availabilityZones": "us-east-1a"}, "availabilityZones"),
        ({"dbAllocatedStorageGiB": 10}, "dbAllocatedStorageGiB"),
        ({"ingestReservedConcurrency": 0}, "ingestReservedConcurrency"),
        ({"logRetentionDays": 3}, "logRetentionDays"),
        ({"partnerWriterArns": "arn:aws:iam::123:role/x"}, "partnerWriterArns"),
        ({"partnerWriterArns": "*"}, "partnerWriterArns"),
    ],
)
def test_invalid_settings_fail_before_synthesis(context: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        DeploySettings.from_context(context_getter(context), environ={})


def test_layer_bytecode_is_compiled_only_for_the_runtime_version(tmp_path, monkeypatch):
    import importlib.util
    import sys

    from layers import build

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("VALUE = 1\n")
    monkeypatch.setattr(build, "PYTHON_VERSION", "2.7")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no pyenv, no python2.7 on PATH
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.delenv("LAYER_PYTHON", raising=False)
    assert build.runtime_interpreter() is None
    assert build.compile_bytecode(tmp_path) is False
    assert not list(tmp_path.rglob("*.pyc"))

    monkeypatch.setattr(build, "PYTHON_VERSION", f"{sys.version_info.major}.{sys.version_info.minor}")
    assert build.compile_bytecode(tmp_path) is True
    [pyc] = list(tmp_path.rglob("*.pyc"))
    assert pyc.name == f"mod.{sys.implementation.cache_tag}.pyc"
    flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
    assert flags == 0b01, "hash-based and unchecked: valid whatever the timestamps on /opt"
    assert importlib.util.source_hash((tmp_path / "pkg" / "mod.py").read_bytes()) == pyc.read_bytes()[8:16]


def test_layer_bytecode_is_compiled_by_a_runtime_python_found_beside_the_build_one(tmp_path):
    """The build interpreter is not 3.12 (CI may only have 3.11): a Python 3.12 found on the
    machine compiles the layer, so its .pyc are the runtime's (cpython-312)."""
    import sys

    from layers import build

    interpreter = build.runtime_interpreter()
    if interpreter is None:
        pytest.skip(f"no Python {build.PYTHON_VERSION} on this machine")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("VALUE = 1\n")
    assert build.compile_bytecode(tmp_path) is True
    tags = {p.name.split(".")[1] for p in tmp_path.rglob("*.pyc")}
    assert tags == {"cpython-" + build.PYTHON_VERSION.replace(".", "")}, (tags, sys.version)


def test_the_layer_states_psycopg_binary_version_without_importlib_metadata(tmp_path):
    from layers import build

    (tmp_path / "psycopg_binary").mkdir()
    (tmp_path / "psycopg_binary" / "version.py").write_text("from importlib import metadata\n")
    (tmp_path / "psycopg_binary-3.3.9.dist-info").mkdir()
    (tmp_path / "psycopg_binary-3.3.9.dist-info" / "METADATA").write_text("Name: psycopg-binary\nVersion: 3.3.9\n")
    build.freeze_distribution_versions(tmp_path)
    text = (tmp_path / "psycopg_binary" / "version.py").read_text()
    assert '__version__ = "3.3.9"' in text and "importlib" not in text
