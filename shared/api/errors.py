"""Domain exceptions -> HTTP responses, in one table, with one JSON error format.

Every error body is `{"message": "<safe, human-readable>"}`, plus `"errors": [...]` for
request validation failures (each `{"loc": [...], "type": "...", "msg": "..."}`). Invalid
input is a 400 in every router, whether the route's own parser (`InvalidInput`) or
Powertools' validation of a typed parameter or body (`RequestValidationError`) found it. Unexpected
exceptions become a 500 with a generic message; the exception is logged, never returned.
Responses are counted by status class in one place, `shared.api.app.serve`.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType, RequestValidationError

from shared import errors
from shared.observability import logger

# The one table: every domain error, most specific first (the first isinstance match wins).
# `tests/api/test_errors_table.py` fails when a DomainError subclass anywhere in `shared`
# is missing here.
STATUS_BY_ERROR: dict[type[errors.DomainError], HTTPStatus] = {
    errors.InvalidInput: HTTPStatus.BAD_REQUEST,
    errors.UnsupportedMediaType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    errors.Unauthenticated: HTTPStatus.UNAUTHORIZED,
    errors.Forbidden: HTTPStatus.FORBIDDEN,
    errors.NotFound: HTTPStatus.NOT_FOUND,
    errors.Conflict: HTTPStatus.CONFLICT,
    errors.TooManyRequests: HTTPStatus.TOO_MANY_REQUESTS,
    errors.DatabaseUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
    errors.StorageError: HTTPStatus.BAD_GATEWAY,
    errors.UpstreamUnavailable: HTTPStatus.BAD_GATEWAY,
    errors.ConfigurationError: HTTPStatus.INTERNAL_SERVER_ERROR,
    errors.DomainError: HTTPStatus.INTERNAL_SERVER_ERROR,  # e.g. SummaryRunFailed: a real partial fault
}
# Errors whose own message is shown even on a 5xx: written for the caller, naming no internals.
SAFE_SERVER_MESSAGES: tuple[type[errors.DomainError], ...] = (errors.UpstreamUnavailable,)
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
    elif status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
        # The reason a token was refused is for the logs, never for the caller.
        logger.info("request refused", status=int(status), error=type(exc).__name__, reason=str(exc.details or ""))
    shown = exc.message if isinstance(exc, SAFE_SERVER_MESSAGES) else GENERIC_MESSAGES.get(status, exc.message)
    return error_response(status, shown, headers=headers or None)


def _field(loc: Sequence[Any]) -> str:
    """`("body", "advertisers", 2)` -> `advertisers[2]`; `("query", "limit")` -> `limit`."""
    parts = [part for part in loc if part not in ("body", "query", "path", "header")] or ["body"]
    text = str(parts[0])
    for part in parts[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _message(item: dict[str, Any]) -> str:
    """pydantic's message, except that a length limit on text is said in characters (a query
    parameter typed `str | None` with a validator gets the generic "at most 64 items")."""
    kind, context = item.get("type"), item.get("ctx") or {}
    if kind in ("too_long", "too_short") and isinstance(item.get("input"), str):
        limit = context.get("max_length" if kind == "too_long" else "min_length")
        if isinstance(limit, int):
            return f"String should have {'at most' if kind == 'too_long' else 'at least'} {limit} characters"
    return str(item.get("msg", "invalid value"))


def validation_error_response(exc: RequestValidationError) -> Response:
    """400 (the API's one status for invalid input, in every router) with a message naming the
    first failing field and every failing location; pydantic's input values are never echoed."""
    details = [
        {"loc": list(item.get("loc", ())), "type": item.get("type", "invalid"), "msg": _message(item)}
        for item in exc.errors()
    ]
    first = details[0] if details else {"loc": [], "msg": "invalid value"}
    message = f"{_field(first['loc'])}: {first['msg']}"
    if first.get("type") == "extra_forbidden":
        message = f"{_field(first['loc'])}: unknown field"
    return error_response(HTTPStatus.BAD_REQUEST, message, errors_list=details)


def service_error_response(exc: ServiceError, app: APIGatewayRestResolver | None = None) -> Response:
    """Powertools' own errors in our format; an unknown route whose path another method
    serves is a 405 with an `Allow` header."""
    if isinstance(exc, NotFoundError) and app is not None:
        allowed = allowed_methods(app)
        if allowed:
            return error_response(
                HTTPStatus.METHOD_NOT_ALLOWED,
                f"method not allowed; allowed: {', '.join(allowed)}",
                headers={"Allow": ", ".join(allowed)},
            )
    message = exc.msg if isinstance(exc.msg, str) and exc.status_code < 500 else "request failed"
    return error_response(exc.status_code, message if exc.status_code < 500 else "internal error")


def allowed_methods(app: APIGatewayRestResolver) -> list[str]:
    """The methods the resolver serves for the current request's path (empty: unknown path)."""
    path = app._remove_prefix(app.current_event.path)
    routes = app._static_routes + app._dynamic_routes
    methods = {route.method for route in routes if route.rule.match(path)}
    return sorted(methods)


def unsupported_content_type_response(exc: RequestUnsupportedContentType) -> Response:
    """Powertools' body parser refusing a content type. Not raised today (`JsonBodies` reads
    every body as JSON once `check_request` has answered 415 for any other type); kept so
    that a change in Powertools cannot turn a content type back into a 500."""
    return error_response(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "the request body must be JSON (Content-Type: application/json)"
    )


def unexpected_error_response(exc: Exception) -> Response:
    """Anything else: logged with its stack trace, answered with a generic 500."""
    logger.exception("unhandled error", error=type(exc).__name__)
    return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error")


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    """Install the mapping on a resolver (done by `create_resolver`)."""

    def service_error(exc: ServiceError) -> Response:
        return service_error_response(exc, app)

    app.exception_handler(errors.DomainError)(domain_error_response)
    app.exception_handler(RequestValidationError)(validation_error_response)
    app.exception_handler(RequestUnsupportedContentType)(unsupported_content_type_response)
    app.exception_handler(ServiceError)(service_error)
    app.exception_handler(Exception)(unexpected_error_response)
