"""All environment configuration, read and validated once.

Every other module receives a `Settings` (or reads `get_settings()` at its edge). Tests set
the environment and call `get_settings.cache_clear()`.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator


def _csv(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)


class Settings(BaseModel):
    """Typed view of the environment. Field `x` is read from the variable `X`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    stage: str = "local"
    aws_region: str = "us-east-1"

    # Database. Locally a libpq URL; in AWS a Secrets Manager secret (RDS JSON format)
    # for the role this function connects as.
    database_url: str | None = None
    database_secret_arn: str | None = None
    # Role the runtime connects as (the URL's user is used by the migration runner).
    db_user: str | None = None
    db_password: str | None = None
    # In AWS with RDS Proxy on: the proxy's endpoint, used instead of the secret's host.
    db_host: str | None = None
    db_connect_timeout: int = Field(default=5, ge=1, le=60)
    db_statement_timeout_ms: int = Field(default=60_000, ge=100)
    # The migrate function only (AWS): the application roles' secrets, whose passwords it
    # sets on the database after applying the migrations.
    api_role_secret_arn: str | None = None
    worker_role_secret_arn: str | None = None

    # Storage and ingestion.
    landing_bucket: str | None = None
    partner_bucket: str | None = None
    partner_prefix: str = ""
    max_file_bytes: int = Field(default=1_073_741_824, ge=1)  # 1 GiB
    reject_threshold: Decimal = Field(default=Decimal("0.01"), ge=0, le=1)
    reporting_timezone: str = "UTC"
    missing_file_check_hour: int = Field(default=9, ge=0, le=23)
    # The earliest date any input may name (CSV rows, API dates); later ones up to a year ahead.
    min_data_date: date = date(2000, 1, 1)
    # Hostile-file bounds (shared.ingestion.limits), enforced while streaming, before anything
    # is buffered; a file past one is a failed run. Defaults sit far above any real export.
    max_line_chars: int = Field(default=1_048_576, ge=64)  # one CSV record, quoted line breaks included
    max_field_chars: int = Field(default=131_072, ge=16)
    max_header_chars: int = Field(default=65_536, ge=64)
    max_header_columns: int = Field(default=1_000, ge=9)  # the nine required fields at least
    max_file_rows: int = Field(default=10_000_000, ge=1)  # records after the header, blank ones included
    # The ingest run gives up this long before the invocation's timeout, leaving time to roll
    # back, record the failed run and send its alert.
    ingest_time_margin_seconds: float = Field(default=30, ge=0, le=600)

    # Margin ledger: the daily check alerts (once per client per day) when a client's margin
    # ratio (margin / spend) over the last 7 days is under this fraction (0.10 = 10%).
    margin_alert_threshold: Decimal = Field(default=Decimal("0.10"), ge=-1, le=1)

    # Summaries.
    ranking_min_impressions: int = Field(default=1000, ge=0)

    # Alerts.
    alert_sender: str | None = None
    alert_recipients: list[str] = Field(default_factory=list)

    # Auth.
    jwt_secret: str | None = None  # local only; AWS reads jwt_secret_arn
    jwt_secret_arn: str | None = None
    jwt_issuer: str = "paid-media-dashboard"
    jwt_audience: str = "paid-media-dashboard-api"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    refresh_token_ttl_seconds: int = Field(default=30 * 86_400, ge=3600)
    # A rotated refresh token presented again this soon gets the same successor (two tabs
    # refreshing at once); later, reuse revokes the family. 0 turns the grace off.
    refresh_reuse_grace_seconds: int = Field(default=30, ge=0, le=300)
    # The browser-visible path the web app's refresh cookie is scoped to: the API is under
    # /api on the web origin (CloudFront strips /api before API Gateway).
    refresh_cookie_path: str = Field(default="/api/auth", pattern=r"^/[A-Za-z0-9/_.-]*$", max_length=200)
    jwt_leeway_seconds: int = Field(default=10, ge=0, le=120)
    # Login throttling (shared.auth.throttle): failures count over LOGIN_LOCKOUT_SECONDS;
    # beyond LOGIN_MAX_FAILURES per (email, source address) or LOGIN_SOURCE_MAX_FAILURES per
    # source address, each further attempt waits a growing delay (1, 2, 4 ... up to
    # LOGIN_MAX_DELAY_SECONDS); LOGIN_EMAIL_MAX_FAILURES per email from all addresses together
    # is the ceiling that blocks the account for LOGIN_LOCKOUT_SECONDS.
    login_max_failures: int = Field(default=5, ge=1)
    login_source_max_failures: int = Field(default=30, ge=1)
    login_email_max_failures: int = Field(default=100, ge=1)
    login_max_delay_seconds: int = Field(default=60, ge=1)
    login_lockout_seconds: int = Field(default=900, ge=1)
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    # Behind CloudFront (shared.api.viewer): the secret CloudFront sends in the origin-verify
    # header; only a request carrying it has its CloudFront-Viewer-Address trusted.
    origin_verify_secret: str | None = None  # local/tests; AWS reads origin_verify_secret_arn
    origin_verify_secret_arn: str | None = None

    # API.
    cors_origins: list[str] = Field(default_factory=list)
    max_page_size: int = Field(default=500, ge=1)
    max_date_span_days: int = Field(default=800, ge=1)
    # Admin "retry ingestion": the ingestion function invoked asynchronously (AWS); unset
    # locally, where the retry runs in-process as the worker role.
    ingest_function_name: str | None = None

    @field_validator("alert_recipients", "cors_origins", mode="before")
    @classmethod
    def _split_csv(cls, value: Any) -> list[str]:
        return _csv(value)

    @field_validator("reporting_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.reporting_timezone)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = env.get(name.upper())
            if raw is not None:
                values[name] = raw
        if "aws_region" not in values and env.get("AWS_DEFAULT_REGION"):
            values["aws_region"] = env["AWS_DEFAULT_REGION"]
        return cls.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings.from_env()
