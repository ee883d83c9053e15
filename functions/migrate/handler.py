"""Deploy time: apply the SQL migrations (CloudFormation custom resource); by hand: the same.

Events:
- CloudFormation (through the CDK Provider framework): `RequestType` Create/Update apply the
  pending migrations with the runner behind `make migrate` and set the application roles'
  passwords from their secrets; Delete is a no-op (the database goes with its stack).
- `{"action": "migrate"}`: the same, e.g. after putting a new role password in its secret.

Connects as the master user (DATABASE_SECRET_ARN). The first admin is created through the
admin API function instead (`{"bootstrap_admin": ...}`, docs/api.md and docs/deploy.md).
"""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, ValidationError

from shared.aws.secrets import get_json_secret
from shared.db.connection import conninfo_from_settings
from shared.db.migrate import migrate
from shared.errors import ConfigurationError, InvalidInput
from shared.observability import logger, metrics, tracer
from shared.settings import Settings, get_settings

PHYSICAL_RESOURCE_ID = "paid-media-dashboard-migrations"


class CustomResourceEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    RequestType: Literal["Create", "Update", "Delete"]
    RequestId: str | None = None
    PhysicalResourceId: str | None = None


class OperatorAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["migrate"]


def _role_passwords(settings: Settings) -> dict[str, str]:
    passwords: dict[str, str] = {}
    for arn in (settings.api_role_secret_arn, settings.worker_role_secret_arn):
        if not arn:
            raise ConfigurationError("API_ROLE_SECRET_ARN and WORKER_ROLE_SECRET_ARN must be set")
        secret = get_json_secret(arn)
        passwords[secret["username"]] = secret["password"]
    return passwords


def apply_migrations(settings: Settings) -> list[str]:
    """Apply pending migrations as the master user and (re)set the role passwords."""
    applied = migrate(conninfo_from_settings(settings), role_passwords=_role_passwords(settings))
    logger.info("migrations applied", applied=applied, count=len(applied))
    metrics.add_metric(name="MigrationsApplied", unit=MetricUnit.Count, value=len(applied))
    return applied


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    metrics.add_metric(name="MigrationRequests", unit=MetricUnit.Count, value=1)
    settings = get_settings()
    if "RequestType" in event:
        request = CustomResourceEvent.model_validate(event)
        logger.append_keys(request_type=request.RequestType, cfn_request_id=request.RequestId)
        if request.RequestType == "Delete":
            return {"PhysicalResourceId": request.PhysicalResourceId or PHYSICAL_RESOURCE_ID}
        applied = apply_migrations(settings)
        return {"PhysicalResourceId": PHYSICAL_RESOURCE_ID, "Data": {"Applied": ",".join(applied) or "none"}}
    try:
        action = OperatorAction.model_validate(event)
    except ValidationError as exc:
        raise InvalidInput(f"unknown event: {exc.error_count()} validation error(s)") from exc
    logger.append_keys(action=action.action)
    return {"applied": apply_migrations(settings)}
