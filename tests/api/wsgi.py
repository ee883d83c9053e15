"""A WSGI adapter that turns HTTP requests into API Gateway REST proxy events for the real
API handlers (routed like API Gateway, by `infra.constants.api_function_for`).

Used by the schemathesis test (`schemathesis.openapi.from_wsgi`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from infra.constants import api_function_for
from tests.api.conftest import LambdaContextStub, load_event

StartResponse = Callable[[str, list[tuple[str, str]]], Any]

_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
            403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 422: "Unprocessable Entity",
            429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}  # fmt: skip


def proxy_event(environ: dict[str, Any]) -> dict[str, Any]:
    """The API Gateway REST proxy event API Gateway would send for this WSGI request."""
    event = load_event("api_gateway_proxy.json")
    method = environ["REQUEST_METHOD"].upper()
    path = environ.get("PATH_INFO") or "/"
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").title()] = value
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    event.update(
        httpMethod=method,
        path=path,
        headers=headers,
        multiValueHeaders={name: [value] for name, value in headers.items()},
        queryStringParameters={name: values[-1] for name, values in query.items()} or None,
        multiValueQueryStringParameters=query or None,
        pathParameters={"proxy": path.lstrip("/")},
    )
    event["requestContext"]["httpMethod"] = method
    event["requestContext"]["path"] = "/prod" + path
    try:
        event["body"] = raw.decode("utf-8") if raw else None
        event["isBase64Encoded"] = False
    except UnicodeDecodeError:
        event["body"] = base64.b64encode(raw).decode("ascii")
        event["isBase64Encoded"] = True
    return event


def api_gateway_wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """WSGI entry point: route, invoke the Lambda handler, translate its proxy response."""
    import importlib

    path = environ.get("PATH_INFO") or "/"
    function = api_function_for(path)
    if function is None:
        # API Gateway itself answers unknown resources (it uses 403 "Missing Authentication Token").
        body = json.dumps({"message": "Not found"}).encode()
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [body]
    module = importlib.import_module(f"functions.{function}.handler")
    result = module.lambda_handler(proxy_event(environ), LambdaContextStub(function_name=function))
    status = int(result["statusCode"])
    headers = dict(result.get("headers") or {})
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = ", ".join(values)
    payload = result.get("body") or ""
    data = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode("utf-8")
    start_response(f"{status} {_REASONS.get(status, 'Unknown')}", list(headers.items()))
    return [data]
