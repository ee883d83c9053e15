"""End to end: `python -m local.demo` in a subprocess, used the way a newcomer would.

One stack with the demo data per module (starting it is the slow part). First every command
the banner prints is run verbatim, as a newcomer would paste it (`local.commands`, the list
the banner prints); then the stack is used by hand: it logs in over HTTP, creates a client with a rate card
and an advertiser name through the admin API, uploads a partner file with boto3 to the
emulated S3, waits for the real ingestion handler to load it, checks the priced totals
through the dashboard API against a hand computation, uploads a bad file and finds the alert
email in moto's SES, then stops the stack with SIGINT and checks nothing is left behind.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psutil
import pytest

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 240.0  # the stack and ~60 days of demo files on a loaded 2-core machine

# Rate card: 4.25 from 2026-03-01, 5.00 from 2026-03-03 (the file spans the change).
GOOD_FILE = b"""date,advertiser,campaign,strategy,placement,creative,impressions,clicks,ctr,conversions,conversion_revenue
2026-03-01,E2E Outdoor Co,Spring Sale,Prospecting,news-site.com,Banner 300x250,10000,50,0.005,5,250.00
2026-03-01,e2e  outdoor co,Spring Sale,Prospecting,news-site.com,Banner 728x90,"20,000",80,0.004,4,$180.50
2026-03-02,E2E Outdoor Co,Spring Sale,Retargeting,sports-app,Video 15s,7777,41,0.53%,8,420.25
2026-03-03,E2E Outdoor Co,Spring Sale,Retargeting,sports-app,Video 15s,12346,60,0.0049,3,99.99
"""
# By hand: 10,000 x 4.25/1000 = 42.50; 20,000 x 4.25/1000 = 85.00; 7,777 x 4.25/1000 = 33.05225;
# 12,346 x 5.00/1000 = 61.73  ->  222.28225  ->  222.28 in the API.
EXPECTED = {
    "impressions": 50_123,
    "clicks": 231,
    "conversions": 20,
    "revenue": Decimal("950.74"),
    "spend": Decimal("222.28"),
}
BAD_FILE = b"""date,advertiser,campaign,strategy,placement,creative,impressions,conversions,conversion_revenue
2026-03-04,E2E Outdoor Co,Spring Sale,Prospecting,news-site.com,Banner 300x250,10000,5,250.00
"""


class Http:
    def __init__(self, base: str) -> None:
        self.base = base
        self.token: str | None = None

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310 - loopback URL from stack.json
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        return status, (json.loads(raw) if raw else None)

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, payload = self.call(method, path, body)
        assert 200 <= status < 300, f"{method} {path} -> {status}: {payload}"
        return payload


def _wait_for(
    predicate: Callable[[], Any], *, timeout: float, what: str, process: subprocess.Popen[bytes], log: Path
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the stack exited ({process.returncode}) while waiting for {what}:\n{log.read_text()[-4000:]}")
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text()[-4000:]}")


def _port_open(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) == 0


def _clean_env(state: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DATABASE_", "DB_", "DEMO_"))}
    env["LOCAL_STATE_DIR"] = str(state)
    return env


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[subprocess.Popen[bytes], Path, Path]]:
    tmp_path = tmp_path_factory.mktemp("demo")
    state = tmp_path / "state"
    log = tmp_path / "demo.out"
    env = _clean_env(state)
    env.update(
        {
            "API_PORT": "0",
            "WEB_PORT": "0",
            "S3_PORT": "0",
            "BCRYPT_ROUNDS": "4",
            "PYTHONPATH": str(REPO_ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "local.demo"], cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield process, state, log
    finally:
        if process.poll() is None:  # the test failed before stopping it: never leak a stack
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _exited(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


BANNER = "is running on loopback"


def _wait_until_ready(process: subprocess.Popen[bytes], state: Path, log: Path) -> dict[str, Any]:
    """stack.json once the demo data is loaded and the banner printed."""
    _wait_for(lambda: BANNER in log.read_text(), timeout=START_TIMEOUT, what="the banner", process=process, log=log)
    return dict(json.loads((state / "stack.json").read_text()))


def _run(
    command: str, *, state: Path, stdin: str = "", extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # As a user types it: not inside `make test`'s make (a sub-make prints "Entering directory").
    env = {
        key: value
        for key, value in {**_clean_env(state), **(extra_env or {})}.items()
        if key not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")
    }
    return subprocess.run(
        ["/bin/bash", "-c", command],
        cwd=REPO_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_every_printed_command_works_verbatim(stack: tuple[subprocess.Popen[bytes], Path, Path]) -> None:
    from local.commands import printed_commands, report_range

    process, state, log = stack
    info = _wait_until_ready(process, state, log)
    banner = log.read_text()

    # given the web app and its logins come first in the banner
    banner_lines = banner[banner.index(BANNER) :].splitlines()
    assert banner_lines[2].split() == ["Web", "app", info["web_url"], *banner_lines[2].split()[3:]]
    assert f"{info['admin_email']} / {info['admin_password']}" in banner_lines[3]
    for user in info["demo_users"]:
        assert f"{user['email']} / {user['password']}" in banner
    assert {"web_url", "demo_clients", "demo_users", "demo_period"} <= set(info)

    commands = printed_commands(info)
    kinds = [c.kind for c in commands]
    assert kinds.count("upload") == 1 and kinds.count("invoke") == 1 and kinds[0] == "login"
    try:
        _run_each(commands, state=state, banner=banner)
        # the PDF covers the last 28 days, and its comparison period lies inside the demo data
        span = report_range(info)
        assert span is not None
        start = span[0] - (span[1] - span[0]) - timedelta(days=1)
        assert start >= date.fromisoformat(info["demo_period"]["from"])
        assert (REPO_ROOT / "report.pdf").read_bytes().startswith(b"%PDF-")
    finally:
        for produced in ("report.pdf", "openapi.json"):  # what the commands write, as they say
            (REPO_ROOT / produced).unlink(missing_ok=True)


def _run_each(commands: list[Any], *, state: Path, banner: str) -> None:
    token = ""
    for command in commands:
        # the banner shows exactly this text
        assert f"   {command.text}\n" in banner, command.text
        if command.kind == "login":
            result = _run(f'{command.text} && printf %s "$TOKEN"', state=state)
            assert result.returncode == 0, result.stderr
            token = result.stdout.strip()
            assert token.count(".") == 2, result.stdout  # a JWT
            continue
        stdin = "SELECT count(*) AS demo_clients FROM clients;\n" if command.kind == "psql" else ""
        result = _run(command.text, state=state, stdin=stdin, extra_env={"TOKEN": token})
        # then each one succeeds (curl -f: exit 0 only for HTTP 2xx)
        assert result.returncode == 0, f"{command.text}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        if command.kind == "upload":
            assert ": success," in result.stdout, result.stdout
        if command.kind == "psql":
            assert "demo_clients" in result.stdout and " 2\n" in result.stdout, result.stdout
        if command.kind == "invoke":
            assert json.loads(result.stdout), result.stdout


def test_demo_stack_end_to_end(stack: tuple[subprocess.Popen[bytes], Path, Path]) -> None:
    process, state, log = stack
    stack_file = state / "stack.json"

    # given the stack is up (with its demo data loaded, so no queue of demo files to wait behind)
    info = _wait_until_ready(process, state, log)
    assert {
        "api_url",
        "web_url",
        "s3_endpoint",
        "bucket",
        "region",
        "admin_email",
        "admin_password",
        "database_url",
    } <= set(info)
    api = Http(info["api_url"])

    # the web origin serves the app (or the "run make web" page) and the same API under /api
    with urllib.request.urlopen(f"{info['web_url']}/clients/x/campaigns?from=2026-03-01", timeout=30) as response:  # noqa: S310
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert response.headers["Cache-Control"] == "no-store"
        assert b"<html" in response.read().lower()
    web = Http(info["web_url"] + "/api")
    assert web.ok("GET", "/health") == api.ok("GET", "/health")
    assert (
        web.ok("POST", "/auth/login", {"email": info["admin_email"], "password": info["admin_password"]})["user"][
            "role"
        ]
        == "admin"
    )

    # the admin logs in over HTTP
    login = api.ok("POST", "/auth/login", {"email": info["admin_email"], "password": info["admin_password"]})
    api.token = login["access_token"]
    assert login["user"]["role"] == "admin"

    # and sets up a client with an advertiser name and a rate card that changes mid-file
    client = api.ok("POST", "/admin/clients", {"name": "E2E Outdoor", "slug": "e2e-outdoor"})
    client_id = client["id"]
    api.ok("PUT", f"/admin/clients/{client_id}/advertisers", {"advertisers": ["E2E Outdoor Co"]})
    api.ok("POST", f"/admin/clients/{client_id}/cpm", {"cpm": "4.25", "effective_date": "2026-03-01"})
    api.ok("POST", f"/admin/clients/{client_id}/cpm", {"cpm": 5, "effective_date": "2026-03-03", "preview": False})

    # when the partner uploads a file (a key with a space: the S3 event URL-encodes it)
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=info["s3_endpoint"],
        region_name=info["region"],
        aws_access_key_id="e2e",
        aws_secret_access_key="e2e",
    )
    good_key = "partner/e2e/2026-03-03 delivery.csv"
    s3.put_object(Bucket=info["bucket"], Key=good_key, Body=GOOD_FILE)

    def run_for(key: str) -> dict[str, Any] | None:
        runs = api.ok("GET", "/admin/ingestions?limit=50")["items"]
        return next((r for r in runs if r["file_name"].endswith(key) and r["status"] != "running"), None)

    # then the real ingestion handler loads it
    run = _wait_for(lambda: run_for(good_key), timeout=30, what="the ingestion run", process=process, log=log)
    assert run["status"] == "success", run["message"]
    assert run["records_loaded"] == 4
    assert run["records_failed"] == 0

    # and the dashboard API shows the priced totals computed by hand
    overview = api.ok("GET", f"/clients/{client_id}/overview?from=2026-03-01&to=2026-03-03")
    totals = overview["totals"]
    for key, expected in EXPECTED.items():
        assert Decimal(str(totals[key])) == expected, (key, totals)
    assert Decimal(str(totals["ctr"])).quantize(Decimal("0.000001")) == Decimal("0.004609")  # 231 / 50,123
    assert len(overview["series"]) == 3

    # binary responses come back as bytes (API Gateway decodes the handler's base64)
    request = urllib.request.Request(f"{info['api_url']}/clients/{client_id}/report.pdf?from=2026-03-01&to=2026-03-03")  # noqa: S310
    request.add_header("Authorization", f"Bearer {api.token}")
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        assert response.headers["Content-Type"].startswith("application/pdf")
        assert response.read().startswith(b"%PDF-")
    assert "/clients/{client_id}/overview" in api.ok("GET", "/openapi.json")["paths"]

    # when a bad file arrives
    bad_key = "partner/e2e/2026-03-04-broken.csv"
    s3.put_object(Bucket=info["bucket"], Key=bad_key, Body=BAD_FILE)
    failed = _wait_for(lambda: run_for(bad_key), timeout=30, what="the failed run", process=process, log=log)
    assert failed["status"] == "failed"

    # then the admin gets an alert email (moto's SES store)
    def alert_about_bad_file() -> dict[str, Any] | None:
        with urllib.request.urlopen(f"{info['s3_endpoint']}/moto-api/data.json", timeout=10) as response:  # noqa: S310
            messages = json.loads(response.read()).get("ses", {}).get("Message", [])
        return next((m for m in messages if "broken.csv" in json.dumps(m)), None)

    email = _wait_for(alert_about_bad_file, timeout=15, what="the alert email", process=process, log=log)
    assert info["admin_email"] in json.dumps(email["destinations"])
    _wait_for(
        lambda: "--- alert email" in log.read_text(),
        timeout=10,
        what="the alert printed on the console",
        process=process,
        log=log,
    )

    # when the developer presses Ctrl-C
    children = psutil.Process(process.pid).children(recursive=True)
    assert children, "each function runs in its own container process"
    postmaster_pid = int((state / "pg" / "postmaster.pid").read_text().split()[0])
    process.send_signal(signal.SIGINT)

    # then everything it started is gone
    assert process.wait(timeout=30) == 0, log.read_text()[-3000:]
    assert not _port_open(info["api_url"])
    assert not _port_open(info["web_url"])
    assert not _port_open(info["s3_endpoint"])
    assert not [child.pid for child in children if child.is_running() and child.status() != psutil.STATUS_ZOMBIE]
    # The postmaster is not our child (pg_ctl daemonises it): once it exits, reaping it is
    # PID 1's job, so an exited-but-unreaped (zombie) postmaster counts as stopped.
    assert _exited(postmaster_pid)
    assert not (state / "pg").exists()
    assert not stack_file.exists()
