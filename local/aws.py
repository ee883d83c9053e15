"""Emulated AWS for the local stack: a moto server on loopback (S3, SES, Secrets Manager).

The server runs in a thread of the demo process; every handler container reaches it through
`AWS_ENDPOINT_URL` (boto3 honours it) with fake credentials.
"""

from __future__ import annotations

import json
import logging
import socket
import urllib.request
from dataclasses import dataclass
from typing import Any

REGION = "us-east-1"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}  # moto accepts anything
LOOPBACK = "127.0.0.1"


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def choose_port(requested: str | None, default: int) -> int:
    """The port to bind: an explicit request (0 = any free port), else `default` if free, else any.

    An explicitly requested port that is busy is an error (the user asked for it); a busy
    default silently falls back to a free port.
    """
    if requested not in (None, ""):
        port = int(requested)  # type: ignore[arg-type]
        if port and not port_is_free(port):
            raise RuntimeError(f"port {port} is already in use")
        return port
    return default if port_is_free(default) else 0


@dataclass
class LocalAws:
    """A running moto server and its endpoint."""

    server: Any
    endpoint: str

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def sent_emails(self) -> list[dict[str, Any]]:
        """Every email sent through SES so far (moto's introspection endpoint)."""
        with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=5) as response:  # noqa: S310 - loopback URL we built
            data = json.loads(response.read())
        return list(data.get("ses", {}).get("Message", []))

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        server = self.server
        if server is None:
            return
        self.server = None
        server.stop()
        wsgi = getattr(server, "_server", None)
        if wsgi is not None:
            wsgi.server_close()


def start_moto(port: int) -> LocalAws:
    """Start moto on 127.0.0.1:`port` (0 = a free port)."""
    from moto.server import ThreadedMotoServer

    # werkzeug logs every request (the S3 poller lists the bucket every second).
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=port, verbose=False)
    server.start()
    host, bound = server.get_host_and_port()
    return LocalAws(server=server, endpoint=f"http://{host}:{bound}")


def provision(
    aws: LocalAws, *, bucket: str, partner_bucket: str, sender: str, jwt_secret_name: str, jwt_secret: str
) -> None:
    """Create what the deployed stack would: the landing bucket, the verified SES sender and
    the JWT signing-key secret (the local handlers read JWT_SECRET; the secret shows the shape),
    plus a bucket standing in for the partner's own (what `partner_sync` copies from)."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=partner_bucket)
    aws.client("ses").verify_email_identity(EmailAddress=sender)
    aws.client("secretsmanager").create_secret(Name=jwt_secret_name, SecretString=jwt_secret)
