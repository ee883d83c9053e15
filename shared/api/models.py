"""Request and response models shared by the API routers (request bodies forbid extra fields)."""

from __future__ import annotations

from typing import Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class RequestBody(BaseModel):
    """Base of every request body: unknown fields are a 422, never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Page(BaseModel, Generic[T]):
    """The list shape: `{"items": [...], "total": N}` (total ignores limit/offset)."""

    items: list[T]
    total: int


class Message(BaseModel):
    message: str


class UserOut(BaseModel):
    id: UUID
    email: str
    role: str
    client_id: UUID | None = None


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str | None = Field(description="The refresh token; null in a cookie session (it is the cookie)")
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="Access token lifetime in seconds")
    user: UserOut
