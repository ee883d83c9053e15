"""Synthesize the CDK app ONCE per session (jsii synthesis costs seconds) in two shapes.

- `full`: stage prod with every optional feature on (alerts, partner bucket, CORS, reserved
  concurrency), used by most assertions;
- `minimal`: the `cdk.json` defaults (stage dev, nothing optional, no web build), for what
  must be absent.

Both run cdk-nag's AwsSolutions checks: synthesis raises on any unacknowledged finding.
Bundling is skipped (the layer build itself is tested in test_layer.py).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB_BUILD = Path(__file__).resolve().parent / "web_build"
NO_WEB_BUILD = Path(__file__).resolve().parent / "no_web_build"  # never created: `make web` not run
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

FULL_CONTEXT: dict[str, Any] = {
    "stage": "prod",
    "region": "eu-west-1",
    "account": "123456789012",
    "alertSender": "alerts@agency.example",
    "alertRecipients": "ops@agency.example,lead@agency.example",
    "partnerBucket": "partner-drop-bucket",
    "partnerPrefix": "agency/daily/",
    "partnerWriterArns": "arn:aws:iam::210987654321:role/partner-uploader",
    "reportingTimezone": "America/New_York",
    "missingFileCheckHour": 10,
    "corsOrigins": "https://dashboard.agency.example",
    "ingestReservedConcurrency": 5,
    # A tiny stand-in for `make web`'s output (index.html, assets/, its own config.json).
    "webDist": str(WEB_BUILD),
}


@dataclass
class Synth:
    stack: Any
    template: dict[str, Any]
    assembly_dir: Path

    def resources(self, type_name: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template["Resources"].items() if v["Type"] == type_name}

    def logical_id(self, construct: Any) -> str:
        return str(self.stack.get_logical_id(construct.node.default_child))


def cdk_json_context() -> dict[str, Any]:
    return dict(json.loads((ROOT / "cdk.json").read_text())["context"])


def synthesize(overrides: dict[str, Any]) -> Synth:
    from infra.app_factory import build_app

    context = {**cdk_json_context(), **overrides, "aws:cdk:bundling-stacks": []}
    # Settings come from context only (no DASHBOARD_* variables leaking in from the shell).
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DASHBOARD_", "CDK_DEFAULT_"))}
    app, stack = build_app(context, environ)
    assembly = app.synth()
    template = assembly.get_stack_by_name(stack.stack_name).template
    return Synth(stack=stack, template=template, assembly_dir=Path(assembly.directory))


@pytest.fixture(scope="session")
def full() -> Synth:
    return synthesize(FULL_CONTEXT)


@pytest.fixture(scope="session")
def minimal() -> Synth:
    return synthesize({"webDist": str(NO_WEB_BUILD)})
