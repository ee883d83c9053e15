"""The first-admin bootstrap command and `create_admin`."""

from __future__ import annotations

from typing import Any

import pytest

from shared.auth.bootstrap import create_admin, main
from shared.errors import Conflict, InvalidInput
from tests.api.conftest import ApiClient


def test_create_admin_then_log_in(api: ApiClient, api_db: Any, api_settings: Any) -> None:
    user, password = create_admin(api_db, email="root@example.com", password=None, settings=api_settings)
    assert user["role"] == "admin"
    assert "temporary_password" not in user
    assert api.post("/auth/login", body={"email": "root@example.com", "password": password}).status == 200
    with pytest.raises(Conflict):
        create_admin(api_db, email="ROOT@example.com", password="another password", settings=api_settings)
    with pytest.raises(InvalidInput):
        create_admin(api_db, email="x@example.com", password="x" * 80, settings=api_settings)


def test_command_line(
    settings: Any, capsys: pytest.CaptureFixture[str], owner_conn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.settings import get_settings

    monkeypatch.setenv("DB_USER", "dash_api")  # as the API role (the worker may not write users)
    get_settings.cache_clear()
    assert main(["--email", "first@example.com"]) == 0
    out = capsys.readouterr().out
    assert "admin created: first@example.com" in out
    assert "password: " in out
    assert main(["--email", "second@example.com", "--password", "a chosen password"]) == 0
    assert "password:" not in capsys.readouterr().out
    assert main(["--email", "first@example.com"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert owner_conn.execute("SELECT count(*) AS n FROM users WHERE role = 'admin'").fetchone()["n"] == 2


def test_first_admin_through_a_direct_invocation_of_the_admin_function(api: ApiClient) -> None:
    created = invoke_raw({"bootstrap_admin": {"email": "first@example.com"}})
    assert created["ok"] is True
    assert api.post("/auth/login", body={"email": "first@example.com", "password": created["password"]}).status == 200
    again = invoke_raw({"bootstrap_admin": {"email": "second@example.com"}})
    assert again == {"ok": False, "error": "an admin already exists; create further admins in the admin portal"}
    assert invoke_raw({"bootstrap_admin": "x"})["ok"] is False


def invoke_raw(event: dict[str, Any]) -> dict[str, Any]:
    import importlib

    from tests.api.conftest import LambdaContextStub

    module = importlib.import_module("functions.api_admin.handler")
    return module.lambda_handler(event, LambdaContextStub(function_name="api_admin"))
