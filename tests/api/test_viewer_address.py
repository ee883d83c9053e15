"""The login throttle's address behind CloudFront: CloudFront-Viewer-Address is trusted only
with the origin-verify secret (shared.api.viewer)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared.api.viewer import (
    ORIGIN_VERIFY_HEADER,
    VIEWER_ADDRESS_HEADER,
    client_address,
    origin_secret,
    parse_viewer_address,
)
from shared.settings import Settings
from tests.api.conftest import ApiClient, ApiUser, api_event, invoke

SECRET = "s3cr3t-origin-verify-value-0123456789abcdef"
EDGE = "130.176.1.1"  # a CloudFront edge server, as API Gateway sees it


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("203.0.113.7:46532", "203.0.113.7"),
        ("203.0.113.7:0", "203.0.113.7"),
        ("203.0.113.7:65535", "203.0.113.7"),
        ("2406:2d40:728d:fa10::c4a:42838", "2406:2d40:728d:fa10::c4a"),  # what CloudFront sends
        ("2001:db8::1:443", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("[2001:DB8:0:0:0:0:0:1]:443", "2001:db8::1"),  # normalised
        ("[::ffff:192.0.2.1]:80", "::ffff:c000:201"),
    ],
)
def test_well_formed_viewer_addresses_parse(value: str, address: str) -> None:
    assert parse_viewer_address(value) == address


@pytest.mark.parametrize(
    "value",
    [
        "",
        "203.0.113.7",  # no port
        "203.0.113.7:",
        ":443",
        "203.0.113.7:65536",
        "203.0.113.7:123456",
        "203.0.113.7:-1",
        "203.0.113.7: 443",
        " 203.0.113.7:443",
        "203.0.113.7:443 ",
        "203.0.113.7:4\x0043",
        "203.0.113.7:٤٤٣",  # Unicode digits
        "\uff1203.0.113.7:443",  # a fullwidth digit
        "203.0.113.256:443",
        "203.000.113.7:443",  # leading zeros are ambiguous (octal)
        "203.0.113:443",
        "[203.0.113.7]:443",  # brackets are for IPv6
        "2001:db8::1",  # no port: ":1" is read as the port, and "2001:db8:" is no address
        "[2001:db8::1]",
        "[2001:db8::1]443",
        "[2001:db8::1]:",
        "[fe80::1%eth0]:443",  # zone ids
        "fe80::1%eth0:443",
        "2001:db8:::1:443",
        "example.com:443",
        "localhost:443",
        "203.0.113.7:443, 198.51.100.1:443",
        "1" * 100_000,
        "[" + "1:" * 40 + "]:1",
        "\ud800:443",
    ],
)
def test_malformed_viewer_addresses_are_refused(value: str) -> None:
    assert parse_viewer_address(value) is None, value


def _event(headers: dict[str, str], source: str = EDGE) -> dict[str, Any]:
    event = api_event("POST", "/auth/login", body={"email": "a@example.com", "password": "x"}, headers=headers)
    event["requestContext"]["identity"]["sourceIp"] = source
    return event


def test_the_viewer_address_is_trusted_only_with_the_secret() -> None:
    via_cloudfront = {ORIGIN_VERIFY_HEADER: SECRET, "CloudFront-Viewer-Address": "198.51.100.23:50000"}
    assert client_address(_event(via_cloudfront), origin_secret=SECRET) == "198.51.100.23"
    # Header names are case-insensitive.
    shouting = {ORIGIN_VERIFY_HEADER.upper(): SECRET, VIEWER_ADDRESS_HEADER.upper(): "198.51.100.23:1"}
    assert client_address(_event(shouting), origin_secret=SECRET) == "198.51.100.23"
    # A direct caller spoofing the viewer address (no secret, a wrong one, a prefix of it,
    # the secret twice): its own address counts.
    for spoofed in (
        {"CloudFront-Viewer-Address": "198.51.100.23:50000"},
        {ORIGIN_VERIFY_HEADER: "guess", "CloudFront-Viewer-Address": "198.51.100.23:50000"},
        {ORIGIN_VERIFY_HEADER: SECRET[:-1], "CloudFront-Viewer-Address": "198.51.100.23:50000"},
        {ORIGIN_VERIFY_HEADER: SECRET + "x", "CloudFront-Viewer-Address": "198.51.100.23:50000"},
        {ORIGIN_VERIFY_HEADER: "", "CloudFront-Viewer-Address": "198.51.100.23:50000"},
    ):
        assert client_address(_event(spoofed, source="192.0.2.99"), origin_secret=SECRET) == "192.0.2.99"
    # No secret configured (local stack, tests): never trusted.
    assert client_address(_event(via_cloudfront, source="192.0.2.99"), origin_secret=None) == "192.0.2.99"
    assert client_address(_event(via_cloudfront, source="192.0.2.99"), origin_secret="") == "192.0.2.99"
    # With the secret but an unreadable viewer address: the direct address, never the garbage.
    for bad in ("198.51.100.23", "evil", "198.51.100.23:99999"):
        headers = {ORIGIN_VERIFY_HEADER: SECRET, "CloudFront-Viewer-Address": bad}
        assert client_address(_event(headers), origin_secret=SECRET) == EDGE
    assert client_address(_event({ORIGIN_VERIFY_HEADER: SECRET}), origin_secret=SECRET) == EDGE


def test_repeated_headers_are_not_trusted() -> None:
    event = _event({ORIGIN_VERIFY_HEADER: SECRET})
    event["multiValueHeaders"]["CloudFront-Viewer-Address"] = ["198.51.100.23:1", "203.0.113.9:1"]
    assert client_address(event, origin_secret=SECRET) == EDGE
    event = _event({"CloudFront-Viewer-Address": "198.51.100.23:1"})
    event["multiValueHeaders"][ORIGIN_VERIFY_HEADER] = ["guess", SECRET]
    assert client_address(event, origin_secret=SECRET) == EDGE


def test_no_source_at_all_is_none() -> None:
    event = _event({})
    event["requestContext"]["identity"] = {}
    assert client_address(event, origin_secret=SECRET) is None


def test_the_secret_comes_from_secrets_manager_in_aws(aws: None) -> None:
    import boto3

    client = boto3.client("secretsmanager", region_name="us-east-1")
    arn = client.create_secret(Name=f"origin-{uuid.uuid4().hex}", SecretString=SECRET)["ARN"]
    settings = Settings(origin_verify_secret_arn=arn, origin_verify_secret="a-local-value-not-used-in-aws")
    assert origin_secret(settings) == SECRET
    assert origin_secret(Settings(origin_verify_secret="local")) == "local"
    assert origin_secret(Settings()) is None
    # A secret that cannot be read: no viewer address is trusted, login itself still works.
    missing = arn.rsplit(":", 1)[0] + ":origin-missing-AbCdEf"
    assert origin_secret(Settings(origin_verify_secret_arn=missing)) is None


def _login(api: ApiClient, email: str, password: str, headers: dict[str, str], source: str = EDGE) -> Any:
    event = api_event("POST", "/auth/login", body={"email": email, "password": password}, headers=headers)
    event["requestContext"]["identity"]["sourceIp"] = source
    return invoke("api_auth", event)


def test_login_throttle_counts_the_trusted_viewer_and_ignores_a_spoofed_one(
    aws: None, api: ApiClient, api_settings: Settings, admin_user: ApiUser, owner_conn: Any
) -> None:
    import boto3

    from shared.api import deps

    # given the API reads the origin secret from (moto) Secrets Manager, as in AWS
    client = boto3.client("secretsmanager", region_name="us-east-1")
    arn = client.create_secret(Name=f"origin-{uuid.uuid4().hex}", SecretString=SECRET)["ARN"]
    deps.use_settings(api_settings.model_copy(update={"origin_verify_secret_arn": arn}))

    # when a viewer hammers through CloudFront (every request from the same edge address)
    attacker = {ORIGIN_VERIFY_HEADER: SECRET, "CloudFront-Viewer-Address": "198.51.100.66:40001"}
    statuses = [_login(api, admin_user.email, "guess", attacker).status for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    # then the admin behind the same edge, from another viewer address, still logs in
    admin = {ORIGIN_VERIFY_HEADER: SECRET, "CloudFront-Viewer-Address": "[2001:db8::7]:50123"}
    assert _login(api, admin_user.email, admin_user.password, admin).status == 200
    sources = {
        row["source"] for row in owner_conn.execute("SELECT source FROM login_throttle WHERE source <> ''").fetchall()
    }
    assert sources == {"198.51.100.66"}  # the viewer, not the edge

    # and a direct caller spoofing the admin's viewer address is counted under its own address
    owner_conn.execute("DELETE FROM login_throttle")
    spoofed = {"CloudFront-Viewer-Address": "[2001:db8::7]:50123"}
    for _ in range(5):
        _login(api, admin_user.email, "guess", spoofed, source="192.0.2.200")
    sources = {
        row["source"] for row in owner_conn.execute("SELECT source FROM login_throttle WHERE source <> ''").fetchall()
    }
    assert sources == {"192.0.2.200"}
    assert _login(api, admin_user.email, admin_user.password, admin).status == 200
