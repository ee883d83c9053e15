"""Deploy time: apply the SQL migrations (CloudFormation custom resource). By hand: the same,
or create the first admin account.

Events:
- CloudFormation (through the CDK Provider framework): `RequestType` Create/Update apply the
  pending migrations with the runner behind `make migrate` and set the application roles'
  passwords from their secrets; Delete is a no-op (the database goes with its stack).
- `{"action": "migrate"}`: the same, e.g. after putting a new role password in its secret.
- `{"action": "create_admin", "email": "...", "password"?: "..."}`: create the first admin
  (docs/deploy.md); returns the generated temporary password when none was given.

Connects as the master user (DATABASE_SECRET_ARN); create_admin runs as the API role.
"""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.aws.secrets import get_json_secret
from shared.db.connection import Database, conninfo_from_settings
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

    action: Literal["migrate", "create_admin"]
    email: str | None = Field(default=None, max_length=320)
    password: str | None = None


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
    return applied


def create_first_admin(settings: Settings, *, email: str, password: str | None) -> dict[str, Any]:
    """Create an admin as the API role (the same grants and policies as the API itself)."""
    from shared.auth.bootstrap import create_admin  # the API's bootstrap (python -m shared.auth.bootstrap)

    api_settings = settings.model_copy(update={"database_secret_arn": settings.api_role_secret_arn})
    user, generated = create_admin(
        Database.from_settings(api_settings), email=email, password=password, settings=settings
    )
    logger.info("admin created")  # no email or password in the logs
    result: dict[str, Any] = {"email": email, "created": True}
    if password is None:
        result["temporary_password"] = generated
    if isinstance(user, dict) and "id" in user:
        result["id"] = str(user["id"])
    return result


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)  # a response may carry a temporary password
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
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
    if action.action == "migrate":
        return {"applied": apply_migrations(settings)}
    if not action.email:
        raise InvalidInput("create_admin needs an email")
    return create_first_admin(settings, email=action.email, password=action.password)
