"""API: /clients* — the client dashboard (overview, drill-down, series, summaries, exports)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.api.app import create_resolver, serve
from shared.api.routes import clients
from shared.observability import logger, metrics, tracer

app = create_resolver(clients.router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
