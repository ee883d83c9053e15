"""Builds the CDK app: used by `app.py` (cdk synth/deploy) and by tests/infra."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import App, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from infra.config import DeploySettings
from infra.nag import acknowledge_findings
from infra.stack import DashboardStack
from infra.web import WEB_DIST


def build_app(
    context: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[App, DashboardStack]:
    """The app with its one stack, cdk-nag's AwsSolutions checks and our acknowledgements."""
    app = App(context=dict(context) if context is not None else None)
    settings = DeploySettings.from_context(app.node.try_get_context, environ)
    allow_missing = str(app.node.try_get_context("allowMissingFunctions")).lower() == "true"
    # The built web app to deploy (tests point it at a fixture build or at nothing).
    web_dist = Path(app.node.try_get_context("webDist") or WEB_DIST)
    stack = DashboardStack(
        app,
        settings.stack_name,
        settings=settings,
        allow_missing_functions=allow_missing,
        web_dist=web_dist,
        env=Environment(account=settings.account, region=settings.region),
        description="Paid media performance dashboard backend (paid-media-dashboard)",
        termination_protection=settings.is_production,
    )
    # cdk-nag 3.x runs as a policy-validation plugin: an unacknowledged finding fails synth.
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    acknowledge_findings(stack)
    return app, stack
