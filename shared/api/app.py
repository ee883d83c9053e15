"""Builds the API resolver every API function uses: validation, CORS, OpenAPI, error mapping.

    app = create_resolver(auth_router)
    def lambda_handler(event, context): return app.resolve(event, context)

See `shared.api.openapi.api_doc` for what each route declares, `shared.api.security` for the
principal dependencies and `shared.api.errors` for the error table.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.router import Router

from shared.api import deps
from shared.api.errors import register_error_handlers
from shared.api.openapi import BEARER_SCHEME, error_response_doc
from shared.api.prejson import PreSerialisedLast
from shared.api.security import JsonBodies, SecurityFirst
from shared.observability import metrics
from shared.settings import Settings

API_TITLE = "Paid Media Performance Dashboard API"
API_VERSION = "1.0.0"
CORS_MAX_AGE_SECONDS = 600


def cors_config(settings: Settings) -> CORSConfig | None:
    """CORS for the configured origins only; none configured means no CORS headers."""
    origins = settings.cors_origins
    if not origins:
        return None
    return CORSConfig(
        allow_origin=origins[0],
        extra_origins=origins[1:],
        expose_headers=["Retry-After", "Content-Disposition"],
        max_age=CORS_MAX_AGE_SECONDS,
    )


def openapi_json(app: APIGatewayRestResolver) -> str:
    """The OpenAPI document of a resolver, with the title and the bearer security scheme.

    The OpenAPI models are imported here, not at module import: building the document is
    rare (`GET /openapi.json`, once per container) and they cost ~100 ms of cold start.
    """
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    text = app.get_openapi_json_schema(
        title=API_TITLE,
        version=API_VERSION,
        description="REST API of the paid media performance dashboard (auth, admin portal, client data).",
        security_schemes={BEARER_SCHEME: HTTPBearer(bearerFormat="JWT", description="Access token from /auth/login")},
    )
    return json.dumps(declare_input_errors(json.loads(text)))


def declare_input_errors(document: dict[str, Any]) -> dict[str, Any]:
    """The error responses of the strict input layer, as the API really answers them: invalid
    input is a 400 everywhere (Powertools' generated 422 never occurs, so it is removed) and
    an operation with a request body also answers 415 for a non-JSON body."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            responses.pop("422", None)
            if "requestBody" in operation:
                responses.setdefault("415", error_response_doc(415))
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(unused, None)
    return document


def no_store(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    """Every API response is private, per-user data (tokens, temporary passwords, a client's
    figures): never stored by browsers or shared caches unless a route says otherwise."""
    response = next_middleware(app)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def cache_dependency_trees() -> None:
    """Let Powertools build each route's `Depends()` tree once per process, not per request.

    Powertools 3 calls `depends.build_dependency_tree(route.func)` on every request of a route
    with dependencies (every authenticated route): `typing.get_type_hints` of the route, whose
    annotations are strings here, ~85 us for `campaigns`, ~160 us for `overview`. The tree is
    a pure function of the function's annotations (dependency overrides apply later, when it
    is solved), so it is cached by function.
    """
    from aws_lambda_powertools.event_handler import depends

    if not hasattr(depends.build_dependency_tree, "cache_info"):
        depends.build_dependency_tree = functools.cache(depends.build_dependency_tree)  # type: ignore[assignment]


def cache_scalar_field_checks() -> None:
    """Let Powertools decide once per parameter, not per request, whether it is a scalar.

    Its request validation asks `is_scalar_field(param)` of every query parameter and header
    declared by the route on every request (~6 for `campaigns`, ~80 us a request): a walk of
    the parameter's annotation, which never changes once the route is registered. The answer
    is remembered by parameter object (kept alive with it, so an id is never reused).
    """
    from aws_lambda_powertools.event_handler.middlewares import openapi_validation

    check = openapi_validation.is_scalar_field
    if getattr(check, "remembers", False):
        return
    known: dict[int, tuple[Any, bool]] = {}

    def remembered(field: Any) -> bool:
        entry = known.get(id(field))
        if entry is None or entry[0] is not field:
            entry = known[id(field)] = (field, check(field))
        return entry[1]

    remembered.remembers = True  # type: ignore[attr-defined]
    remembered.original = check  # type: ignore[attr-defined]
    openapi_validation.is_scalar_field = remembered


def create_resolver(*routers: Router, settings: Settings | None = None) -> APIGatewayRestResolver:
    """A REST resolver with request validation, CORS, the bearer security scheme and errors."""
    settings = settings or deps.settings()
    cache_dependency_trees()
    cache_scalar_field_checks()
    app = APIGatewayRestResolver(enable_validation=True, cors=cors_config(settings))
    register_error_handlers(app)
    app.use(middlewares=[no_store])
    # 401/403 must come before 400: wrap Powertools' request validation (always the first
    # middleware of every route) so authentication runs ahead of it.
    app._request_validation_middleware = SecurityFirst(JsonBodies())  # type: ignore[assignment]
    # A body with pre-serialised long lists (`shared.api.prejson`): the rest validated as usual.
    app._response_validation_middleware = PreSerialisedLast(app._response_validation_middleware, app._serializer)  # type: ignore[assignment]
    for router in routers:
        app.include_router(router)
    return app


RESPONSES_METRIC = "ApiResponses"
CLIENT_ERRORS_METRIC = "ApiClientErrors"
SERVER_ERRORS_METRIC = "ApiServerErrors"


def serve(app: APIGatewayRestResolver, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Resolve one API Gateway event and count its response by status class, here only:
    `ApiResponses` always, plus `ApiClientErrors` for a 4xx (bad input, auth, throttling: the
    caller's doing) or `ApiServerErrors` for a 5xx (a real fault). Only 5xx reach the on-call
    alarm (API Gateway's 5XXError, infra/monitoring.py), never a 4xx."""
    response = app.resolve(event, context)
    status = int(response.get("statusCode", 200))
    metrics.add_metric(name=RESPONSES_METRIC, unit="Count", value=1)
    if 400 <= status < 500:
        metrics.add_metric(name=CLIENT_ERRORS_METRIC, unit="Count", value=1)
    elif status >= 500:
        metrics.add_metric(name=SERVER_ERRORS_METRIC, unit="Count", value=1)
    return response
