"""S3 ObjectCreated -> load each partner CSV into daily_metrics (exactly once per file content).

Raises only when the database is unreachable, so Lambda retries the event; every other
problem is a `failed` run with an alert, reported in the returned summary.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus
from uuid import UUID

from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.aws.runtime import email_sender, object_store
from shared.db.connection import container_database
from shared.ingestion.limits import Deadline
from shared.ingestion.service import ingest_objects
from shared.observability import logger, metrics, tracer
from shared.settings import get_settings

# The S3 request id of the first record: ties the logs to the upload that caused them.
CORRELATION_PATH = 'Records[0].responseElements."x-amz-request-id"'


def objects_of(event: S3Event) -> list[tuple[str, str]]:
    """(bucket, key) of every record; keys arrive URL-encoded (`+` for a space)."""
    return [(record.s3.bucket.name, unquote_plus(record.s3.get_object.key)) for record in event.records]


def retry_of(event: dict[str, Any]) -> UUID | None:
    """The run an admin retry repeats (`shared.aws.lambda_invoke.retry_event` adds it)."""
    value = event.get("retry_of")
    if value is None:
        return None
    try:
        return UUID(str(value))
    except ValueError:
        logger.warning("ignoring a malformed retry_of")
        return None


@logger.inject_lambda_context(correlation_id_path=CORRELATION_PATH, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    results = ingest_objects(
        objects_of(S3Event(event)),
        retry_of=retry_of(event),
        settings=settings,
        db=container_database(settings),
        store=object_store(),
        sender=email_sender(),
        deadline=Deadline.of_lambda(
            context.get_remaining_time_in_millis(), margin_seconds=settings.ingest_time_margin_seconds
        ),
    )
    return {"results": [result.to_dict() for result in results]}
