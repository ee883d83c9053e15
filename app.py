#!/usr/bin/env python3
"""CDK entry point (`cdk synth`, `cdk deploy`). Settings: cdk.json context, see docs/deploy.md."""

from infra.app_factory import build_app

app, _stack = build_app()
app.synth()
