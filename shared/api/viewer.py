"""The caller's address, for the login throttle: the viewer's behind CloudFront, else the direct one.

Behind CloudFront, API Gateway's `requestContext.identity.sourceIp` is the edge server's
address, shared by many users. CloudFront forwards the viewer's own address in
`CloudFront-Viewer-Address` (`203.0.113.7:46532`, IPv6 as `2001:db8::1:46532`), and adds the
origin-verify header, whose value is a secret only CloudFront and the API know, to every
request it sends to the API. The viewer address is trusted only when that header carries the
secret: anyone calling API Gateway directly can send a `CloudFront-Viewer-Address` of their
choosing, and then their direct source address counts instead.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from shared.observability import logger
from shared.settings import Settings

# Lowercase names; matched case-insensitively. infra/constants.py sets the same names in CloudFront.
ORIGIN_VERIFY_HEADER = "x-origin-verify"
VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address"
MAX_VIEWER_ADDRESS_LENGTH = 64  # "[" + 45 (the longest IPv6 text) + "]:65535", with room to spare
_PORT = re.compile(r"[0-9]{1,5}")
_IPV4 = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_IPV6 = re.compile(r"[0-9A-Fa-f:.]{2,45}")  # hex groups, colons, an embedded IPv4; no zone id


def parse_viewer_address(value: str) -> str | None:
    """The IP address of a `CloudFront-Viewer-Address` value, normalised, or None when the value
    is not exactly `IPv4:port`, `IPv6:port` or `[IPv6]:port` (ASCII, port 0-65535)."""
    if not value or len(value) > MAX_VIEWER_ADDRESS_LENGTH or not value.isascii():
        return None
    if value.startswith("["):
        host, sep, port = value[1:].partition("]:")
        if not sep or not _IPV6.fullmatch(host):
            return None
    else:
        host, sep, port = value.rpartition(":")
        if not sep or not (_IPV4.fullmatch(host) or (":" in host and _IPV6.fullmatch(host))):
            return None
    if not _PORT.fullmatch(port) or int(port) > 65535:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if value.startswith("[") and address.version != 6:
        return None
    return str(address)


def _single_header(event: Mapping[str, Any], name: str) -> str | None:
    """The one value of header `name`; None when absent or sent more than once."""
    values: list[str] = []
    for key, items in (event.get("multiValueHeaders") or {}).items():
        if isinstance(key, str) and key.lower() == name:
            values.extend(item for item in items or [] if isinstance(item, str))
    if not values:
        values = [v for k, v in (event.get("headers") or {}).items() if isinstance(k, str) and k.lower() == name]
    if len(values) != 1 or not isinstance(values[0], str):
        return None
    return values[0]


def _direct_source(event: Mapping[str, Any]) -> str | None:
    identity = (event.get("requestContext") or {}).get("identity") or {}
    source = identity.get("sourceIp")
    return source if isinstance(source, str) and source else None


def client_address(event: Mapping[str, Any], *, origin_secret: str | None) -> str | None:
    """The address the throttle counts a request under: the viewer's when the request came
    through our CloudFront (the origin-verify header equals `origin_secret`), else the direct
    source address API Gateway saw."""
    direct = _direct_source(event)
    if not origin_secret:
        return direct
    presented = _single_header(event, ORIGIN_VERIFY_HEADER)
    if presented is None or not hmac.compare_digest(presented.encode(), origin_secret.encode()):
        return direct
    viewer = _single_header(event, VIEWER_ADDRESS_HEADER)
    parsed = parse_viewer_address(viewer) if viewer is not None else None
    if parsed is None:
        # CloudFront always sends one well-formed value; say so if it ever does not.
        logger.warning("viewer address unreadable", has_header=viewer is not None)
        return direct
    return parsed


def origin_secret(settings: Settings) -> str | None:
    """The origin-verify secret: Secrets Manager (`ORIGIN_VERIFY_SECRET_ARN`, cached) in AWS,
    `ORIGIN_VERIFY_SECRET` locally, None when neither is set (no viewer address is trusted)."""
    if settings.origin_verify_secret_arn:
        from shared.aws.secrets import get_text_secret

        try:
            return get_text_secret(settings.origin_verify_secret_arn)
        except Exception as exc:  # noqa: BLE001 - login must not fail for this: fall back to the direct address
            logger.warning("origin secret unavailable", error=type(exc).__name__)
            return None
    return settings.origin_verify_secret or None
