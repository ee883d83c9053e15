"""The web app's origin on loopback: the built files of `web/dist`, and the API under `/api`.

What CloudFront does in AWS (`infra/web.py`), on one port:
- `/api/<path>` goes to the API Gateway emulation as `/<path>` (the prefix stripped, exactly
  like the CloudFront Function), so the browser talks to one origin and the refresh cookie
  scoped to `/api/auth` reaches the refresh route;
- any other path is a file of `web/dist`; an extension-less path (`/clients/<id>/campaigns`)
  is `index.html`, so deep links load on a reload; a missing file with an extension is 404;
- `/assets/*` (content-hashed names) is cached for a year, everything else is `no-store`;
- `/config.json` is the runtime configuration the deployment writes (stage `local`);
- without `web/dist/index.html` the placeholder page says to run `make web`.

`static_response` and `api_target` are the pure parts (unit-tested); `WebServer` serves them.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from infra.constants import (
    WEB_API_PREFIX,
    WEB_CONTENT_SECURITY_POLICY,
    WEB_FRESH_CACHE,
    WEB_IMMUTABLE_CACHE,
    WEB_IMMUTABLE_PREFIX,
    WEB_RUNTIME_CONFIG,
    WEB_SECURITY_HEADERS,
    web_content_security_policy,
)
from local.gateway import LOOPBACK, Gateway, HttpResponse, Invoker, handle

REPO_ROOT = Path(__file__).resolve().parent.parent
WEB_DIST = REPO_ROOT / "web" / "dist"
PLACEHOLDER = REPO_ROOT / "infra" / "web_placeholder" / "index.html"
CONFIG_PATH = "/config.json"  # generated, never the build's: the same rule as the deployment

# Explicit, so the answer does not depend on the machine's /etc/mime.types.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".wasm": "application/wasm",
}


def content_type(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def api_target(target: str) -> str | None:
    """The API Gateway target for a request to the web origin, or None when it is not `/api/*`.

    `/api/auth/login?x=1` -> `/auth/login?x=1`. Like the CloudFront behavior `/api/*`, a
    bare `/api` is not an API path (it is a page of the app).
    """
    prefix = WEB_API_PREFIX + "/"
    if not target.startswith(prefix):
        return None
    return target[len(WEB_API_PREFIX) :]


def _response(
    status: int, body: bytes, *, type_: str, cache: str, extra: tuple[tuple[str, str], ...] = ()
) -> HttpResponse:
    headers = [
        ("content-type", type_),
        ("cache-control", cache),
        *((name.lower(), value) for name, value in WEB_SECURITY_HEADERS.items()),
        *extra,
        ("content-length", str(len(body))),
    ]
    return HttpResponse(status, headers, body)


def _text(status: int, message: str, *, extra: tuple[tuple[str, str], ...] = ()) -> HttpResponse:
    return _response(
        status, message.encode("utf-8"), type_="text/plain; charset=utf-8", cache=WEB_FRESH_CACHE, extra=extra
    )


def _index(dist: Path | None) -> HttpResponse:
    index = dist / "index.html" if dist is not None else None
    page = index if index is not None and index.is_file() else PLACEHOLDER
    return _response(200, page.read_bytes(), type_=CONTENT_TYPES[".html"], cache=WEB_FRESH_CACHE)


def runtime_config(stage: str = "local") -> bytes:
    return json.dumps({**WEB_RUNTIME_CONFIG, "stage": stage}).encode("utf-8")


def static_response(dist: Path | None, *, method: str, target: str) -> HttpResponse:
    """The response of the S3 side of the origin for one request (never a file outside `dist`)."""
    if method not in ("GET", "HEAD"):
        return _text(405, "method not allowed\n", extra=(("allow", "GET, HEAD"),))
    path = unquote(urlsplit(target).path) or "/"
    if "\x00" in path or "\\" in path:
        return _text(400, "bad path\n")
    if path == CONFIG_PATH:
        return _response(200, runtime_config(), type_=CONTENT_TYPES[".json"], cache=WEB_FRESH_CACHE)
    name = PurePosixPath(path).name
    if dist is None or not (dist / "index.html").is_file():
        # Nothing built: every page is the placeholder; files cannot exist.
        return _index(None) if "." not in name else _text(404, "not found (the web app is not built: make web)\n")
    root = dist.resolve()
    candidate = (root / path.lstrip("/")).resolve()
    if not candidate.is_relative_to(root):
        return _text(404, "not found\n")
    if candidate.is_file():
        relative = "/" + candidate.relative_to(root).as_posix()
        if relative == "/index.html":
            return _index(dist)
        cache = WEB_IMMUTABLE_CACHE if relative.startswith(WEB_IMMUTABLE_PREFIX) else WEB_FRESH_CACHE
        return _response(200, candidate.read_bytes(), type_=content_type(candidate.name), cache=cache)
    if "." not in name:
        return _index(dist)  # a route of the single-page app: the app reads the URL
    return _text(404, "not found\n")


class WebServer(Gateway):
    """The web origin on 127.0.0.1:`port`: `web/dist` plus the API under `/api`."""

    def __init__(
        self,
        invoke: Invoker,
        *,
        port: int,
        dist: Path | None = WEB_DIST,
        host: str = LOOPBACK,
        on_request: Callable[[str, str, int, float], None] | None = None,
        upload_origins: tuple[str, ...] = (),
    ) -> None:
        super().__init__(invoke, port=port, host=host, on_request=on_request)
        self.dist = dist
        # Like CloudFront's policy: the page may also connect to the (emulated) S3 origin
        # that the admin's presigned uploads post to.
        self.csp = web_content_security_policy(upload_origins)

    def respond(
        self, *, method: str, target: str, headers: list[tuple[str, str]], body: bytes, source_ip: str
    ) -> HttpResponse:
        response = self._respond(method=method, target=target, headers=headers, body=body, source_ip=source_ip)
        if self.csp == WEB_CONTENT_SECURITY_POLICY:
            return response
        widened = [
            (name, self.csp if name == "content-security-policy" and value == WEB_CONTENT_SECURITY_POLICY else value)
            for name, value in response.headers
        ]
        return HttpResponse(response.status, widened, response.body)

    def _respond(
        self, *, method: str, target: str, headers: list[tuple[str, str]], body: bytes, source_ip: str
    ) -> HttpResponse:
        api = api_target(target)
        if api is None:
            return static_response(self.dist, method=method, target=target)
        _function, response = handle(
            self.invoke, method=method, target=api, headers=headers, body=body, source_ip=source_ip
        )
        present = {name.lower() for name, _ in response.headers}
        extra = [(name.lower(), value) for name, value in WEB_SECURITY_HEADERS.items() if name.lower() not in present]
        return HttpResponse(response.status, [*extra, *response.headers], response.body)

    @property
    def built(self) -> bool:
        return self.dist is not None and (self.dist / "index.html").is_file()
