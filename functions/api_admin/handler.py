"""API: /admin/* (the admin portal)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.api import deps
from shared.api.app import create_resolver, serve
from shared.api.routes import admin, ledger
from shared.auth.bootstrap import bootstrap_event
from shared.observability import logger, metrics, tracer

app = create_resolver(admin.router, ledger.router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "bootstrap_admin" in event:  # a direct invocation creating the first admin (docs/api.md)
        return bootstrap_event(event, db=deps.database(), settings=deps.settings())
    return serve(app, event, context)
