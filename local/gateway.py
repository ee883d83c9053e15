"""API Gateway emulation: HTTP on loopback -> REST API proxy events -> the real handlers.

`request_to_event` and `response_to_http` are the translation (pure, unit-tested);
`Gateway` is a `ThreadingHTTPServer` that dispatches each request to the function serving
its path (`infra.constants.api_function_for`), mapped as the deployed API maps it: the
prefix itself (e.g. `/clients`) and `<prefix>/{proxy+}` below it.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from infra.constants import API_ROUTES, api_function_for
from local.context import ACCOUNT_ID

STAGE = "local"
LOOPBACK = "127.0.0.1"
API_ID = "localapi01"
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit

# Bodies of these types travel as text; anything else is base64 (binaryMediaTypes */*).
_TEXT_TYPES = ("text/", "application/json", "application/x-www-form-urlencoded", "application/xml")


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _resource_for(path: str) -> tuple[str, dict[str, str] | None]:
    """The API resource matching `path` and its path parameters (`{proxy+}` below a prefix)."""
    for prefix, _function in API_ROUTES:
        if path == prefix:
            return prefix, None
        if path.startswith(prefix + "/"):
            return prefix + "/{proxy+}", {"proxy": path[len(prefix) + 1 :]}
    return path, None


def _is_text(content_type: str | None) -> bool:
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith(_TEXT_TYPES) or media.endswith("+json")


def request_to_event(
    *,
    method: str,
    target: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    source_ip: str = "127.0.0.1",
    request_id: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """An API Gateway REST API (v1) Lambda proxy event for one HTTP request.

    `target` is the request target as sent (`/path?query`). Like API Gateway, single-value
    maps keep the LAST value of a repeated key; the multi-value maps keep every value.
    Query strings are URL-decoded; the body is text when it is UTF-8 of a textual type,
    else base64 with `isBase64Encoded`.
    """
    split = urlsplit(target)
    path = unquote(split.path) or "/"
    resource, path_parameters = _resource_for(path)

    multi_query: dict[str, list[str]] = {}
    for key, value in parse_qsl(split.query, keep_blank_values=True):
        multi_query.setdefault(key, []).append(value)
    multi_headers: dict[str, list[str]] = {}
    for name, value in headers:
        multi_headers.setdefault(name, []).append(value)
    # API Gateway appends the caller to X-Forwarded-For and says how it was reached.
    forwarded = next((k for k in multi_headers if k.lower() == "x-forwarded-for"), "X-Forwarded-For")
    previous = multi_headers.pop(forwarded, [])
    multi_headers["X-Forwarded-For"] = [", ".join([*previous, source_ip])]
    if not any(k.lower() == "x-forwarded-proto" for k in multi_headers):
        multi_headers["X-Forwarded-Proto"] = ["http"]

    content_type = next((v[-1] for k, v in multi_headers.items() if k.lower() == "content-type"), None)
    is_base64 = False
    body_text: str | None = None
    if body:
        if _is_text(content_type):
            try:
                body_text = body.decode("utf-8")
            except UnicodeDecodeError:
                is_base64 = True
        else:
            is_base64 = True
        if is_base64:
            body_text = base64.b64encode(body).decode("ascii")

    request_id = request_id or str(uuid.uuid4())
    epoch_ms = int((time.time() if now is None else now) * 1000)
    user_agent = next((v[-1] for k, v in multi_headers.items() if k.lower() == "user-agent"), None)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method.upper(),
        "headers": {k: v[-1] for k, v in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "resourceId": "local",
            "resourcePath": resource,
            "httpMethod": method.upper(),
            "path": f"/{STAGE}{path}",
            "protocol": "HTTP/1.1",
            "stage": STAGE,
            "domainName": "localhost",
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_ms / 1000)),
            "requestTimeEpoch": epoch_ms,
            "identity": {"sourceIp": source_ip, "userAgent": user_agent},
        },
        "body": body_text,
        "isBase64Encoded": is_base64,
    }


def response_to_http(result: Any) -> HttpResponse:
    """The HTTP response API Gateway makes of a proxy integration result.

    `multiValueHeaders` and `headers` are merged (multi-value wins for a name in both);
    a base64 body is decoded (binary responses such as the PDF). A malformed result is a
    502, as API Gateway answers.
    """
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        return bad_gateway()
    merged: dict[str, list[str]] = {}
    for name, value in (result.get("headers") or {}).items():
        merged[name.lower()] = [str(value)]
    seen_multi: set[str] = set()
    for name, values in (result.get("multiValueHeaders") or {}).items():
        key = name.lower()
        if key not in seen_multi:
            merged[key] = []
            seen_multi.add(key)
        merged[key].extend(str(v) for v in (values or []))
    body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except ValueError:
            return bad_gateway()
    else:
        raw = str(body).encode("utf-8")
    headers = [(name, value) for name, values in merged.items() if name != "content-length" for value in values]
    headers.append(("content-length", str(len(raw))))
    return HttpResponse(status=result["statusCode"], headers=headers, body=raw)


def _json_response(status: int, message: str) -> HttpResponse:
    body = json.dumps({"message": message}).encode("utf-8")
    return HttpResponse(status, [("content-type", "application/json"), ("content-length", str(len(body)))], body)


def bad_gateway() -> HttpResponse:
    return _json_response(502, "Internal server error")


def missing_route() -> HttpResponse:
    # What API Gateway answers for a path no resource matches.
    return _json_response(403, "Missing Authentication Token")


Invoker = Callable[[str, dict[str, Any]], Any]  # (function directory, event) -> result


def handle(
    invoke: Invoker, *, method: str, target: str, headers: list[tuple[str, str]], body: bytes, source_ip: str
) -> tuple[str | None, HttpResponse]:
    """Route one request: (function that served it, response)."""
    event = request_to_event(method=method, target=target, headers=headers, body=body, source_ip=source_ip)
    function = api_function_for(event["path"])
    if function is None:
        return None, missing_route()
    try:
        result = invoke(function, event)
    except Exception:  # noqa: BLE001 - a crashed handler is a 502, as in API Gateway
        return function, bad_gateway()
    return function, response_to_http(result)


class Gateway:
    """The HTTP server on 127.0.0.1:`port` (0 = a free port), serving in a thread."""

    def __init__(
        self,
        invoke: Invoker,
        *,
        port: int,
        on_request: Callable[[str, str, int, float], None] | None = None,
        host: str = LOOPBACK,
    ) -> None:
        # `host` only names the server in `url` (e.g. "localhost"); it always binds 127.0.0.1.
        gateway = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "local-api-gateway"

            def _serve(self) -> None:
                started = time.monotonic()
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY_BYTES:
                    response = _json_response(413, "Request Too Long")
                    self.close_connection = True
                else:
                    body = self.rfile.read(length) if length else b""
                    response = gateway.respond(
                        method=self.command,
                        target=self.path,
                        headers=list(self.headers.items()),
                        body=body,
                        source_ip=self.client_address[0],
                    )
                self.send_response(response.status)
                for name, value in response.headers:
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)
                if gateway.on_request is not None:
                    gateway.on_request(self.command, self.path, response.status, time.monotonic() - started)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass  # access lines go through on_request

        self.invoke = invoke
        self.on_request = on_request
        self.host = host
        self._server = ThreadingHTTPServer((LOOPBACK, port), RequestHandler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    def respond(
        self, *, method: str, target: str, headers: list[tuple[str, str]], body: bytes, source_ip: str
    ) -> HttpResponse:
        """The response to one request (subclasses serve more than the API)."""
        _function, response = handle(
            self.invoke, method=method, target=target, headers=headers, body=body, source_ip=source_ip
        )
        return response

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="api-gateway", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting requests and release the port (idempotent)."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
