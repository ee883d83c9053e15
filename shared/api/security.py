"""Authentication and authorisation for routes, as Powertools `Depends()` dependencies.

    @router.get("/clients/<client_id>/overview", **api_doc())
    def overview(client_id: UUID, principal: CurrentPrincipal) -> ...:
        tenant = client_scope(principal, client_id)   # 404 for another client's id

    @router.get("/admin/users", **api_doc(role="admin"))
    def list_users(principal: AdminPrincipal) -> ...:   # 401 / 403 before validation

`authenticate` reads `Authorization: Bearer <jwt>`, verifies it (`shared.auth.tokens`) and
checks the live session state with one indexed query (`shared.auth.principal`).
`SecurityFirst` runs it ahead of request validation for every route declaring security.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar, get_type_hints
from uuid import UUID

from aws_lambda_powertools.event_handler import Request, Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.middlewares import BaseMiddlewareHandler, NextMiddleware
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIRequestValidationMiddleware

from shared.api import deps
from shared.api.inputs import check_request
from shared.auth.principal import Principal, load_principal
from shared.auth.tokens import decode_access_token
from shared.db import Tenant
from shared.errors import Forbidden, NotFound, Unauthenticated
from shared.observability import logger

__all__ = [
    "AdminPrincipal",
    "CurrentPrincipal",
    "Principal",
    "SecurityFirst",
    "authenticate",
    "bearer_token",
    "client_scope",
    "require_admin",
]

MAX_TOKEN_LENGTH = 4096


def bearer_token(headers: dict[str, str] | None) -> str:
    """The token of an `Authorization: Bearer ...` header (header name case-insensitive)."""
    value = None
    for name, header_value in (headers or {}).items():
        if name.lower() == "authorization":
            value = header_value
            break
    if not value:
        raise Unauthenticated("missing access token", details="no authorization header")
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthenticated("missing access token", details="not a bearer token")
    return token


F = TypeVar("F", bound=Callable[..., Any])


def _hints_evaluated(dependency: F) -> F:
    """A dependency whose annotations are objects, not this module's strings: Powertools
    reads every dependency's type hints on every request (to inject `Request`), and
    evaluating strings compiles them each time (~50 us a request)."""
    dependency.__annotations__ = get_type_hints(dependency, include_extras=True)
    return dependency


PRINCIPAL_KEY = "principal"
REQUIRED_ROLE_EXTENSION = "x-required-role"


def principal_from_headers(headers: dict[str, str] | None) -> Principal:
    """Verify the bearer token and the live session state (401 on any failure)."""
    token = bearer_token(headers)
    claims = decode_access_token(token, settings=deps.settings())
    principal = load_principal(deps.database(), claims)
    logger.append_keys(user_id=str(principal.user_id), role=principal.role)
    return principal


@_hints_evaluated
def authenticate(request: Request) -> Principal:
    """The verified caller of this request, or Unauthenticated (401).

    Usually already established by `SecurityFirst` (before body validation); computed here
    otherwise. Kept in the resolver context, which Powertools clears after each request.
    """
    cached = request.context.get(PRINCIPAL_KEY)
    if isinstance(cached, Principal):
        return cached
    principal = principal_from_headers(request.headers)
    request.context[PRINCIPAL_KEY] = principal
    return principal


class SecurityFirst(BaseMiddlewareHandler):
    """Authenticates (and checks `x-required-role`), then applies the strict input layer
    (`shared.api.inputs.check_request`), BEFORE Powertools' request validation.

    Powertools validates the request before any user middleware or dependency runs, so an
    anonymous or client caller would otherwise get a 422 describing an admin body instead
    of 401/403. `create_resolver` wraps the validation middleware with this one; routes
    opt in through `api_doc()` (security declared => authenticated; `role=` => checked).
    """

    def __init__(self, validation: BaseMiddlewareHandler) -> None:
        self._validation = validation

    def handler(self, app: Any, next_middleware: NextMiddleware) -> Response:
        route = app.context.get("_route")
        if route is not None and route.security:
            principal = app.context.get(PRINCIPAL_KEY)
            if not isinstance(principal, Principal):
                principal = principal_from_headers(app.current_event.headers)
                app.context[PRINCIPAL_KEY] = principal
            if (route.openapi_extensions or {}).get(REQUIRED_ROLE_EXTENSION) == "admin":
                require_admin(principal)
        if route is not None and any(route is known for known in app._static_routes + app._dynamic_routes):
            # A registered route (not Powertools' stand-in for an unknown path): the strict
            # input layer, after authentication so an anonymous caller learns nothing more.
            check_request(app, route)
        return self._validation.handler(app, next_middleware)


class JsonBodies(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation, reading every body as JSON.

    Its own parser reads a body only under a header starting with lower-case
    `application/json` and raises an exception for anything else, where `check_request`
    (run first) accepts any JSON type in any letter case (`application/merge-patch+json`,
    `Application/JSON`) and refuses the rest with a 415. So by the time this runs, a body is
    JSON text or absent (a route may still look at the header itself, as the cookie refresh
    does), and the one parser is the right one.
    """

    def _get_body(self, app: Any) -> dict[str, Any]:
        return self._parse_json_data(app)


def require_admin(principal: Principal) -> Principal:
    """The principal if it is the admin, else Forbidden (403)."""
    if not principal.is_admin:
        raise Forbidden("this operation requires the admin role")
    return principal


@_hints_evaluated
def _authenticated_admin(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    return require_admin(principal)


def client_scope(principal: Principal, client_id: UUID | str) -> Tenant:
    """The tenant for a request about `client_id`.

    A client user asking about another client gets NotFound (404), exactly like a missing
    id, so ids of other clients cannot be probed. The admin gets that client's tenant too:
    client routes then see only that client's rows even for the admin.
    """
    try:
        wanted = client_id if isinstance(client_id, UUID) else UUID(str(client_id))
    except ValueError:
        raise NotFound("client not found") from None
    if not principal.is_admin and principal.client_id != wanted:
        raise NotFound("client not found")
    return Tenant.client(wanted)


# Route parameter annotations.
CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
AdminPrincipal = Annotated[Principal, Depends(_authenticated_admin)]
