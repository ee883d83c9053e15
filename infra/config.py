"""Deployment settings: `cdk.json` context, overridable with `-c key=value` or environment.

Every setting is a context key (camelCase, e.g. `alertSender`); an environment variable
`DASHBOARD_<UPPER_SNAKE>` (e.g. `DASHBOARD_ALERT_SENDER`) overrides the context so CI can
inject values without editing files. Plain Python: no CDK imports, so tests can build one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_STAGE = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
LOG_RETENTION_DAYS = (7, 14, 30, 90, 180, 365)
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


PROD_INGEST_CONCURRENCY = 5
# Logins per address per 5 minutes before the WAF answers 429 (WAF's minimum is 10). The
# application's own throttle acts far earlier (5 failures per email and address): this is
# the flood guard that keeps bcrypt CPU and the database out of reach.
DEFAULT_LOGIN_WAF_LIMIT = 100
MIN_WAF_RATE_LIMIT = 10


class ConfigError(ValueError):
    """A deployment setting is missing or invalid."""


def _csv(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(str(part).strip() for part in value if str(part).strip())


def _optional_int(value: Any) -> int | None:
    if value is None or value == "" or value == "none":
        return None
    return int(value)


def _optional_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise ConfigError(f"expected true or false, got {value!r}")
    return text == "true"


def _env_name(key: str) -> str:
    return "DASHBOARD_" + re.sub(r"(?<!^)(?=[A-Z])", "_", key).upper()


@dataclass(frozen=True)
class DeploySettings:
    """Everything a deployment may vary. Defaults are the documented `cdk.json` values."""

    stage: str = "dev"
    region: str = "us-east-1"
    account: str | None = None
    availability_zones: tuple[str, ...] = ()
    alert_sender: str = ""
    alert_recipients: tuple[str, ...] = ()
    partner_bucket: str = ""
    partner_prefix: str = ""
    partner_writer_arns: tuple[str, ...] = ()
    reporting_timezone: str = "UTC"
    missing_file_check_hour: int = 9
    cors_origins: tuple[str, ...] = ()
    db_instance_class: str = "t4g.micro"
    db_allocated_storage_gib: int = 20
    db_max_allocated_storage_gib: int = 100
    ingest_reserved_concurrency: int | None = None
    db_proxy: bool | None = None  # None: on in production, off elsewhere
    api_throttle_rate: int = 50
    api_throttle_burst: int = 100
    log_retention_days: int = 30
    landing_retention_days: int = 400
    login_waf: bool | None = None  # None: on in production, off elsewhere
    login_waf_limit: int = DEFAULT_LOGIN_WAF_LIMIT

    @property
    def is_production(self) -> bool:
        return self.stage == "prod"

    @property
    def use_db_proxy(self) -> bool:
        """RDS Proxy in front of the database: on in production unless `dbProxy` says otherwise."""
        return self.is_production if self.db_proxy is None else self.db_proxy

    @property
    def use_login_waf(self) -> bool:
        """The WAF rate rule on /auth/login: on in production unless `loginWaf` says otherwise."""
        return self.is_production if self.login_waf is None else self.login_waf

    @property
    def ingest_concurrency(self) -> int | None:
        """Reserved concurrency of ingest: `ingestReservedConcurrency`, else 5 in production
        (parallel loads hold one connection each and must not exhaust the database), else none."""
        if self.ingest_reserved_concurrency is not None:
            return self.ingest_reserved_concurrency
        return PROD_INGEST_CONCURRENCY if self.is_production else None

    @property
    def stack_name(self) -> str:
        return f"PaidMediaDashboard-{self.stage}"

    @property
    def zones(self) -> tuple[str, ...]:
        """Explicit AZs (no lookup, so synth needs no credentials): two by default."""
        return self.availability_zones or (f"{self.region}a", f"{self.region}b")

    def validate(self) -> DeploySettings:
        if not _STAGE.match(self.stage):
            raise ConfigError(f"stage {self.stage!r}: lowercase letters, digits and dashes, max 20")
        if self.alert_sender and not _EMAIL.match(self.alert_sender):
            raise ConfigError(f"alertSender {self.alert_sender!r} is not an email address")
        for recipient in self.alert_recipients:
            if not _EMAIL.match(recipient):
                raise ConfigError(f"alertRecipients: {recipient!r} is not an email address")
        if self.partner_bucket and not _BUCKET.match(self.partner_bucket):
            raise ConfigError(f"partnerBucket {self.partner_bucket!r} is not a bucket name")
        for arn in self.partner_writer_arns:
            if not re.match(r"^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:(root|role/[\w+=,.@/-]+|user/[\w+=,.@/-]+))$", arn):
                raise ConfigError(f"partnerWriterArns: {arn!r} is not an account id or IAM role/user ARN")
        if self.partner_prefix and (self.partner_prefix.startswith("/") or "*" in self.partner_prefix):
            raise ConfigError("partnerPrefix must not start with '/' or contain '*'")
        try:
            ZoneInfo(self.reporting_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"reportingTimezone {self.reporting_timezone!r} is unknown") from exc
        if not 0 <= self.missing_file_check_hour <= 23:
            raise ConfigError("missingFileCheckHour must be 0..23")
        for origin in self.cors_origins:
            if origin != "*" and not re.match(r"^https?://[^/\s]+$", origin):
                raise ConfigError(f"corsOrigins: {origin!r} must look like https://host[:port]")
        if len(self.zones) < 2:
            raise ConfigError("availabilityZones: RDS needs at least two")
        if not 20 <= self.db_allocated_storage_gib <= self.db_max_allocated_storage_gib:
            raise ConfigError("dbAllocatedStorageGiB must be >= 20 and <= dbMaxAllocatedStorageGiB")
        if self.ingest_reserved_concurrency is not None and self.ingest_reserved_concurrency < 1:
            raise ConfigError("ingestReservedConcurrency must be >= 1 (or null for none)")
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            raise ConfigError(f"logRetentionDays must be one of {LOG_RETENTION_DAYS}")
        if self.landing_retention_days < 31:
            raise ConfigError("landingRetentionDays must be > 30 (files move to infrequent access at 30 days)")
        if self.api_throttle_rate < 1 or self.api_throttle_burst < 1:
            raise ConfigError("apiThrottleRate and apiThrottleBurst must be >= 1")
        if not MIN_WAF_RATE_LIMIT <= self.login_waf_limit <= 2_000_000_000:
            raise ConfigError(f"loginWafLimit must be >= {MIN_WAF_RATE_LIMIT} (requests per 5 minutes per address)")
        return self

    @classmethod
    def from_context(cls, get: Callable[[str], Any], environ: Mapping[str, str] | None = None) -> DeploySettings:
        """Read every setting from `get(contextKey)` (CDK `node.try_get_context`), env first."""
        env = os.environ if environ is None else environ

        def value(key: str, default: Any = None) -> Any:
            raw = env.get(_env_name(key))
            if raw is not None:
                return raw
            got = get(key)
            return default if got is None else got

        region = value("region") or env.get("CDK_DEFAULT_REGION") or "us-east-1"
        return cls(
            stage=str(value("stage", "dev")),
            region=str(region),
            account=value("account") or env.get("CDK_DEFAULT_ACCOUNT") or None,
            availability_zones=_csv(value("availabilityZones")),
            alert_sender=str(value("alertSender", "")).strip(),
            alert_recipients=_csv(value("alertRecipients")),
            partner_bucket=str(value("partnerBucket", "")).strip(),
            partner_prefix=str(value("partnerPrefix", "")).strip(),
            partner_writer_arns=_csv(value("partnerWriterArns")),
            reporting_timezone=str(value("reportingTimezone", "UTC")),
            missing_file_check_hour=int(value("missingFileCheckHour", 9)),
            cors_origins=_csv(value("corsOrigins")),
            db_instance_class=str(value("dbInstanceClass", "t4g.micro")),
            db_allocated_storage_gib=int(value("dbAllocatedStorageGiB", 20)),
            db_max_allocated_storage_gib=int(value("dbMaxAllocatedStorageGiB", 100)),
            ingest_reserved_concurrency=_optional_int(value("ingestReservedConcurrency")),
            db_proxy=_optional_bool(value("dbProxy")),
            api_throttle_rate=int(value("apiThrottleRate", 50)),
            api_throttle_burst=int(value("apiThrottleBurst", 100)),
            log_retention_days=int(value("logRetentionDays", 30)),
            landing_retention_days=int(value("landingRetentionDays", 400)),
            login_waf=_optional_bool(value("loginWaf")),
            login_waf_limit=int(value("loginWafLimit", DEFAULT_LOGIN_WAF_LIMIT)),
        ).validate()
