"""Build the shared Lambda layer without Docker: `shared/` plus the pinned runtime dependencies.

The layer is laid out as Lambda expects (`python/` on the import path) and holds
`[project].dependencies` from `pyproject.toml`, installed as manylinux wheels for the Lambda
runtime's Python version and CPU architecture (cross-platform install, so it works on any
build machine), plus a copy of the `shared/` package.

Used by `make layer` (writes `layers/build/`) and by the CDK stack's local bundling (writes
into the asset staging directory). Plain Python: no CDK imports.
"""

from __future__ import annotations

import argparse
import compileall
import glob
import hashlib
import os
import py_compile
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = ROOT / "shared"
PYPROJECT = ROOT / "pyproject.toml"
DEFAULT_OUTPUT = ROOT / "layers" / "build"

PYTHON_VERSION = "3.12"  # must match the functions' runtime (infra: Runtime.PYTHON_3_12)
# Lambda's python3.12 runtime runs on Amazon Linux 2023 (glibc 2.34): any wheel tagged for
# glibc <= 2.34 runs there. uv takes the ceiling; pip needs every tag listed (psycopg-binary
# 3.3 ships aarch64 wheels tagged manylinux_2_28 only, so manylinux2014 alone finds none).
PLATFORMS = {"arm64": "aarch64-manylinux_2_34", "x86_64": "x86_64-manylinux_2_34"}
PIP_PLATFORMS = {
    arch: [f"manylinux_2_{minor}_{machine}" for minor in (34, 28, 17)] + [f"manylinux2014_{machine}"]
    for arch, machine in (("arm64", "aarch64"), ("x86_64", "x86_64"))
}
# Provided by the Lambda Python runtime; dropping them keeps the layer small (~30 MB less).
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")


def runtime_dependencies(pyproject: Path = PYPROJECT) -> list[str]:
    """The pinned `[project].dependencies` of pyproject.toml (what the functions import)."""
    with pyproject.open("rb") as handle:
        data = tomllib.load(handle)
    return list(data["project"]["dependencies"])


def source_files(shared_dir: Path = SHARED_DIR) -> list[Path]:
    """The files of `shared/` that go into the layer, in a stable order."""
    return sorted(
        p
        for p in shared_dir.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    )


def content_hash(architecture: str, shared_dir: Path = SHARED_DIR, pyproject: Path = PYPROJECT) -> str:
    """A hash of everything the layer is built from: a new layer version iff this changes."""
    digest = hashlib.sha256()
    digest.update(f"python{PYTHON_VERSION}/{architecture}\n".encode())
    for dependency in runtime_dependencies(pyproject):
        digest.update(dependency.encode() + b"\n")
    for path in source_files(shared_dir):
        digest.update(str(path.relative_to(shared_dir)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _project_tool(name: str) -> str | None:
    """`name` from the interpreter's own environment (the project's `.venv/bin`), never from PATH:
    a build must not depend on a tool that happens to be installed globally on one machine."""
    return shutil.which(name, path=str(Path(sys.executable).parent))


def _install_command(
    target: Path, architecture: str, dependencies: list[str], python_version: str = PYTHON_VERSION
) -> list[str]:
    uv = _project_tool("uv")
    if uv:
        return [
            uv, "pip", "install", "--quiet", "--target", str(target),
            "--python-platform", PLATFORMS[architecture], "--python-version", python_version,
            "--only-binary", ":all:", "--no-compile", *dependencies,
        ]  # fmt: skip
    platforms = [arg for tag in PIP_PLATFORMS[architecture] for arg in ("--platform", tag)]
    return [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", str(target),
        *platforms, "--implementation", "cp", "--python-version", python_version,
        "--only-binary=:all:", "--no-compile", *dependencies,
    ]  # fmt: skip


def runtime_interpreter() -> str | None:
    """A Python of the runtime's version to compile the layer's bytecode with: this one if it
    is, else $LAYER_PYTHON, `python3.12` on PATH or a pyenv 3.12; None if there is none."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == PYTHON_VERSION:
        return sys.executable
    candidates = [
        os.environ.get("LAYER_PYTHON", ""),
        shutil.which(f"python{PYTHON_VERSION}") or "",
        *sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{PYTHON_VERSION}.*/bin/python")), reverse=True),
    ]
    for candidate in filter(None, candidates):
        probe = subprocess.run(  # noqa: S603 - an interpreter path, no shell
            [candidate, "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == PYTHON_VERSION:
            return candidate
    return None


def compile_bytecode(python_dir: Path, *, python: str | None = None) -> bool:
    """Precompile every module of the layer with a Python of the runtime's version (this
    interpreter, or `python`, or `runtime_interpreter()`); False (nothing written) when there
    is none, since bytecode of another version would be ignored.

    Lambda's /opt is read-only: without .pyc files every cold start compiles each imported
    module again (and cannot cache it). Hash-based, unchecked .pyc: valid whatever the
    files' timestamps become in the zip and on /opt.
    """
    interpreter = python or runtime_interpreter()
    if interpreter is None:
        return False
    if interpreter == sys.executable:
        return bool(
            compileall.compile_dir(
                str(python_dir), quiet=2, workers=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
            )
        )
    command = [interpreter, "-m", "compileall", "-q", "-q", "--invalidation-mode", "unchecked-hash", str(python_dir)]
    return subprocess.run(command, check=False).returncode == 0  # noqa: S603


# Packages whose `version.py` asks importlib.metadata for their own version at import.
_VERSION_LOOKUPS = {"psycopg": "psycopg", "psycopg_binary": "psycopg_binary"}


def freeze_distribution_versions(python_dir: Path) -> None:
    """psycopg and psycopg-binary look their own version up with importlib.metadata at
    import, which pulls in importlib.metadata, email, zipfile and calendar (~10% of a
    handler's cold import): the layer's copies state the version the wheels were built as,
    read from their METADATA here, at build time. Same value, no lookup."""
    for package, dist_name in _VERSION_LOOKUPS.items():
        module = python_dir / package / "version.py"
        for dist_info in python_dir.glob(f"{dist_name}-*.dist-info"):
            metadata = (dist_info / "METADATA").read_text(encoding="utf-8")
            version = next(
                line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Version:")
            )
            if module.exists():
                module.write_text(
                    f'"""{package} distribution version (frozen by layers/build.py)."""\n\n__version__ = "{version}"\n',
                    encoding="utf-8",
                )


def build_layer(output_dir: Path, *, architecture: str = "arm64", python_version: str = PYTHON_VERSION) -> Path:
    """Build the layer into `output_dir/python` (emptied first); return that directory.

    `python_version` other than the runtime's is only for measuring on a build machine
    (bench/api.py builds one for its own interpreter).
    """
    if architecture not in PLATFORMS:
        raise ValueError(f"unsupported architecture {architecture!r}; use one of {sorted(PLATFORMS)}")
    python_dir = output_dir / "python"
    if python_dir.exists():
        shutil.rmtree(python_dir)
    python_dir.mkdir(parents=True)
    command = _install_command(python_dir, architecture, runtime_dependencies(), python_version)
    subprocess.run(command, check=True)  # noqa: S603
    for name in RUNTIME_PROVIDED:
        for path in [python_dir / name, *python_dir.glob(f"{name}-*.dist-info")]:
            if path.exists():
                shutil.rmtree(path)
    freeze_distribution_versions(python_dir)
    shutil.copytree(SHARED_DIR, python_dir / "shared", ignore=_IGNORED)
    return python_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the shared Lambda layer without Docker.")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--architecture", choices=sorted(PLATFORMS), default="arm64")
    args = parser.parse_args(argv)
    python_dir = build_layer(args.output, architecture=args.architecture)
    if compile_bytecode(python_dir):
        print(f"precompiled the layer's modules for cpython-{PYTHON_VERSION.replace('.', '')}")
    else:
        print(
            f"no .pyc: no Python {PYTHON_VERSION} found (this interpreter, $LAYER_PYTHON, python{PYTHON_VERSION},"
            " pyenv); every cold start compiles the modules it imports"
        )
    size = sum(p.stat().st_size for p in python_dir.rglob("*") if p.is_file())
    print(f"layer built in {python_dir} ({size / 1_048_576:.1f} MiB unzipped, {args.architecture})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
