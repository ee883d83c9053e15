"""Domain exceptions -> HTTP responses, in one table, with one JSON error format.

Every error body is `{"message": "<safe, human-readable>"}`, plus `"errors": [...]` for
request validation failures (each `{"loc": [...], "type": "...", "msg": "..."}`). Unexpected
exceptions become a 500 with a generic message; the exception is logged, never returned.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from shared import errors
from shared.observability import logger, metrics

# The one table. Order matters only for subclasses (none of these subclass each other).
STATUS_BY_ERROR: dict[type[errors.DomainError], HTTPStatus] = {
    errors.InvalidInput: HTTPStatus.BAD_REQUEST,
    errors.Unauthenticated: HTTPStatus.UNAUTHORIZED,
    errors.Forbidden: HTTPStatus.FORBIDDEN,
    errors.NotFound: HTTPStatus.NOT_FOUND,
    errors.Conflict: HTTPStatus.CONFLICT,
    errors.TooManyRequests: HTTPStatus.TOO_MANY_REQUESTS,
    errors.DatabaseUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
    errors.StorageError: HTTPStatus.BAD_GATEWAY,
    errors.ConfigurationError: HTTPStatus.INTERNAL_SERVER_ERROR,
}
# Statuses whose domain message is not shown (it may name internals): a generic one is.
GENERIC_MESSAGES: dict[HTTPStatus, str] = {
    HTTPStatus.INTERNAL_SERVER_ERROR: "internal error",
    HTTPStatus.SERVICE_UNAVAILABLE: "service temporarily unavailable, retry later",
    HTTPStatus.BAD_GATEWAY: "a storage service failed, retry later",
}
DATABASE_RETRY_AFTER_SECONDS = 5


def error_response(
    status: int, message: str, *, errors_list: list[Any] | None = None, headers: dict[str, str] | None = None
) -> Response:
    """A response in the API's one error format."""
    body: dict[str, Any] = {"message": message}
    if errors_list is not None:
        body["errors"] = errors_list
    return Response(status_code=int(status), content_type=content_types.APPLICATION_JSON, body=body, headers=headers)


def domain_error_response(exc: errors.DomainError) -> Response:
    """Map a domain exception through `STATUS_BY_ERROR`."""
    status = next(
        (code for kind, code in STATUS_BY_ERROR.items() if isinstance(exc, kind)), HTTPStatus.INTERNAL_SERVER_ERROR
    )
    headers: dict[str, str] = {}
    if isinstance(exc, errors.TooManyRequests):
        headers["Retry-After"] = str(max(1, int(exc.retry_after)))
    elif isinstance(exc, errors.DatabaseUnavailable):
        headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    if status >= 500:
        logger.error("request failed", error=type(exc).__name__, reason=exc.message)
        metrics.add_metric(name="ApiServerErrors", unit="Count", value=1)
    elif status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
        # The reason a token was refused is for the logs, never for the caller.
        logger.info("request refused", status=int(status), error=type(exc).__name__, reason=str(exc.details or ""))
    message = GENERIC_MESSAGES.get(status, exc.message)
    return error_response(status, message, headers=headers or None)


def validation_error_response(exc: RequestValidationError) -> Response:
    """422 with the failing locations; pydantic's raw input values are never echoed."""
    details = [
        {"loc": list(item.get("loc", ())), "type": item.get("type", "invalid"), "msg": item.get("msg", "invalid value")}
        for item in exc.errors()
    ]
    return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "request validation failed", errors_list=details)


def service_error_response(exc: ServiceError) -> Response:
    """Powertools' own errors (unknown route -> 404, ...) in our format."""
    message = exc.msg if isinstance(exc.msg, str) and exc.status_code < 500 else "request failed"
    return error_response(exc.status_code, message if exc.status_code < 500 else "internal error")


def unexpected_error_response(exc: Exception) -> Response:
    """Anything else: logged with its stack trace, answered with a generic 500."""
    logger.exception("unhandled error", error=type(exc).__name__)
    metrics.add_metric(name="ApiServerErrors", unit="Count", value=1)
    return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error")


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    """Install the mapping on a resolver (done by `create_resolver`)."""
    app.exception_handler(errors.DomainError)(domain_error_response)
    app.exception_handler(RequestValidationError)(validation_error_response)
    app.exception_handler(ServiceError)(service_error_response)
    app.exception_handler(Exception)(unexpected_error_response)
