"""`make demo`: the whole system on loopback.

    python -m local.demo            # demo clients and ~60 days of partner files
    DEMO_DATA=none python -m local.demo   # the same stack, empty

Starts an embedded PostgreSQL (migrated), a moto server (S3 landing bucket, SES with a
verified sender, Secrets Manager), one warm "Lambda container" per function, the S3
notification emulation (every object created in the bucket is ingested by the real
ingestion handler, including files uploaded later), the API Gateway emulation serving the
real API handlers, and the admin account. Writes `<state dir>/stack.json`, prints how to
use it and every alert email sent, and on Ctrl-C / SIGTERM stops everything it started.

Environment: LOCAL_STATE_DIR (default `.local`), DEMO_DATA (`none` for no demo data),
API_PORT (default 8000, or a free port if busy; 0 = any free port), WEB_PORT (default
8080, same rules: the built web app with the API under /api), S3_PORT (default 5001, same
rules), ADMIN_EMAIL, ADMIN_PASSWORD (default: generated per run). Any Settings
variable (e.g. REPORTING_TIMEZONE, BCRYPT_ROUNDS, CORS_ORIGINS) set in the environment is
passed to the functions; the stack's own (DATABASE_URL, DB_USER, JWT_SECRET, buckets,
AWS endpoint and credentials) are always the local ones.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from infra.constants import FUNCTIONS, SERVICE_NAME
from local.aws import FAKE_CREDENTIALS, REGION, LocalAws, choose_port, provision, start_moto
from local.container import InvocationError, LambdaContainer
from local.gateway import Gateway
from local.notifications import MailWatcher, S3Notifier
from local.postgres import LocalPostgres, start_postgres, with_database
from local.web import WebServer

REPO_ROOT = Path(__file__).resolve().parent.parent
BUCKET = "paid-media-landing-local"
ALERT_SENDER = "alerts@dashboard.example.com"
JWT_SECRET_NAME = "local/jwt-signing-key"  # noqa: S105 - a secret name, not a secret
API_FUNCTIONS = ("api_auth", "api_admin", "api_clients")
# The CloudFormation custom resource that migrates on deploy: locally the stack migrates itself.
NOT_RUN_LOCALLY = ("migrate",)
PARTNER_BUCKET = "partner-drop-local"  # stands in for the partner's own bucket (partner_sync)
PARTNER_PREFIX = "exports/"
DEFAULT_API_PORT = 8000
DEFAULT_WEB_PORT = 8080
DEFAULT_S3_PORT = 5001
ASYNC_ATTEMPTS = 3  # an asynchronous Lambda invocation: the first try and two retries
ASYNC_RETRY_SECONDS = 2.0

# Variables that always describe the local stack, never the developer's environment.
_STACK_OWNED = (
    "DATABASE_URL",
    "DATABASE_SECRET_ARN",
    "DB_USER",
    "DB_PASSWORD",
    "JWT_SECRET",
    "JWT_SECRET_ARN",
    "LANDING_BUCKET",
    "PARTNER_BUCKET",
    "PARTNER_PREFIX",
    "ALERT_SENDER",  # the one verified in the emulated SES
    # Unset: an admin retry runs the load in-process (there is no Lambda service to invoke).
    "INGEST_FUNCTION_NAME",
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "STAGE",
)


class StopRequested(Exception):
    """SIGINT or SIGTERM arrived."""


class StackError(Exception):
    """The stack cannot start for a reason the message explains (no traceback needed)."""


def running_stack_pid(state_dir: Path) -> int | None:
    """The pid of a live demo process that wrote `state_dir/stack.json`, if any."""
    try:
        pid = int(json.loads((state_dir / "stack.json").read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _say(text: str = "") -> None:
    print(text, flush=True)


def _timestamp() -> str:
    return datetime.now().strftime("%H:%M:%S")


@dataclass
class Config:
    state_dir: Path
    demo_data: bool
    api_port: int
    web_port: int
    s3_port: int
    admin_email: str
    admin_password: str

    @classmethod
    def from_env(cls, env: dict[str, str] | os._Environ[str] = os.environ) -> Config:
        state = Path(env.get("LOCAL_STATE_DIR") or REPO_ROOT / ".local")
        return cls(
            state_dir=state.resolve(),
            demo_data=(env.get("DEMO_DATA") or "").strip().lower() not in ("none", "0", "false", "no", "off"),
            api_port=choose_port(env.get("API_PORT"), DEFAULT_API_PORT),
            web_port=choose_port(env.get("WEB_PORT"), DEFAULT_WEB_PORT),
            s3_port=choose_port(env.get("S3_PORT"), DEFAULT_S3_PORT),
            admin_email=env.get("ADMIN_EMAIL") or "admin@dashboard.example.com",
            admin_password=env.get("ADMIN_PASSWORD") or secrets.token_urlsafe(16),
        )


def function_environment(
    function: str, *, base: dict[str, str], database_url: str, endpoint: str, jwt_secret: str, admin_email: str
) -> dict[str, str]:
    """The environment of one function's container (what CDK sets in AWS, pointed at loopback)."""
    env = {k: v for k, v in base.items() if k not in _STACK_OWNED and not k.startswith("AWS_")}
    role = "dash_api" if function in API_FUNCTIONS else "dash_worker"
    # Tunables a developer may override in the environment.
    env.setdefault("REPORTING_TIMEZONE", "UTC")
    env.setdefault("ALERT_RECIPIENTS", admin_email)
    env.setdefault("POWERTOOLS_LOG_LEVEL", "INFO")
    env.update(
        {
            "STAGE": "local",
            "PYTHONPATH": str(REPO_ROOT),
            "DATABASE_URL": with_database(database_url, "dashboard", user=role),
            "DB_USER": role,
            "JWT_SECRET": jwt_secret,
            "LANDING_BUCKET": BUCKET,
            "PARTNER_BUCKET": PARTNER_BUCKET,
            "PARTNER_PREFIX": PARTNER_PREFIX,
            "ALERT_SENDER": ALERT_SENDER,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            **FAKE_CREDENTIALS,
            "POWERTOOLS_SERVICE_NAME": function,
            "POWERTOOLS_METRICS_NAMESPACE": "PaidMediaDashboardLocal",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "AWS_LAMBDA_FUNCTION_NAME": f"local-{function}",
        }
    )
    return env


@dataclass
class LocalStack:
    config: Config
    postgres: LocalPostgres | None = None
    aws: LocalAws | None = None
    gateway: Gateway | None = None
    web: WebServer | None = None
    notifier: S3Notifier | None = None
    mail: MailWatcher | None = None
    containers: dict[str, LambdaContainer] = field(default_factory=dict)
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    _print_lock: threading.Lock = field(default_factory=threading.Lock)
    demo: tuple[Any, Any] | None = None  # (DemoData, SeedReport) once loaded

    # ------------------------------------------------------------ output

    def say(self, text: str = "") -> None:
        with self._print_lock:
            _say(text)

    def _on_request(self, method: str, target: str, status: int, seconds: float) -> None:
        self.say(f"{_timestamp()} api  {method} {target.split('?', 1)[0]} -> {status} ({seconds * 1000:.0f} ms)")

    def _on_web_request(self, method: str, target: str, status: int, seconds: float) -> None:
        self.say(f"{_timestamp()} web  {method} {target.split('?', 1)[0]} -> {status} ({seconds * 1000:.0f} ms)")

    def _on_ingested(self, key: str, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self.say(f"{_timestamp()} s3   {key}: ingestion handler failed: {error}")
            return
        self.say(f"{_timestamp()} s3   {key}: {_describe_ingestion(result)}")

    # ------------------------------------------------------------ lifecycle

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        return self.containers[function].invoke(event)

    def start(self) -> None:
        config = self.config
        config.state_dir.mkdir(parents=True, exist_ok=True)
        (config.state_dir / "stack.json").unlink(missing_ok=True)
        log_dir = config.state_dir / "logs"
        log_dir.mkdir(exist_ok=True)
        for old in log_dir.glob("*.log"):
            old.unlink()

        started = time.monotonic()
        self.postgres = start_postgres(config.state_dir / "pg")
        self.say(f"postgres   embedded, migrated ({self.postgres.socket_dir})")
        self.aws = start_moto(config.s3_port)
        provision(
            self.aws,
            bucket=BUCKET,
            partner_bucket=PARTNER_BUCKET,
            sender=ALERT_SENDER,
            jwt_secret_name=JWT_SECRET_NAME,
            jwt_secret=self.jwt_secret,
        )
        self.say(
            f"aws        moto at {self.aws.endpoint} (S3 buckets {BUCKET} + partner {PARTNER_BUCKET}, SES sender {ALERT_SENDER}, Secrets Manager)"
        )

        base = dict(os.environ)
        for function in FUNCTIONS:
            if function in NOT_RUN_LOCALLY:
                continue
            if not (REPO_ROOT / "functions" / function / "handler.py").exists():
                self.say(f"function   {function}: not in this checkout (functions/{function}/handler.py missing)")
                continue
            env = function_environment(
                function,
                base=base,
                database_url=self.postgres.owner_url,
                endpoint=self.aws.endpoint,
                jwt_secret=self.jwt_secret,
                admin_email=config.admin_email,
            )
            self.containers[function] = LambdaContainer(function, env=env, log_dir=log_dir)
        # Cold starts in parallel, before the first request or upload needs them; the
        # scheduled functions start on their first invocation (`python -m local.invoke`).
        for name, container in self.containers.items():
            if name in API_FUNCTIONS or name == "ingest":
                container.start()

        self._create_admin()
        self.gateway = Gateway(self.invoke, port=config.api_port, on_request=self._on_request)
        self.gateway.start()
        self.say(
            f"api        {self.gateway.url} (API Gateway emulation -> {', '.join(f for f in API_FUNCTIONS if f in self.containers)})"
        )
        self.web = WebServer(
            self.invoke, port=config.web_port, on_request=self._on_web_request, upload_origins=(self.aws.endpoint,)
        )
        self.web.start()
        built = "web/dist" if self.web.built else "web/dist not built: run `make web`, then reload"
        self.say(f"web        {self.web.url} ({built}; API under {self.web.url}/api)")

        self.notifier = S3Notifier(
            self.aws.client("s3"), bucket=BUCKET, deliver=self._deliver_s3_event, on_result=self._on_ingested
        )
        self.notifier.start()
        self.mail = MailWatcher(self.aws.sent_emails, self.say)
        self.mail.start()
        self._write_stack_json()
        self.say(f"ready in {time.monotonic() - started:.1f} s")

    def _deliver_s3_event(self, event: dict[str, Any]) -> Any:
        if "ingest" not in self.containers:
            raise RuntimeError("functions/ingest is not in this checkout")
        # S3 invokes Lambda asynchronously: a failed invocation (the handler raised, e.g. the
        # database was unreachable) is retried twice, about a minute apart in AWS.
        for attempt in range(1, ASYNC_ATTEMPTS + 1):
            try:
                return self.invoke("ingest", event)
            except InvocationError as exc:
                if attempt == ASYNC_ATTEMPTS or exc.error_type == "ContainerStopped":
                    raise
                self.say(f"{_timestamp()} s3   ingest attempt {attempt} failed ({exc}); retrying")
                time.sleep(ASYNC_RETRY_SECONDS * attempt)
        raise AssertionError("unreachable")

    def _create_admin(self) -> None:
        from shared.auth.bootstrap import create_admin
        from shared.db import Database
        from shared.errors import DomainError
        from shared.settings import Settings

        assert self.postgres is not None and self.aws is not None
        env = function_environment(
            "api_admin",
            base=dict(os.environ),
            database_url=self.postgres.owner_url,
            endpoint=self.aws.endpoint,
            jwt_secret=self.jwt_secret,
            admin_email=self.config.admin_email,
        )
        settings = Settings.from_env(env)
        database = Database.from_settings(settings)
        try:
            create_admin(
                database, email=self.config.admin_email, password=self.config.admin_password, settings=settings
            )
        except DomainError as exc:  # e.g. an ADMIN_PASSWORD that is too short
            raise StackError(f"cannot create the admin account: {exc.message}") from None
        finally:
            database.close()
        self.say(f"admin      {self.config.admin_email}")

    def stack_facts(self) -> dict[str, Any]:
        """What stack.json says (the printed commands are built from it, like the tools)."""
        return json.loads((self.config.state_dir / "stack.json").read_text(encoding="utf-8"))

    def _write_stack_json(self, extra: dict[str, Any] | None = None) -> None:
        assert self.gateway is not None and self.web is not None and self.aws is not None and self.postgres is not None
        stack = {
            "api_url": self.gateway.url,
            "web_url": self.web.url,
            "s3_endpoint": self.aws.endpoint,
            "bucket": BUCKET,
            "region": REGION,
            "admin_email": self.config.admin_email,
            "admin_password": self.config.admin_password,
            "database_url": self.postgres.owner_url,
            "alert_emails_url": f"{self.aws.endpoint}/moto-api/data.json",
            "logs_dir": str(self.config.state_dir / "logs"),
            "pid": os.getpid(),
            **(extra or {}),
        }
        path = self.config.state_dir / "stack.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(stack, indent=2) + "\n", encoding="utf-8")
        temporary.chmod(0o600)  # it holds the admin password
        temporary.replace(path)  # readers never see a half-written file

    def load_demo_data(self) -> None:
        from local import seed
        from local.api_client import ApiClient
        from local.datagen import generate

        assert self.gateway is not None and self.aws is not None and self.notifier is not None
        # "Yesterday" in the reporting timezone: today's data would be in the future there.
        timezone = ZoneInfo(os.environ.get("REPORTING_TIMEZONE") or "UTC")
        end = datetime.now(timezone).date() - timedelta(days=1)
        data = generate(end=end)
        self.say(f"demo data  {len(data.clients)} clients, {data.start} .. {data.end}, {len(data.files)} partner files")
        api = ApiClient(self.gateway.url)
        report = seed.SeedReport()
        try:
            api.login(self.config.admin_email, self.config.admin_password)
            seed.create_clients(api, data, report, self.say)
        except Exception as exc:  # noqa: BLE001 - the stack stays up; say what went wrong
            report.problems.append(f"admin API: {exc}")
            self.say(f"  ! admin API: {exc}")
        if len(report.clients) < len(data.clients):
            # Every file would fail (unknown advertiser) and send its own alert email.
            self.say("  ! the demo clients could not all be created: no partner files uploaded")
            self.demo = (data, report)
            return
        seed.upload_files(self.aws.client("s3"), BUCKET, data, report)
        self.say(f"  uploaded {report.files} files to s3://{BUCKET}; ingesting (one S3 event each)...")
        self.notifier.wait_until_idle(after=1.5)
        if report.clients:
            self.say("  generating the weekly and monthly summaries of the period...")
            seed.generate_summaries(api, data, report, self.say)
            self.say(f"  {report.weekly} weekly and {report.monthly} monthly summary runs")
        self._write_stack_json(
            {
                "demo_clients": report.clients,
                "demo_users": report.users,
                "demo_period": {"from": data.start.isoformat(), "to": data.end.isoformat()},
            }
        )
        self.demo = (data, report)

    def _stop_containers(self) -> None:
        # All at once: each takes about a second to wind down its interpreter.
        threads = [threading.Thread(target=container.stop) for container in self.containers.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def stop(self) -> None:
        """Stop everything in reverse order; each step runs even if an earlier one failed."""
        steps: list[tuple[str, Any]] = [
            ("web", self.web.stop if self.web else None),
            ("api", self.gateway.stop if self.gateway else None),
            ("s3 notifier", self.notifier.stop if self.notifier else None),
            ("mail watcher", self.mail.stop if self.mail else None),
            ("containers", self._stop_containers),
            ("moto", self.aws.stop if self.aws else None),
            ("postgres", self.postgres.stop if self.postgres else None),
        ]
        for name, step in steps:
            if step is None:
                continue
            began = time.monotonic()
            try:
                step()
                _say(f"  stopped {name} ({time.monotonic() - began:.1f} s)")
            except Exception as exc:  # noqa: BLE001 - keep stopping the rest
                _say(f"stopping {name} failed: {exc}")
        (self.config.state_dir / "stack.json").unlink(missing_ok=True)


def _describe_ingestion(result: Any) -> str:
    """One line out of whatever the ingestion handler returned (it owns the shape)."""
    items = result.get("results") or result.get("records") if isinstance(result, dict) else result
    if isinstance(items, list) and items and isinstance(items[0], dict):
        first = items[0]
        fields = [
            f"{k}={first[k]}"
            for k in ("status", "records_loaded", "records_failed", "message")
            if first.get(k) not in (None, "")
        ]
        if fields:
            return " ".join(fields)
    return json.dumps(result, default=str)[:200]


def welcome(stack: LocalStack) -> str:
    from local.commands import printed_commands

    assert stack.gateway is not None and stack.aws is not None and stack.web is not None
    config = stack.config
    api = stack.gateway.url
    s3 = stack.aws.endpoint
    state = config.state_dir
    web = stack.web.url
    built = "" if stack.web.built else "   (not built yet: run `make web` in another shell, then reload)"
    lines = [
        "",
        "=" * 78,
        f" {SERVICE_NAME} is running on loopback",
        "=" * 78,
        f" Web app      {web}{built}",
        f"   admin        {config.admin_email} / {config.admin_password}",
    ]
    if stack.demo is not None:
        for user in stack.demo[1].users:
            lines.append(f"   client user  {user['email']} / {user['password']} ({user['client']})")
    lines += [
        "",
        f" API          {api}   (the same API is at {web}/api for the web app)",
        f" S3 endpoint  {s3}   bucket {BUCKET}   region {REGION}",
        f" database     {stack.postgres.owner_url if stack.postgres else ''}   (owner; the functions connect as dash_api / dash_worker)",
        f" stack.json   {state / 'stack.json'}",
        f" logs         {state / 'logs'}/<function>.log (Powertools JSON logs of each function)",
        "",
        " Try (from the repository root, in another shell):",
    ]
    for command in printed_commands(stack.stack_facts()):
        lines.append(f"   {command.text}")
        if command.note:
            lines.append(f"       # {command.note}")
    lines += [
        f"   (partner_sync copies new objects from s3://{PARTNER_BUCKET}/{PARTNER_PREFIX} into the landing bucket)",
        "",
        f" Alert emails are printed below as they are sent; all of them: {s3}/moto-api/data.json",
    ]
    demo = stack.demo
    if demo is not None:
        data, report = demo
        lines += ["", f" Demo data {data.start} .. {data.end}:"]
        for client in data.clients:
            lines.append(f"   {client.name:<18} {report.clients.get(client.slug, '(not created)')}")
        lines.append(f"   planted anomaly: {data.anomaly.description} on {data.anomaly.day}")
        for problem in report.problems:
            lines.append(f"   ! {problem}")
    lines += ["", " Ctrl-C stops everything (PostgreSQL, moto, the functions) and removes the data.", "=" * 78, ""]
    return "\n".join(lines)


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise StopRequested(signal.Signals(signum).name)


def main() -> int:
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        config = Config.from_env()
    except (RuntimeError, ValueError) as exc:
        _say(f"cannot start: {exc}")
        return 2
    running = running_stack_pid(config.state_dir)
    if running is not None:
        _say(
            f"cannot start: a local stack (pid {running}) already uses {config.state_dir}; stop it or set LOCAL_STATE_DIR"
        )
        return 2
    stack = LocalStack(config)
    exit_code = 0
    try:
        stack.start()
        if config.demo_data:
            stack.load_demo_data()
        stack.say(welcome(stack))
        while True:
            time.sleep(3600)
    except StopRequested as stop:
        _say(f"\n{stop}: stopping...")
    except StackError as exc:
        _say(f"the local stack failed: {exc}")
        exit_code = 1
    except Exception as exc:  # noqa: BLE001 - report, clean up, non-zero exit
        import traceback

        traceback.print_exc()
        _say(f"the local stack failed: {exc}")
        exit_code = 1
    finally:
        # A second Ctrl-C must not interrupt the cleanup and leave processes behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        _say("stopped.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
