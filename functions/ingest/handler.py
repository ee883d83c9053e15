"""S3 ObjectCreated -> load each partner CSV into daily_metrics (SPEC §3: the newest upload
of each (client, date) wins, whatever order the events arrive in, however often).

Raises only when the database is unreachable (or the load crashed), so Lambda retries the
event; every other problem is a `failed` run with an alert, reported in the returned summary.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.aws.runtime import email_sender, object_store
from shared.db.connection import container_database
from shared.ingestion.limits import Deadline
from shared.ingestion.objects import UploadedObject, uploaded_objects
from shared.ingestion.service import ingest_objects
from shared.observability import logger, metrics, tracer
from shared.settings import get_settings

# The S3 request id of the first record: ties the logs to the upload that caused them.
CORRELATION_PATH = 'Records[0].responseElements."x-amz-request-id"'


def objects_of(event: dict[str, Any]) -> list[UploadedObject]:
    """The objects of every record (keys URL-decoded, with version, sequencer, event time)."""
    return uploaded_objects(event)


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
        objects_of(event),
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
