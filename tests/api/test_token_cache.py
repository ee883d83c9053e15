"""The warm container's memory of verified access tokens (`shared.auth.tokens._VERIFIED`).

A remembered token skips the signature check, never the checks that change with time,
and only a token that verified is remembered, under the key that verified it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from shared.auth import tokens
from shared.errors import Unauthenticated
from shared.settings import Settings

KEY = "token-cache-signing-key-that-is-long-enough-for-hs256"
OTHER_KEY = "another-token-cache-signing-key-long-enough-for-hs256"


@pytest.fixture
def settings() -> Settings:
    return Settings(jwt_secret=KEY, jwt_leeway_seconds=10, access_token_ttl_seconds=900)


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The tokens PyJWT really verified (its decode, counted, then called as is)."""
    seen: list[str] = []
    real_decode = jwt.decode

    def counted(token: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(token)
        return real_decode(token, *args, **kwargs)

    monkeypatch.setattr(tokens.jwt, "decode", counted)
    tokens._VERIFIED.clear()
    yield seen
    tokens._VERIFIED.clear()


def _token(settings: Settings, *, now: int | None = None, role: str = "client") -> str:
    token, _ = tokens.issue_access_token(
        user_id=uuid.uuid4(),
        role=role,
        client_id=uuid.uuid4() if role == "client" else None,
        session_version=1,
        session_id=uuid.uuid4(),
        settings=settings,
        now=now,
    )
    return token


def _refused_and_forgotten(token: str, settings: Settings) -> None:
    """A remembered token refused with the one generic message, and no longer remembered."""
    with pytest.raises(Unauthenticated, match=r"^invalid or expired access token$"):
        tokens.decode_access_token(token, settings=settings)
    assert tokens._VERIFIED == {}


def test_a_verified_token_is_not_verified_again(settings: Settings, verifications: list[str]) -> None:
    token = _token(settings)
    first = tokens.decode_access_token(token, settings=settings)
    again = tokens.decode_access_token(token, settings=settings)
    assert again == first
    assert verifications == [token]


def test_a_remembered_token_still_expires(
    settings: Settings, verifications: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = int(time.time())
    token = _token(settings, now=now)
    claims = tokens.decode_access_token(token, settings=settings)
    # Within the leeway after expiry it is still accepted, as PyJWT accepts it...
    monkeypatch.setattr(tokens.time, "time", lambda: float(claims.expires_at + 9))
    assert tokens.decode_access_token(token, settings=settings) == claims
    # ...past it, refused with the one generic message, and forgotten.
    monkeypatch.setattr(tokens.time, "time", lambda: float(claims.expires_at + 10))
    _refused_and_forgotten(token, settings)
    assert verifications == [token]


def test_a_remembered_token_is_refused_when_the_clock_steps_back_before_its_issue(
    settings: Settings, verifications: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = int(time.time())
    token = _token(settings, now=now)
    tokens.decode_access_token(token, settings=settings)
    monkeypatch.setattr(tokens.time, "time", lambda: float(now - 11))
    _refused_and_forgotten(token, settings)
    assert verifications == [token]


def test_a_token_is_remembered_only_under_the_key_that_verified_it(
    settings: Settings, verifications: list[str]
) -> None:
    token = _token(settings)
    tokens.decode_access_token(token, settings=settings)
    rotated = Settings(jwt_secret=OTHER_KEY)
    with pytest.raises(Unauthenticated):
        tokens.decode_access_token(token, settings=rotated)
    other_audience = Settings(jwt_secret=KEY, jwt_audience="someone-else")
    with pytest.raises(Unauthenticated):
        tokens.decode_access_token(token, settings=other_audience)
    assert verifications == [token, token, token]


def test_a_refused_token_is_never_remembered(settings: Settings, verifications: list[str]) -> None:
    header, payload, signature = _token(settings).split(".")
    tampered = f"{header}.{payload}x.{signature}"
    forged = _token(Settings(jwt_secret=OTHER_KEY))
    for token in (tampered, tampered, forged, forged, "not.a.jwt"):
        with pytest.raises(Unauthenticated):
            tokens.decode_access_token(token, settings=settings)
    assert tokens._VERIFIED == {}
    assert len(verifications) == 5


def test_the_memory_is_bounded_and_forgets_the_least_recently_used(
    settings: Settings, verifications: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "MAX_VERIFIED_TOKENS", 3)
    first, second, third, fourth = (_token(settings) for _ in range(4))
    for token in (first, second, third, first, fourth):  # `first` used again: `second` is the oldest
        tokens.decode_access_token(token, settings=settings)
    assert len(tokens._VERIFIED) == 3
    assert {remembered[-1] for remembered in tokens._VERIFIED} == {first, third, fourth}
    tokens.decode_access_token(second, settings=settings)
    assert verifications == [first, second, third, fourth, second]
