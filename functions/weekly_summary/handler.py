"""Scheduled: the weekly summaries of the previous week for every active client, then the digest."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.aws.runtime import email_sender
from shared.db.connection import container_database
from shared.observability import logger, metrics, tracer
from shared.settings import get_settings
from shared.summaries.periods import WEEKLY
from shared.summaries.schedule import ScheduleEvent, run_scheduled


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    metrics.add_metric(name="SummaryRunsRequested", unit="Count", value=1)
    request = ScheduleEvent.model_validate(event)
    settings = get_settings()
    return run_scheduled(WEEKLY, request, settings=settings, db=container_database(settings), sender=email_sender())
