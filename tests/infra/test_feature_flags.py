"""cdk.json sets every feature flag aws-cdk-lib recommends (the CLI's "feature flags are not
configured" notice stays away), each at its recommended value unless listed below with why.
The prod and dev synths of tests/infra are what prove the flags deploy-safe."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import aws_cdk

from tests.infra.conftest import cdk_json_context

# flag -> (the value we keep, why). Empty: every recommended value is in use.
KEPT_AT_ANOTHER_VALUE: dict[str, tuple[Any, str]] = {}


def recommended_flags() -> dict[str, Any]:
    """aws-cdk-lib's own list, read from the jsii bundle this venv runs."""
    (bundle,) = (Path(aws_cdk.__file__).parent / "_jsii").glob("aws-cdk-lib@*.jsii.tgz")
    with tarfile.open(bundle) as archive:
        member = archive.extractfile("package/recommended-feature-flags.json")
        assert member is not None
        return dict(json.load(member))


def test_every_recommended_flag_is_set() -> None:
    context = cdk_json_context()
    recommended = recommended_flags()
    assert len(recommended) > 50
    missing = sorted(set(recommended) - set(context))
    assert missing == []
    differ = {flag: context[flag] for flag, value in recommended.items() if context[flag] != value}
    assert differ == {flag: kept for flag, (kept, _) in KEPT_AT_ANOTHER_VALUE.items()}


def test_cloudformation_schema_validation_is_an_error() -> None:
    # With this flag a template CloudFormation would refuse (e.g. Tags on the RDS Proxy target
    # group) fails synthesis instead of printing a warning.
    assert cdk_json_context()["@aws-cdk/core:validateAgainstDefaultRules"] is True
