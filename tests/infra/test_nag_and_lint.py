"""cdk-nag findings fail synthesis; the synthesized template is cfn-lint clean."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Stack, Validations
from aws_cdk import aws_sqs as sqs
from cdk_nag import AwsSolutionsChecks

from tests.infra.conftest import Synth

# W3005: CDK writes DependsOn that cfn-lint deems redundant. W3010: the availability zones are
# explicit on purpose (synth needs no AWS lookup; docs/deploy.md says how to change them).
CFN_LINT_IGNORED = ["W3005", "W3010"]


def nag_report(synth: Synth) -> dict[str, Any]:
    return json.loads((synth.assembly_dir / "validation-report.json").read_text())


def test_an_unacknowledged_finding_fails_synthesis() -> None:
    # given an app with the same plugin and a resource that breaks AwsSolutions rules
    app = App(context={"aws:cdk:bundling-stacks": []})
    stack = Stack(app, "Bad")
    sqs.Queue(stack, "PlainQueue")  # no DLQ, no TLS-only policy
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    # when / then
    with pytest.raises(RuntimeError, match=r"(?s)AwsSolutions-SQS3.*AwsSolutions-SQS4"):
        app.synth()


def test_both_configurations_synthesize_with_every_finding_acknowledged(full: Synth, minimal: Synth) -> None:
    # Reaching here means synthesis ran the AwsSolutions pack and raised nothing.
    for synth in (full, minimal):
        (nag,) = [p for p in nag_report(synth)["pluginReports"] if p["pluginName"] == "AwsSolutions"]
        assert nag["conclusion"] == "success"
        assert nag["violations"] == []


def test_every_acknowledgement_states_a_reason(full: Synth, minimal: Synth) -> None:
    for synth in (full, minimal):
        (nag,) = [p for p in nag_report(synth)["pluginReports"] if p["pluginName"] == "AwsSolutions"]
        suppressed = nag["suppressedViolations"]
        assert suppressed
        for finding in suppressed:
            assert finding["acknowledgedId"].startswith("AwsSolutions::AwsSolutions-"), finding
            assert len(finding["reason"]) >= 30, finding["acknowledgedId"]


def test_production_needs_no_database_availability_acknowledgements(full: Synth) -> None:
    (nag,) = [p for p in nag_report(full)["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    acknowledged = {finding["ruleName"] for finding in nag["suppressedViolations"]}
    assert not acknowledged & {"AwsSolutions-RDS3", "AwsSolutions-RDS10"}


def test_template_is_cfn_lint_clean(full: Synth) -> None:
    # The full configuration is a superset of the minimal one (every optional resource on).
    from cfnlint.api import ManualArgs, lint

    matches = lint(
        json.dumps(full.template),
        config=ManualArgs(regions=[full.stack.settings.region], ignore_checks=CFN_LINT_IGNORED),
    )
    assert [f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})" for m in matches] == []
