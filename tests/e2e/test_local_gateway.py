"""The API Gateway emulation of the local stack: HTTP request <-> REST proxy event/result."""

from __future__ import annotations

import base64
import json
import socket
import urllib.error
import urllib.request
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from local.context import LambdaContext
from local.gateway import Gateway, handle, request_to_event, response_to_http


def _event(
    method: str = "GET", target: str = "/health", headers: list[tuple[str, str]] | None = None, body: bytes = b""
) -> dict[str, Any]:
    return request_to_event(
        method=method,
        target=target,
        headers=headers or [("Host", "127.0.0.1:8000")],
        body=body,
        source_ip="127.0.0.9",
        request_id="req-1",
        now=1_795_305_600.0,
    )


def test_get_with_query_and_repeated_headers_becomes_a_proxy_event() -> None:
    # given a request below a route prefix with repeated query keys and headers
    event = _event(
        target="/clients/c-1/campaigns?from=2026-01-01&to=2026-01-31&sort=spend&x=1&x=2",
        headers=[("Host", "localhost"), ("Authorization", "Bearer t0k"), ("X-Trace", "a"), ("X-Trace", "b")],
    )
    # then it maps as the deployed `/clients/{proxy+}` resource does
    assert event["httpMethod"] == "GET"
    assert event["path"] == "/clients/c-1/campaigns"
    assert event["resource"] == "/clients/{proxy+}"
    assert event["pathParameters"] == {"proxy": "c-1/campaigns"}
    # single-value maps keep the last value, multi-value maps keep all of them
    assert event["queryStringParameters"] == {"from": "2026-01-01", "to": "2026-01-31", "sort": "spend", "x": "2"}
    assert event["multiValueQueryStringParameters"]["x"] == ["1", "2"]
    assert event["headers"]["Authorization"] == "Bearer t0k"
    assert event["headers"]["X-Trace"] == "b"
    assert event["multiValueHeaders"]["X-Trace"] == ["a", "b"]
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.9"
    assert event["headers"]["X-Forwarded-Proto"] == "http"
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["requestId"] == "req-1"
    assert context["stage"] == "local"
    assert context["path"] == "/local/clients/c-1/campaigns"
    assert context["resourcePath"] == "/clients/{proxy+}"
    assert context["identity"]["sourceIp"] == "127.0.0.9"
    assert context["requestTimeEpoch"] == 1_795_305_600_000


def test_a_prefix_itself_has_no_path_parameters_and_no_query_is_null() -> None:
    event = _event(target="/clients")
    assert event["resource"] == "/clients"
    assert event["pathParameters"] is None
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None


def test_an_existing_forwarded_chain_is_extended_with_the_caller() -> None:
    event = _event(headers=[("x-forwarded-for", "203.0.113.7"), ("X-Forwarded-Proto", "https")])
    assert event["multiValueHeaders"]["X-Forwarded-For"] == ["203.0.113.7, 127.0.0.9"]
    assert event["headers"]["X-Forwarded-Proto"] == "https"
    assert "x-forwarded-for" not in event["headers"]


def test_percent_encoding_is_decoded_in_path_and_query() -> None:
    event = _event(target="/clients/a%20b/overview?name=Spring%2BSale+2026&empty=")
    assert event["path"] == "/clients/a b/overview"
    assert event["queryStringParameters"] == {"name": "Spring+Sale 2026", "empty": ""}


def test_json_body_is_text_and_binary_body_is_base64() -> None:
    text = _event("POST", "/auth/login", [("Content-Type", "application/json")], b'{"email": "\xc3\xa9@x.io"}')
    assert text["body"] == '{"email": "\u00e9@x.io"}'
    assert text["isBase64Encoded"] is False

    raw = bytes(range(256))
    binary = _event("PUT", "/admin/x", [("Content-Type", "application/octet-stream")], raw)
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == raw

    # text type but not UTF-8: still delivered intact, as base64
    latin = _event("POST", "/admin/x", [("Content-Type", "text/csv")], "caf\u00e9".encode("latin-1"))
    assert latin["isBase64Encoded"] is True
    assert base64.b64decode(latin["body"]) == "caf\u00e9".encode("latin-1")


def test_binary_response_is_decoded_and_headers_are_merged() -> None:
    pdf = b"%PDF-1.7\n\x00\xff binary \x89"
    response = response_to_http(
        {
            "statusCode": 200,
            "headers": {"Content-Type": "application/pdf", "Content-Length": "1", "X-One": "single"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "X-One": ["multi"]},
            "body": base64.b64encode(pdf).decode(),
            "isBase64Encoded": True,
        }
    )
    assert response.status == 200
    assert response.body == pdf
    headers = response.headers
    assert ("content-type", "application/pdf") in headers
    assert [v for k, v in headers if k == "set-cookie"] == ["a=1", "b=2"]
    assert [v for k, v in headers if k == "x-one"] == ["multi"]  # multi-value wins
    assert [v for k, v in headers if k == "content-length"] == [str(len(pdf))]  # recomputed, never trusted


@pytest.mark.parametrize(
    "result",
    [
        None,
        "oops",
        {"body": "no status"},
        {"statusCode": "200"},
        {"statusCode": 200, "body": "!!", "isBase64Encoded": True},
    ],
)
def test_malformed_handler_result_is_502(result: Any) -> None:
    response = response_to_http(result)
    assert response.status == 502
    assert json.loads(response.body) == {"message": "Internal server error"}


def test_handle_dispatches_by_prefix_rejects_unknown_paths_and_maps_crashes() -> None:
    calls: list[tuple[str, str]] = []

    def invoke(function: str, event: dict[str, Any]) -> Any:
        calls.append((function, event["path"]))
        if event["path"] == "/admin/boom":
            raise RuntimeError("handler crashed")
        return {"statusCode": 204, "headers": {}, "body": ""}

    def call(target: str) -> tuple[str | None, int]:
        function, response = handle(invoke, method="GET", target=target, headers=[], body=b"", source_ip="127.0.0.1")
        return function, response.status

    assert call("/me/password") == ("api_auth", 204)
    assert call("/admin/clients") == ("api_admin", 204)
    assert call("/clients") == ("api_clients", 204)
    assert call("/clientsX") == (None, 403)  # not under the /clients prefix
    assert call("/nowhere") == (None, 403)
    assert call("/admin/boom") == ("api_admin", 502)
    assert ("api_clients", "/clientsX") not in calls


def test_event_is_understood_by_a_powertools_rest_resolver() -> None:
    # given a resolver like the API functions' (real library, not our reading of it)
    app = APIGatewayRestResolver()

    @app.get("/clients/<client_id>/overview")
    def overview(client_id: str) -> dict[str, Any]:
        query = app.current_event.query_string_parameters or {}
        return {
            "client_id": client_id,
            "from": query.get("from"),
            "auth": app.current_event.headers.get("authorization"),
        }

    @app.post("/admin/echo")
    def echo() -> Response[str]:
        return Response(
            200,
            "application/pdf",
            body=base64.b64encode(app.current_event.json_body["data"].encode()).decode(),
            headers={"X-Multi": ["1", "2"]},
        )

    # when our events are resolved and the results translated back
    got = response_to_http(
        app.resolve(
            _event(target="/clients/42/overview?from=2026-02-01", headers=[("Authorization", "Bearer x")]),
            LambdaContext("t"),
        )
    )
    assert got.status == 200
    assert json.loads(got.body) == {"client_id": "42", "from": "2026-02-01", "auth": "Bearer x"}

    posted = response_to_http(
        app.resolve(
            _event("POST", "/admin/echo", [("Content-Type", "application/json")], b'{"data": "hello"}'),
            LambdaContext("t"),
        )
    )
    assert posted.status == 200
    assert [v for k, v in posted.headers if k == "x-multi"] == ["1", "2"]


def _urlopen(target: str | urllib.request.Request, timeout: float) -> Any:
    return urllib.request.urlopen(target, timeout=timeout)  # noqa: S310 - loopback URL of the test's server


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_gateway_serves_http_round_trip_and_releases_its_port() -> None:
    seen: list[dict[str, Any]] = []
    pdf = b"%PDF\x00\xfe"

    def invoke(function: str, event: dict[str, Any]) -> Any:
        seen.append(event)
        if event["path"].endswith(".pdf"):
            return {
                "statusCode": 200,
                "headers": {"Content-Type": "application/pdf"},
                "body": base64.b64encode(pdf).decode(),
                "isBase64Encoded": True,
            }
        return {
            "statusCode": 201,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"function": function, "got": json.loads(event["body"])}),
        }

    gateway = Gateway(invoke, port=0)
    gateway.start()
    try:
        request = urllib.request.Request(  # noqa: S310 - loopback URL
            f"{gateway.url}/admin/clients?a=1",
            data=b'{"name": "Acme"}',
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with _urlopen(request, timeout=10) as response:
            assert response.status == 201
            assert json.loads(response.read()) == {"function": "api_admin", "got": {"name": "Acme"}}
        with _urlopen(f"{gateway.url}/clients/1/report.pdf", timeout=10) as response:
            assert response.headers["Content-Type"] == "application/pdf"
            assert response.read() == pdf
        with pytest.raises(urllib.error.HTTPError) as missing:
            _urlopen(f"{gateway.url}/unknown", timeout=10)
        assert missing.value.code == 403
        assert seen[0]["queryStringParameters"] == {"a": "1"}
        assert seen[0]["headers"]["Content-Type"] == "application/json"
    finally:
        gateway.stop()
    assert not _port_open(gateway.port)
