"""bcrypt password hashing with the 72-byte limit checked first (bcrypt raises above it)."""

from __future__ import annotations

import secrets

import bcrypt

from shared.errors import InvalidInput

# bcrypt only looks at the first 72 bytes and bcrypt 5 raises ValueError above that: we reject
# longer passwords as invalid input instead of letting them become a 500.
MAX_PASSWORD_BYTES = 72
MIN_PASSWORD_CHARS = 10

# A real hash of a random password, computed once per process at the configured cost: login
# checks unknown or disabled accounts against it so every failure costs one bcrypt check.
_dummy_hashes: dict[int, bytes] = {}


def check_length(password: str, *, field: str = "password") -> bytes:
    """The password as UTF-8 bytes, or InvalidInput when it is empty or over 72 bytes."""
    encoded = password.encode("utf-8")
    if not encoded:
        raise InvalidInput(f"{field} must not be empty")
    if len(encoded) > MAX_PASSWORD_BYTES:
        raise InvalidInput(f"{field} must be at most {MAX_PASSWORD_BYTES} bytes in UTF-8")
    return encoded


def check_strength(password: str, *, field: str = "password") -> bytes:
    """`check_length` plus the minimum length required for a newly chosen password."""
    encoded = check_length(password, field=field)
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"{field} must be at least {MIN_PASSWORD_CHARS} characters")
    return encoded


def hash_password(password: str, *, rounds: int) -> str:
    """A bcrypt hash (text) of a new password; InvalidInput for a too short or too long one."""
    encoded = check_strength(password)
    return bcrypt.hashpw(encoded, bcrypt.gensalt(rounds=rounds)).decode("ascii")


def verify_password(password: str, password_hash: str | None, *, rounds: int) -> bool:
    """True when `password` matches `password_hash`.

    With no hash (unknown or disabled account) the password is still checked against a dummy
    hash of the same cost, so the caller's timing does not reveal which case it was.
    Over-long passwords must have been rejected by `check_length` before.
    """
    encoded = check_length(password)
    # Built on the first check of any kind, so no single path pays the extra hashpw.
    dummy = _dummy_hash(rounds)
    if password_hash is None:
        bcrypt.checkpw(encoded, dummy)
        return False
    try:
        return bcrypt.checkpw(encoded, password_hash.encode("ascii"))
    except ValueError:
        # A corrupt stored hash must not lock the caller into a 500; it simply never matches.
        return False


def generate_password() -> str:
    """A random temporary password (~120 bits, URL-safe, well under 72 bytes)."""
    return secrets.token_urlsafe(15)


def _dummy_hash(rounds: int) -> bytes:
    cached = _dummy_hashes.get(rounds)
    if cached is None:
        cached = _dummy_hashes[rounds] = bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds=rounds))
    return cached
