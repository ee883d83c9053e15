"""Daily (EventBridge): alert once per active client with no data for the previous reporting day."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.aws.runtime import email_sender
from shared.db.connection import container_database
from shared.ingestion.missing_files import check_missing_files
from shared.observability import logger, metrics, tracer
from shared.settings import get_settings


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    report = check_missing_files(settings=settings, db=container_database(settings), sender=email_sender())
    return report.to_dict()
