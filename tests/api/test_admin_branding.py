"""Client branding: logo (PNG/JPEG sniffed from bytes, size-capped) and accent colour; the
client's own dashboard reads them, nobody else's."""

from __future__ import annotations

import base64
import struct
import uuid
import zlib
from typing import Any

import pytest

from shared.admin.branding import MAX_LOGO_BYTES, sniff_logo
from shared.errors import InvalidInput
from tests.api.conftest import ApiClient, ApiUser


def png(width: int = 2, height: int = 1, *, padding: int = 0) -> bytes:
    """A real PNG (valid chunks and CRCs), optionally padded with a tEXt chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw))
    if padding:
        body += chunk(b"tEXt", b"pad\x00" + b"x" * padding)
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


def jpeg(width: int = 3, height: int = 2) -> bytes:
    """SOI, an APP0 segment, then a baseline SOF0 frame header (what the sniffer reads)."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def test_sniffing_reads_type_and_dimensions_from_the_bytes() -> None:
    logo = sniff_logo(png(40, 20))
    assert (logo.content_type, logo.width, logo.height) == ("image/png", 40, 20)
    logo = sniff_logo(jpeg(300, 100))
    assert (logo.content_type, logo.width, logo.height) == ("image/jpeg", 300, 100)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "PNG or JPEG"),
        (b"GIF89a\x01\x00\x01\x00", "PNG or JPEG"),
        (b"<html><body>png</body></html>", "PNG or JPEG"),
        (png()[:20], "not a valid PNG"),  # truncated before the IHDR dimensions
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dtEXt" + b"\x00" * 20, "not a valid PNG"),  # IHDR not first
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "not a valid JPEG"),  # no frame header
        (png(5000, 10), "4096 pixels"),  # a decompression bomb announces itself in IHDR
        (jpeg(10, 4097), "4096 pixels"),
        (png(0, 10), "4096 pixels"),
        (png(padding=MAX_LOGO_BYTES), "256 KiB"),
    ],
)
def test_anything_but_a_sane_png_or_jpeg_is_refused(content: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        sniff_logo(content)
    assert message in raised.value.message


@pytest.fixture
def acme(make_client: Any) -> dict[str, Any]:
    return make_client("Acme", "acme")


def test_admin_sets_logo_and_colour_and_the_client_dashboard_serves_them(
    api: ApiClient, admin_user: ApiUser, make_user: Any, acme: dict[str, Any]
) -> None:
    image = png(64, 32)
    # given an admin who uploads a logo and an accent colour
    response = api.patch(
        f"/admin/clients/{acme['id']}/branding",
        token=admin_user.token,
        body={"accent_color": "#1A2B3C", "logo_base64": b64(image)},
    )
    assert response.status == 200, response.body
    branding = response.json()
    assert branding["accent_color"] == "#1a2b3c"
    assert (branding["logo_content_type"], branding["logo_bytes"]) == ("image/png", len(image))
    assert (branding["logo_width"], branding["logo_height"]) == (64, 32)
    assert branding["logo_url"].startswith(f"/clients/{acme['id']}/branding/logo?v=")

    # when the client's own user reads them
    user = make_user(role="client", client_id=acme["id"])
    mine = api.get(f"/clients/{acme['id']}/branding", token=user.token)
    assert mine.status == 200 and mine.json() == branding
    logo = api.get(branding["logo_url"].split("?")[0], token=user.token, query={"v": branding["logo_url"][-16:]})

    # then the bytes come back as sent, typed as sniffed, never sniffed again by the browser
    assert logo.status == 200
    assert logo.raw["isBase64Encoded"] is True
    assert base64.b64decode(logo.body) == image
    assert logo.headers["Content-Type"] == "image/png"
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in logo.headers["Content-Security-Policy"]
    assert logo.headers["Cache-Control"].startswith("private")


def test_a_jpeg_replaces_the_png_and_null_removes_it(api: ApiClient, admin_user: ApiUser, acme: dict[str, Any]) -> None:
    url = f"/admin/clients/{acme['id']}/branding"
    api.patch(url, token=admin_user.token, body={"logo_base64": b64(png())})
    replaced = api.patch(url, token=admin_user.token, body={"logo_base64": b64(jpeg())}).json()
    assert replaced["logo_content_type"] == "image/jpeg"
    served = api.get(f"/clients/{acme['id']}/branding/logo", token=admin_user.token)
    assert served.headers["Content-Type"] == "image/jpeg"
    assert base64.b64decode(served.body) == jpeg()

    # a field left out stays; null clears
    kept = api.patch(url, token=admin_user.token, body={"accent_color": "#abcdef"}).json()
    assert kept["logo_content_type"] == "image/jpeg"
    removed = api.patch(url, token=admin_user.token, body={"logo_base64": None}).json()
    assert removed["logo_url"] is None and removed["logo_bytes"] is None
    assert removed["accent_color"] == "#abcdef"
    assert api.get(f"/clients/{acme['id']}/branding/logo", token=admin_user.token).status == 404
    cleared = api.patch(url, token=admin_user.token, body={"accent_color": None}).json()
    assert cleared["accent_color"] is None


def test_a_client_without_branding_has_none(api: ApiClient, client_user: ApiUser) -> None:
    response = api.get(f"/clients/{client_user.client_id}/branding", token=client_user.token)
    assert response.status == 200
    assert response.json()["accent_color"] is None and response.json()["logo_url"] is None
    assert api.get(f"/clients/{client_user.client_id}/branding/logo", token=client_user.token).status == 404


def test_another_clients_branding_is_not_found(
    api: ApiClient, admin_user: ApiUser, client_user: ApiUser, acme: dict[str, Any]
) -> None:
    api.patch(f"/admin/clients/{acme['id']}/branding", token=admin_user.token, body={"logo_base64": b64(png())})
    # a user of another client gets 404, exactly like an unknown id
    assert api.get(f"/clients/{acme['id']}/branding", token=client_user.token).status == 404
    assert api.get(f"/clients/{acme['id']}/branding/logo", token=client_user.token).status == 404
    assert api.get(f"/clients/{uuid.uuid4()}/branding/logo", token=client_user.token).status == 404
    # and may not change anyone's branding
    own = f"/admin/clients/{client_user.client_id}/branding"
    assert api.patch(own, token=client_user.token, body={"accent_color": "#000000"}).status == 403
    assert api.get(own, token=client_user.token).status == 403
    assert api.get(f"/clients/{acme['id']}/branding/logo").status == 401


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"accent_color": "red"}, 400),
        ({"accent_color": "#12345"}, 400),
        ({"accent_color": "#GGGGGG"}, 400),
        ({"accent_color": "#1234567"}, 400),
        ({"logo_base64": "not base64!"}, 400),
        ({"logo_base64": b64(b"<svg/>")}, 400),
        ({"logo_base64": b64(png(padding=MAX_LOGO_BYTES))}, 400),
        ({"logo_base64": "A" * 400_001}, 400),
        ({"logo_url": "https://evil.example/x.png"}, 400),
    ],
)
def test_bad_branding_is_refused_and_changes_nothing(
    api: ApiClient, admin_user: ApiUser, acme: dict[str, Any], body: dict[str, Any], status: int
) -> None:
    url = f"/admin/clients/{acme['id']}/branding"
    response = api.patch(url, token=admin_user.token, body=body)
    assert response.status == status, response.body
    assert api.get(url, token=admin_user.token).json()["logo_url"] is None


def test_unknown_client_is_404(api: ApiClient, admin_user: ApiUser) -> None:
    url = f"/admin/clients/{uuid.uuid4()}/branding"
    assert api.get(url, token=admin_user.token).status == 404
    assert api.patch(url, token=admin_user.token, body={"accent_color": "#000000"}).status == 404


def test_row_level_security_keeps_logos_per_tenant(owner_conn: Any, api_db: Any, acme: dict[str, Any]) -> None:
    from shared.admin.branding import client_logo, sniff_logo, update_branding
    from shared.db import Tenant
    from shared.errors import NotFound

    update_branding(api_db, acme["id"], logo=sniff_logo(png()))
    other = owner_conn.execute("INSERT INTO clients (name, slug) VALUES ('Other', 'other') RETURNING id").fetchone()
    # the SQL itself (not only the route's check) hides another tenant's logo
    with pytest.raises(NotFound):
        client_logo(api_db, tenant=Tenant.client(other["id"]), client_id=acme["id"])
    assert client_logo(api_db, tenant=Tenant.client(acme["id"]), client_id=acme["id"])["content"] == png()
    # and a client tenant cannot write branding at all
    with (
        pytest.raises(Exception, match="row-level security"),
        api_db.transaction(tenant=Tenant.client(other["id"])) as conn,
    ):
        conn.execute("INSERT INTO client_branding (client_id, accent_color) VALUES (%s, '#000000')", (other["id"],))
