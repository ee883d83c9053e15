"""`GET /health` and `GET /openapi.json` (the whole API's document, built on first request)."""

from __future__ import annotations

import importlib
import json
from typing import Any

from aws_lambda_powertools.event_handler.router import Router

from shared.api.models import ApiModel
from shared.api.openapi import api_doc

router = Router()

# Routers described by /openapi.json, in document order. Imported only when the document is
# first requested, so the auth function's cold start does not pay for the other areas.
DOCUMENTED_ROUTERS = (
    "shared.api.routes.meta",
    "shared.api.routes.auth",
    "shared.api.routes.admin",
    "shared.api.routes.ledger",
    "shared.api.routes.clients",
)
_document: dict[str, Any] | None = None


class Health(ApiModel):
    status: str


@router.get("/health", summary="Liveness check", tags=["meta"], **api_doc(public=True))
def health() -> Health:
    # Deliberately does not touch the database: API Gateway health checks must stay cheap.
    return Health(status="ok")


@router.get(
    "/openapi.json",
    summary="This API's OpenAPI document",
    tags=["meta"],
    **api_doc(public=True, content={"application/json": {"schema": {"type": "object"}}}),
)
def openapi_json() -> dict[str, Any]:
    return openapi_document()


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of every API router that is installed, built once per process."""
    global _document
    if _document is None:
        from shared.api.app import create_resolver, openapi_json

        routers: list[Router] = []
        for module_name in DOCUMENTED_ROUTERS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue  # an area not deployed in this build
            routers.append(module.router)
        # include_router points each router at the resolver it was included in; the live
        # resolver of this function must keep its routers, so restore them afterwards.
        previous = [getattr(r, "api_resolver", None) for r in routers]
        try:
            doc_app = create_resolver(*routers)
            _document = json.loads(openapi_json(doc_app))
        finally:
            for r, resolver in zip(routers, previous, strict=True):
                if resolver is not None:
                    r.api_resolver = resolver
    return _document
