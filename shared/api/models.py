"""Request and response models shared by the API routers (request bodies forbid extra fields)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class ApiModel(BaseModel):
    """Base of every API model: its validator and serializer are built when a request first
    needs them, not at import. A cold container serves one route and builds only that
    route's models (the admin API declares ~50; building them all cost ~25 ms of its
    import)."""

    model_config = ConfigDict(defer_build=True)


class RequestBody(ApiModel):
    """Base of every request body: unknown fields are a 400, never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Page(ApiModel, Generic[T]):
    """The list shape: `{"items": [...], "total": N}` (total ignores limit/offset)."""

    items: list[T]
    total: int


class Message(ApiModel):
    message: str


class UserOut(ApiModel):
    id: UUID
    email: str
    role: str
    client_id: UUID | None = None


class TokenPair(ApiModel):
    access_token: str
    refresh_token: str | None = Field(description="The refresh token; null in a cookie session (it is the cookie)")
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="Access token lifetime in seconds")
    user: UserOut


class BrandingOut(ApiModel):
    """A client's branding, for the admin and for the client's own dashboard."""

    client_id: UUID
    accent_color: str | None = Field(description="#rrggbb, lower case")
    logo_url: str | None = Field(description="Path of the logo under the API (same origin), null without one")
    logo_content_type: Literal["image/png", "image/jpeg"] | None
    logo_bytes: int | None
    logo_width: int | None
    logo_height: int | None
    updated_at: datetime | None


def branding_out(row: dict[str, Any]) -> BrandingOut:
    """The branding shape from a branding row."""
    logo = row["logo_sha256"]
    return BrandingOut(
        client_id=row["client_id"],
        accent_color=None if row["accent_color"] is None else row["accent_color"].strip(),
        # The hash in the URL changes with the logo, so the image may be cached for long.
        logo_url=None if logo is None else f"/clients/{row['client_id']}/branding/logo?v={logo[:16]}",
        logo_content_type=row["logo_content_type"],
        logo_bytes=row["logo_bytes"],
        logo_width=row["logo_width"],
        logo_height=row["logo_height"],
        updated_at=row["updated_at"],
    )
