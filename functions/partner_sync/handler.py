"""Scheduled (EventBridge): copy new objects from the partner bucket into the landing bucket."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.aws.runtime import object_store
from shared.db.connection import container_database
from shared.ingestion.partner_sync import sync_partner_objects
from shared.observability import logger, metrics, tracer
from shared.settings import get_settings


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    report = sync_partner_objects(settings=settings, db=container_database(settings), store=object_store())
    return report.to_dict()
