"""Client branding: a logo and an accent colour, shown on the client's dashboard.

The logo's type is sniffed from its bytes, never taken from a name or a header: only PNG
and JPEG are accepted (SVG can carry script), at most `MAX_LOGO_BYTES` and
`MAX_LOGO_SIDE` pixels a side (the header's dimensions are read, so a tiny file that
decodes to a gigapixel image is refused too). Logos are stored in the database (bytea) and
served by the API from the app's origin with their sniffed type and `nosniff`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from shared.db import QUERIES, Database, Tenant
from shared.errors import InvalidInput, NotFound

MAX_LOGO_BYTES = 256 * 1024
MAX_LOGO_SIDE = 4096
ACCENT_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (baseline, progressive, ...): not DHT (C4), JPG (C8), DAC (CC).
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


@dataclass(frozen=True, slots=True)
class Logo:
    content: bytes
    content_type: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def normalise_accent_color(value: str) -> str:
    """`#RRGGBB` (any case) → lower case; anything else is InvalidInput."""
    if not ACCENT_COLOR.match(value):
        raise InvalidInput("accent_color must be a colour in #RRGGBB form")
    return value.lower()


def decode_logo(content_base64: str) -> Logo:
    """A logo from its base64 text: PNG or JPEG by its bytes, within the size limits."""
    # Reject before decoding anything large: base64 is 4/3 of the bytes.
    if len(content_base64) > (MAX_LOGO_BYTES * 4) // 3 + 4:
        raise InvalidInput(f"the logo may be at most {MAX_LOGO_BYTES // 1024} KiB")
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("logo_base64 must be base64-encoded image bytes") from None
    return sniff_logo(content)


def sniff_logo(content: bytes) -> Logo:
    """Identify PNG or JPEG from the bytes and read its dimensions; InvalidInput otherwise."""
    if not content:
        raise InvalidInput("the logo is empty")
    if len(content) > MAX_LOGO_BYTES:
        raise InvalidInput(f"the logo may be at most {MAX_LOGO_BYTES // 1024} KiB")
    if content.startswith(PNG_SIGNATURE):
        content_type, size = "image/png", _png_size(content)
    elif content.startswith(b"\xff\xd8\xff"):
        content_type, size = "image/jpeg", _jpeg_size(content)
    else:
        raise InvalidInput("the logo must be a PNG or JPEG image")
    if size is None:
        raise InvalidInput(f"the logo is not a valid {content_type.split('/')[1].upper()} image")
    width, height = size
    if not (0 < width <= MAX_LOGO_SIDE and 0 < height <= MAX_LOGO_SIDE):
        raise InvalidInput(f"the logo may be at most {MAX_LOGO_SIDE} pixels wide and high")
    return Logo(content, content_type, width, height)


def _png_size(content: bytes) -> tuple[int, int] | None:
    # The first chunk must be IHDR: length 13, then width and height (big-endian).
    if len(content) < 33 or content[12:16] != b"IHDR" or struct.unpack(">I", content[8:12])[0] != 13:
        return None
    width, height = struct.unpack(">II", content[16:24])
    return width, height


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    # Walk the marker segments up to the first start-of-frame; it holds height, width.
    pos = 2
    while pos + 4 <= len(content):
        if content[pos] != 0xFF:
            return None
        marker = content[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # standalone markers
            pos += 2
            continue
        (length,) = struct.unpack(">H", content[pos + 2 : pos + 4])
        if length < 2:
            return None
        if marker in _JPEG_SOF:
            if pos + 9 > len(content):
                return None
            height, width = struct.unpack(">HH", content[pos + 5 : pos + 9])
            return width, height
        if marker == 0xD9:  # end of image before any frame
            return None
        pos += 2 + length
    return None


def get_branding(db: Database, client_id: UUID) -> dict[str, Any]:
    """A client's branding (admin view); NotFound for an unknown client."""
    with db.transaction(tenant=Tenant.every_client()) as conn:
        row = conn.execute(QUERIES["admin_get_branding"], {"client_id": client_id}).fetchone()
    if row is None:
        raise NotFound("client not found")
    return row


def update_branding(db: Database, client_id: UUID, **changes: Any) -> dict[str, Any]:
    """Apply the given changes: `accent_color` (#RRGGBB or None to clear) and/or `logo`
    (a `Logo`, or None to remove it). Fields not given are left as they are."""
    with db.transaction(tenant=Tenant.every_client()) as conn:
        if conn.execute(QUERIES["admin_client_exists"], {"client_id": client_id}).fetchone() is None:
            raise NotFound("client not found")
        if "accent_color" in changes:
            color = changes["accent_color"]
            conn.execute(
                QUERIES["admin_set_accent_color"],
                {"client_id": client_id, "accent_color": None if color is None else normalise_accent_color(color)},
            )
        if "logo" in changes:
            logo: Logo | None = changes["logo"]
            conn.execute(
                QUERIES["admin_set_logo"],
                {
                    "client_id": client_id,
                    "logo": None if logo is None else logo.content,
                    "content_type": None if logo is None else logo.content_type,
                    "sha256": None if logo is None else logo.sha256,
                    "width": None if logo is None else logo.width,
                    "height": None if logo is None else logo.height,
                },
            )
        row = conn.execute(QUERIES["admin_get_branding"], {"client_id": client_id}).fetchone()
    assert row is not None
    return row


def client_branding(db: Database, *, tenant: Tenant, client_id: UUID) -> dict[str, Any]:
    """The branding a client's dashboard shows, read in the caller's tenant."""
    with db.transaction(tenant=tenant) as conn:
        row = conn.execute(QUERIES["admin_get_branding"], {"client_id": client_id}).fetchone()
    if row is None:
        raise NotFound("client not found")
    return row


def client_logo(db: Database, *, tenant: Tenant, client_id: UUID) -> dict[str, Any]:
    """The logo bytes and type, read in the caller's tenant; NotFound without one."""
    with db.transaction(tenant=tenant) as conn:
        row = conn.execute(QUERIES["client_branding_logo"], {"client_id": client_id}).fetchone()
    if row is None:
        raise NotFound("no logo")
    return {"content": bytes(row["logo"]), "content_type": row["logo_content_type"], "sha256": row["logo_sha256"]}
