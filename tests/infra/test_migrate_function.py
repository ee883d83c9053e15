"""The deploy-time migrate function against real PostgreSQL, with secrets in moto."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from shared.db.migrate import discover
from shared.errors import ConfigurationError, InvalidInput
from shared.settings import get_settings


@dataclass
class FakeContext:
    function_name: str = "migrate"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:migrate"
    aws_request_id: str = "req-migrate"


@pytest.fixture
def empty_db(pg_admin_url: str) -> Iterator[dict[str, Any]]:
    """A brand-new database (nothing migrated), as libpq parameters of the owner."""
    name = f"dash_deploy_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    params = {**conninfo_to_dict(pg_admin_url), "dbname": name}
    try:
        yield params
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def deployed_env(
    aws: None, settings_env: dict[str, str], empty_db: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The migrate function's environment as the stack sets it, with the three secrets in moto."""
    import boto3

    client = boto3.client("secretsmanager", region_name="us-east-1")

    def secret(name: str, username: str, password: str) -> str:
        value = {
            "username": username,
            "password": password,
            "host": empty_db["host"],
            "port": int(empty_db.get("port", 5432)),
            "dbname": empty_db["dbname"],
        }
        return str(client.create_secret(Name=f"{name}-{uuid.uuid4().hex[:6]}", SecretString=json.dumps(value))["ARN"])

    env = {
        "DATABASE_SECRET_ARN": secret("master", empty_db["user"], "unused-locally"),
        "API_ROLE_SECRET_ARN": secret("api", "dash_api", "api-password-" + uuid.uuid4().hex),
        "WORKER_ROLE_SECRET_ARN": secret("worker", "dash_worker", "worker-password-" + uuid.uuid4().hex),
    }
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return env


def cfn_event(request_type: str) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "RequestId": "cfn-" + request_type,
        "ResourceType": "Custom::DatabaseMigrations",
        "LogicalResourceId": "Migrations",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/PaidMediaDashboard-dev/x",
        "ResourceProperties": {"ServiceToken": "arn:...", "MigrationsHash": "abc"},
        **({"PhysicalResourceId": "paid-media-dashboard-migrations"} if request_type != "Create" else {}),
    }


def applied_versions(params: dict[str, Any]) -> list[str]:
    with psycopg.connect(**params) as conn:
        exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            return []
        return [row[0] for row in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]


def role_has_password(params: dict[str, Any], role: str) -> bool:
    with psycopg.connect(**params) as conn:
        row = conn.execute("SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = %s", (role,)).fetchone()
    return bool(row and row[0])


def test_create_applies_every_migration_and_sets_the_role_passwords(
    deployed_env: dict[str, str], empty_db: dict[str, Any]
) -> None:
    from functions.migrate.handler import PHYSICAL_RESOURCE_ID, lambda_handler

    # given a database nothing has been applied to, and roles without passwords
    assert applied_versions(empty_db) == []
    with psycopg.connect(**empty_db, autocommit=True) as conn:
        for role in ("dash_api", "dash_worker"):
            # Roles are cluster-wide: an earlier test (or the template database) may have made them.
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(sql.SQL("ALTER ROLE {} PASSWORD NULL").format(sql.Identifier(role)))
    assert not role_has_password(empty_db, "dash_api")
    # when CloudFormation creates the custom resource
    response = lambda_handler(cfn_event("Create"), FakeContext())
    # then
    every_version = [m.version for m in discover()]
    assert applied_versions(empty_db) == every_version
    assert response == {"PhysicalResourceId": PHYSICAL_RESOURCE_ID, "Data": {"Applied": ",".join(every_version)}}
    assert role_has_password(empty_db, "dash_api") and role_has_password(empty_db, "dash_worker")


def test_update_is_idempotent_and_keeps_the_physical_id(deployed_env: dict[str, str], empty_db: dict[str, Any]) -> None:
    from functions.migrate.handler import PHYSICAL_RESOURCE_ID, lambda_handler

    lambda_handler(cfn_event("Create"), FakeContext())
    response = lambda_handler(cfn_event("Update"), FakeContext())
    # A changed physical id would make CloudFormation delete the "old" resource.
    assert response == {"PhysicalResourceId": PHYSICAL_RESOURCE_ID, "Data": {"Applied": "none"}}
    assert lambda_handler({"action": "migrate"}, FakeContext()) == {"applied": []}


def test_delete_touches_nothing(
    deployed_env: dict[str, str], empty_db: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.migrate.handler import lambda_handler

    # Even with an unreadable secret, deleting the stack must not fail on this resource.
    monkeypatch.setenv("DATABASE_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing")
    get_settings.cache_clear()
    event = cfn_event("Delete")
    assert lambda_handler(event, FakeContext()) == {"PhysicalResourceId": event["PhysicalResourceId"]}
    assert applied_versions(empty_db) == []


def test_missing_role_secret_fails_before_touching_the_database(
    deployed_env: dict[str, str], empty_db: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.migrate.handler import lambda_handler

    monkeypatch.delenv("WORKER_ROLE_SECRET_ARN")
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError):
        lambda_handler(cfn_event("Create"), FakeContext())
    assert applied_versions(empty_db) == []


@pytest.mark.parametrize(
    "event",
    [{}, {"action": "drop_everything"}, {"action": "migrate", "extra": 1}, {"RequestType": "Explode"}],
)
def test_unknown_events_are_refused(
    deployed_env: dict[str, str], empty_db: dict[str, Any], event: dict[str, Any]
) -> None:
    from pydantic import ValidationError

    from functions.migrate.handler import lambda_handler

    with pytest.raises((InvalidInput, ValidationError)):
        lambda_handler(event, FakeContext())
    assert applied_versions(empty_db) == []
