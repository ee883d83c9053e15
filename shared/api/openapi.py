"""What every operation declares in the OpenAPI document: its security and error responses.

Routes use `api_doc(...)`, e.g.::

    @router.get("/clients/<client_id>/overview", **api_doc(description="Totals and series"))

which expands to `security=[{"bearerAuth": []}]` and `responses=` the success response
(its schema taken from the return annotation) plus the standard error responses. Public
routes (`/health`, `/auth/login`, ...) pass `public=True`. Extra statuses a route can
answer (409 for a duplicate, ...) go in `errors=`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

BEARER_SCHEME = "bearerAuth"
SECURITY: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}]

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Error",
    "required": ["message"],
    "properties": {
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "type": {"type": "string"},
                    "msg": {"type": "string"},
                },
            },
        },
    },
}

_ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Invalid input: a malformed or out-of-range field, an unknown field or query parameter, bad JSON",
    401: "Missing, invalid or expired access token",
    403: "Not allowed for this role",
    404: "Not found (also: another client's resource)",
    405: "Method not allowed on this path (see the Allow header)",
    409: "Conflicts with existing data",
    415: "The request body is not JSON (send Content-Type: application/json)",
    429: "Too many attempts; retry after the Retry-After seconds",
    500: "Internal error",
    502: "A storage service failed",
    503: "Database temporarily unavailable",
}


def error_response_doc(status: int) -> dict[str, Any]:
    """One declared error response (the common `Error` body)."""
    doc: dict[str, Any] = {
        "description": _ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    }
    if status in (429, 503):
        doc["headers"] = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
    return doc


# The standard list declared on every authenticated operation (public ones drop 401/403/404).
ERROR_RESPONSES: dict[int, dict[str, Any]] = {
    status: error_response_doc(status) for status in (400, 401, 403, 404, 429, 500, 503)
}
PUBLIC_ERROR_STATUSES = (400, 429, 500, 503)


def api_doc(
    *,
    status: int = 200,
    description: str = "Success",
    public: bool = False,
    errors: Iterable[int] = (),
    content: dict[str, Any] | None = None,
    role: str | None = None,
) -> dict[str, Any]:
    """Keyword arguments for a Powertools route decorator: security, responses, status code.

    `content` overrides the success body (e.g. `{"text/csv": {"schema": {"type": "string"}}}`);
    by default it is generated from the route's return annotation. `role="admin"` declares
    (as `x-required-role`) and enforces, before request validation, that only the admin
    may call the route.
    """
    success: dict[str, Any] = {"description": description}
    if content is not None:
        success["content"] = content
    statuses = PUBLIC_ERROR_STATUSES if public else tuple(ERROR_RESPONSES)
    responses: dict[int, Any] = {status: success}
    for code in (*statuses, *errors):
        responses[code] = error_response_doc(code)
    doc: dict[str, Any] = {"responses": responses, "status_code": status}
    if not public:
        doc["security"] = SECURITY
    if role is not None:
        doc["openapi_extensions"] = {"x-required-role": role}
    return doc
