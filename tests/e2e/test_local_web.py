"""The local web origin: `web/dist` served like the S3 behavior, the API under `/api`."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any

import pytest

from infra.constants import WEB_CONTENT_SECURITY_POLICY, WEB_IMMUTABLE_CACHE, WEB_RUNTIME_CONFIG
from local.gateway import HttpResponse
from local.web import PLACEHOLDER, WebServer, api_target, static_response

INDEX = b"<!doctype html><title>app</title><script type=module src=/assets/index-abc123.js></script>"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "assets" / "index-abc123.js").write_bytes(b"console.log(1)")
    (root / "assets" / "index-abc123.css").write_bytes(b"body{}")
    (root / "assets" / "logo.svg").write_bytes(b"<svg/>")
    (root / "config.json").write_bytes(b'{"apiBaseUrl": "/from-the-build"}')
    (root / "favicon.svg").write_bytes(b"<svg/>")
    (tmp_path / "secret.txt").write_bytes(b"outside dist")
    (root / "assets" / "escape.txt").symlink_to(tmp_path / "secret.txt")
    return root


def _headers(response: HttpResponse) -> dict[str, str]:
    return {name: value for name, value in response.headers}


def _get(dist: Path | None, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    response = static_response(dist, method=method, target=target)
    return response.status, _headers(response), response.body


@pytest.mark.parametrize(
    "target",
    ["/", "/index.html", "/clients/c-1", "/clients/c-1/campaigns/k-2?from=2026-01-01&to=2026-01-31&compare=previous"],
)
def test_the_app_and_its_deep_links_are_index_html_never_cached(dist: Path, target: str) -> None:
    status, headers, body = _get(dist, target)
    assert status == 200
    assert body == INDEX
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    assert headers["content-security-policy"] == WEB_CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-length"] == str(len(INDEX))


@pytest.mark.parametrize(
    ("target", "content_type", "cache"),
    [
        ("/assets/index-abc123.js", "text/javascript; charset=utf-8", WEB_IMMUTABLE_CACHE),
        ("/assets/index-abc123.css", "text/css; charset=utf-8", WEB_IMMUTABLE_CACHE),
        ("/assets/logo.svg", "image/svg+xml", WEB_IMMUTABLE_CACHE),
        ("/favicon.svg", "image/svg+xml", "no-store"),
    ],
)
def test_files_have_their_content_type_and_cache_policy(dist: Path, target: str, content_type: str, cache: str) -> None:
    status, headers, body = _get(dist, target)
    assert status == 200
    assert headers["content-type"] == content_type
    assert headers["cache-control"] == cache
    assert body == (dist / target.lstrip("/")).read_bytes()


@pytest.mark.parametrize("built", [True, False])
def test_config_json_is_the_runtime_configuration_not_the_builds(dist: Path, built: bool) -> None:
    # the deployment writes config.json itself; the local origin answers the same, built or not
    status, headers, body = _get(dist if built else None, "/config.json")
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert headers["cache-control"] == "no-store"
    assert json.loads(body) == {**WEB_RUNTIME_CONFIG, "stage": "local"}
    assert json.loads(body)["apiBaseUrl"] == "/api"


def test_head_has_the_headers_of_get(dist: Path) -> None:
    assert _get(dist, "/assets/index-abc123.js", "HEAD")[1]["content-type"].startswith("text/javascript")


@pytest.mark.parametrize("target", ["/assets/missing-123.js", "/favicon.ico", "/clients/c-1/report.pdf"])
def test_a_missing_file_with_an_extension_is_404_not_the_app(dist: Path, target: str) -> None:
    status, headers, body = _get(dist, target)
    assert status == 404
    assert body != INDEX
    assert headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "//etc/hosts.txt",
        "/assets/escape.txt",  # a symlink pointing outside dist
    ],
)
def test_nothing_outside_dist_is_ever_served(dist: Path, target: str) -> None:
    status, _, body = _get(dist, target)
    assert b"outside dist" not in body
    assert b"root:" not in body
    assert status == 404


def test_an_absolute_looking_path_is_a_route_below_dist_not_the_file_system(dist: Path) -> None:
    assert _get(dist, "//etc/passwd")[2] == INDEX


@pytest.mark.parametrize("target", ["/a%00b", "/assets\\..\\..\\secret.txt"])
def test_a_malformed_path_is_400(dist: Path, target: str) -> None:
    assert _get(dist, target)[0] == 400


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_static_paths_only_answer_get_and_head(dist: Path, method: str) -> None:
    status, headers, _body = _get(dist, "/clients/c-1", method)
    assert status == 405
    assert headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("built", [False, True])
def test_without_a_build_every_page_says_to_run_make_web(tmp_path: Path, built: bool) -> None:
    # given no dist at all, or a dist without index.html (a build that failed half-way)
    root = tmp_path / "dist"
    if built:
        (root / "assets").mkdir(parents=True)
    status, headers, body = _get(root if built else None, "/clients/c-1?from=2026-01-01")
    assert status == 200
    assert b"make web" in body
    assert body == PLACEHOLDER.read_bytes()
    assert headers["cache-control"] == "no-store"
    assert b"<script" not in body  # it must pass the strict CSP itself
    assert _get(None, "/assets/index-abc123.js")[0] == 404


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/api/auth/login", "/auth/login"),
        (
            "/api/clients/c-1/overview?from=2026-01-01&to=2026-01-31",
            "/clients/c-1/overview?from=2026-01-01&to=2026-01-31",
        ),
        ("/api/", "/"),
        ("/api", None),  # like CloudFront's `/api/*`: a page of the app
        ("/apis/x", None),
        ("/clients/api/x", None),
    ],
)
def test_only_api_paths_go_to_the_api_with_the_prefix_stripped(target: str, expected: str | None) -> None:
    assert api_target(target) == expected


def _request(
    server: WebServer, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, target, body=body or None, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_the_server_serves_the_app_and_proxies_the_api_without_its_prefix(dist: Path) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def invoke(function: str, event: dict[str, Any]) -> Any:
        seen.append((function, event))
        return {
            "statusCode": 200,
            "multiValueHeaders": {"Set-Cookie": ["pmd_refresh=x; Path=/api/auth; HttpOnly", "other=y"]},
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"path": event["path"]}),
        }

    server = WebServer(invoke, port=0, dist=dist)
    server.start()
    try:
        # the API, reached under /api with the browser's cookie and body
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request(
            "POST",
            "/api/auth/refresh?x=1",
            body=b"{}",
            headers={"Content-Type": "application/json", "Cookie": "pmd_refresh=abc"},
        )
        response = connection.getresponse()
        assert response.status == 200
        assert json.loads(response.read()) == {"path": "/auth/refresh"}
        assert response.headers.get_all("Set-Cookie") == ["pmd_refresh=x; Path=/api/auth; HttpOnly", "other=y"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        connection.close()
        function, event = seen[-1]
        assert function == "api_auth"
        assert event["resource"] == "/auth/{proxy+}"
        assert event["queryStringParameters"] == {"x": "1"}
        assert event["headers"]["Cookie"] == "pmd_refresh=abc"
        assert event["body"] == "{}"

        # an unknown API path is API Gateway's answer, not the app
        assert _request(server, "GET", "/api/nope").status == 403
        # a deep link is the app
        page = _request(server, "GET", "/clients/c-1/campaigns?from=2026-01-01")
        assert page.status == 200
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert len(seen) == 1  # neither the unknown API path nor the page reached a function
    finally:
        server.stop()


def test_the_csp_may_name_the_upload_origin_and_nothing_else_changes(dist: Path) -> None:
    from local.web import WebServer

    def no_api(*_: object) -> dict[str, object]:
        raise AssertionError("not an API request")

    server = WebServer(no_api, port=0, dist=dist, upload_origins=("http://127.0.0.1:5001",))  # type: ignore[arg-type]
    response = server.respond(method="GET", target="/clients/c-1", headers=[], body=b"", source_ip="127.0.0.1")
    csp = _headers(response)["content-security-policy"]
    assert "connect-src 'self' http://127.0.0.1:5001;" in csp
    assert csp.replace(" http://127.0.0.1:5001", "") == WEB_CONTENT_SECURITY_POLICY
    assert response.body == INDEX
