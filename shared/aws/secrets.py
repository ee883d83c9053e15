"""Secrets Manager through Powertools parameters (cached across warm invocations)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities import parameters

from shared.errors import ConfigurationError

SECRET_MAX_AGE_SECONDS = 300


def get_json_secret(secret_id: str) -> dict[str, Any]:
    """A JSON secret as a dict (RDS credentials, signing keys)."""
    value = parameters.get_secret(secret_id, transform="json", max_age=SECRET_MAX_AGE_SECONDS)
    if not isinstance(value, dict):
        raise ConfigurationError("secret is not a JSON object")
    return value


def get_text_secret(secret_id: str) -> str:
    """A plain-text secret; a JSON secret with a single `value` key is also accepted."""
    value = parameters.get_secret(secret_id, max_age=SECRET_MAX_AGE_SECONDS)
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    text = str(value)
    if text.startswith("{"):
        import json

        parsed = json.loads(text)
        if isinstance(parsed, dict) and isinstance(parsed.get("value"), str):
            return parsed["value"]
    return text
