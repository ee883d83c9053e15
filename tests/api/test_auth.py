"""Authentication: tokens, login, throttling, refresh rotation, logout, password change."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from typing import Any

import jwt
import pytest

from shared.settings import Settings
from tests.api.conftest import ApiClient, ApiUser, api_event, invoke

SECRET = "test-signing-key-that-is-long-enough-for-hs256-and-hs512-alike-x"


def _claims(user: ApiUser, settings: Settings, **overrides: Any) -> dict[str, Any]:
    issued = jwt.decode(user.token, options={"verify_signature": False})
    now = int(time.time())
    claims = {**issued, "iat": now, "exp": now + 600}
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def _sign(claims: dict[str, Any], key: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _unsigned(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


# ---------------------------------------------------------------- access tokens


def test_a_freshly_signed_token_is_accepted(api: ApiClient, client_user: ApiUser, settings: Settings) -> None:
    # The control for the rejections below: the same forging helper yields a good token.
    assert api.get("/me", token=_sign(_claims(client_user, settings))).status == 200


BAD_TOKEN_KINDS = [
    "expired",
    "tampered",
    "wrong_key",
    "alg_none",
    "wrong_audience",
    "wrong_issuer",
    "missing_exp",
    "missing_iat",
    "missing_sub",
    "missing_iss",
    "missing_aud",
    "missing_sid",
    "missing_sv",
    "stale_session_version",
    "unknown_user",
    "hs512",
    "garbage",
]


def _bad_token(mutation: str, user: ApiUser, settings: Settings) -> str:
    claims = _claims(user, settings)
    if mutation == "expired":
        return _sign({**claims, "iat": int(time.time()) - 4000, "exp": int(time.time()) - 3000})
    if mutation == "tampered":
        header, payload, signature = user.token.split(".")
        forged = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        forged["role"] = "admin"
        forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
        return f"{header}.{forged_payload}.{signature}"
    if mutation == "wrong_key":
        return _sign(claims, key="another-signing-key-that-is-also-long-enough")
    if mutation == "alg_none":
        return _unsigned(claims)
    if mutation == "wrong_audience":
        return _sign({**claims, "aud": "someone-else"})
    if mutation == "wrong_issuer":
        return _sign({**claims, "iss": "someone-else"})
    if mutation.startswith("missing_"):
        return _sign({key: value for key, value in claims.items() if key != mutation.removeprefix("missing_")})
    if mutation == "stale_session_version":
        return _sign({**claims, "sv": claims["sv"] + 1})
    if mutation == "unknown_user":
        return _sign({**claims, "sub": str(uuid.uuid4())})
    if mutation == "hs512":
        return _sign(claims, algorithm="HS512")
    return "not.a.jwt"


def test_bad_access_tokens_are_401(api: ApiClient, client_user: ApiUser, settings: Settings) -> None:
    # One database for all kinds (each kind is independent of the others).
    unexpected = []
    for mutation in BAD_TOKEN_KINDS:
        response = api.get("/me", token=_bad_token(mutation, client_user, settings))
        if response.status != 401 or response.json() != {"message": "invalid or expired access token"}:
            unexpected.append((mutation, response.status, response.body))
    assert unexpected == []
    assert api.get("/me", token=client_user.token).status == 200  # the session itself is intact


def test_leeway_accepts_a_token_expired_seconds_ago(api: ApiClient, client_user: ApiUser, settings: Settings) -> None:
    now = int(time.time())
    token = _sign(_claims(client_user, settings, iat=now - 900, exp=now - 1))
    assert api.get("/me", token=token).status == 200


# ---------------------------------------------------------------- login


def test_login_returns_the_documented_shape(api: ApiClient, make_user: Any, make_client: Any) -> None:
    client = make_client("Acme", "acme")
    user = make_user(role="client", client_id=client["id"], email="Jane@Example.com", login=False)
    response = api.post("/auth/login", body={"email": "  jane@example.COM ", "password": user.password})
    assert response.status == 200, response.body
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["user"] == {
        "id": user.id,
        "email": "Jane@Example.com",
        "role": "client",
        "client_id": str(client["id"]),
    }
    assert response.headers["Cache-Control"] == "no-store"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert {"exp", "iat", "sub", "iss", "aud", "role", "cid", "sv", "sid", "jti"} <= set(claims)


def test_unknown_email_disabled_account_and_wrong_password_look_the_same(
    api: ApiClient, make_user: Any, owner_conn: Any
) -> None:
    disabled = make_user(role="admin", login=False)
    owner_conn.execute("UPDATE users SET disabled = true WHERE id = %s", (disabled.id,))
    wrong = make_user(role="admin", login=False)
    attempts = [
        {"email": "nobody@example.com", "password": "whatever-password"},
        {"email": disabled.email, "password": disabled.password},
        {"email": wrong.email, "password": "not-the-password"},
    ]
    responses = [api.post("/auth/login", body=body) for body in attempts]
    assert [r.status for r in responses] == [401, 401, 401]
    assert len({r.body for r in responses}) == 1
    assert responses[0].json() == {"message": "invalid email or password"}


def test_every_login_failure_costs_exactly_one_bcrypt_check(
    api: ApiClient, make_user: Any, owner_conn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bcrypt

    disabled = make_user(role="admin", login=False)
    owner_conn.execute("UPDATE users SET disabled = true WHERE id = %s", (disabled.id,))
    wrong = make_user(role="admin", login=False)
    calls: list[bytes] = []
    real = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        calls.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting)
    attempts = {
        "unknown": {"email": "ghost@example.com", "password": "x" * 12},
        "disabled": {"email": disabled.email, "password": disabled.password},
        "wrong": {"email": wrong.email, "password": "not-the-password"},
    }
    for case, body in attempts.items():
        calls.clear()
        assert api.post("/auth/login", body=body).status == 401, case
        assert len(calls) == 1, case
        assert calls[0].startswith(b"$2b$04$"), case  # the same cost for the dummy hash


@pytest.mark.parametrize(
    "password",
    ["x" * 73, "é" * 37, "😀" * 19],  # 73, 74 and 76 bytes: over bcrypt's 72-byte limit
)
def test_over_long_password_is_a_clean_400(api: ApiClient, admin_user: ApiUser, password: str) -> None:
    response = api.post("/auth/login", body={"email": admin_user.email, "password": password})
    assert response.status == 400
    assert "72 bytes" in response.json()["message"]


def test_exactly_72_bytes_is_checked_normally(api: ApiClient, make_user: Any) -> None:
    password = "é" * 36  # 72 bytes
    user = make_user(role="admin", password=password, login=False)
    assert api.post("/auth/login", body={"email": user.email, "password": password}).status == 200


LOGIN_INVALID_BODIES: list[Any] = [
    {},
    {"email": "a@example.com"},
    {"password": "x"},
    {"email": "a@example.com", "password": "x", "remember_me": True},
    {"email": 5, "password": "x"},
    {"email": "a@example.com", "password": ""},
    ["a@example.com", "x"],
]


def test_login_validation_errors(api: ApiClient) -> None:
    for body in LOGIN_INVALID_BODIES:
        response = api.post("/auth/login", body=body)
        assert response.status == 400, (body, response.body)
        assert response.json()["message"].split(":")[0] in ("email", "password", "body", "remember_me"), response.body
        assert response.json()["errors"]


def test_login_with_invalid_json_is_422(api: ApiClient) -> None:
    response = api.post("/auth/login", raw_body="{not json")
    assert response.status == 400


# ---------------------------------------------------------------- throttling


def _login(api: ApiClient, email: str, password: str, source: str = "203.0.113.10") -> Any:
    event = api_event("POST", "/auth/login", body={"email": email, "password": password})
    event["requestContext"]["identity"]["sourceIp"] = source
    return invoke("api_auth", event)


def _expire_delays(owner_conn: Any) -> None:
    """Let the current delays pass (without waiting for them)."""
    owner_conn.execute("UPDATE login_throttle SET blocked_until = now() - interval '1 second'")


def test_failures_from_one_address_get_short_growing_delays(
    api: ApiClient, admin_user: ApiUser, owner_conn: Any
) -> None:
    statuses = [_login(api, admin_user.email, "wrong-password").status for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    # Throttled: even the right password from this address waits, briefly (Retry-After).
    waiting = _login(api, admin_user.email, admin_user.password)
    assert waiting.status == 429 and int(waiting.headers["Retry-After"]) == 1
    delays = []
    for _ in range(8):
        _expire_delays(owner_conn)
        response = _login(api, admin_user.email, "wrong-password")
        assert response.status == 429
        delays.append(int(response.headers["Retry-After"]))
    assert delays == [2, 4, 8, 16, 32, 60, 60, 60]  # growing, capped at LOGIN_MAX_DELAY_SECONDS
    _expire_delays(owner_conn)
    assert _login(api, admin_user.email, admin_user.password).status == 200
    # the success resets this address's count
    pair = owner_conn.execute("SELECT count(*) AS n FROM login_throttle WHERE scope = 'pair'").fetchone()
    assert pair["n"] == 0


def test_the_admin_still_logs_in_from_a_second_address_while_a_first_one_hammers(
    api: ApiClient, admin_user: ApiUser, owner_conn: Any
) -> None:
    for _ in range(20):
        _expire_delays(owner_conn)
        assert _login(api, admin_user.email, "guess", source="198.51.100.7").status in (401, 429)
    assert _login(api, admin_user.email, admin_user.password, source="198.51.100.7").status == 429
    ok = _login(api, admin_user.email, admin_user.password, source="192.0.2.44")
    assert ok.status == 200, ok.body


def test_one_address_trying_many_emails_is_throttled_per_source(api: ApiClient, client_user: ApiUser) -> None:
    statuses = [_login(api, f"user{n}@example.com", "guess", source="198.51.100.9").status for n in range(30)]
    assert statuses == [401] * 29 + [429]  # LOGIN_SOURCE_MAX_FAILURES = 30, each email tried once
    assert _login(api, client_user.email, client_user.password, source="198.51.100.9").status == 429
    assert _login(api, client_user.email, client_user.password, source="198.51.100.10").status == 200


def test_the_per_email_ceiling_blocks_every_address(
    api: ApiClient, admin_user: ApiUser, owner_conn: Any, api_settings: Settings
) -> None:
    from shared.api import deps

    deps.use_settings(api_settings.model_copy(update={"login_email_max_failures": 8}))
    for n in range(8):  # a distributed attack: each address stays under its own limits
        assert _login(api, admin_user.email, "guess", source=f"198.51.100.{n}").status in (401, 429)
    blocked = _login(api, admin_user.email, admin_user.password, source="192.0.2.44")
    assert blocked.status == 429 and 800 < int(blocked.headers["Retry-After"]) <= 900


def test_the_admin_sees_and_clears_a_lock(api: ApiClient, admin_user: ApiUser, make_user: Any) -> None:
    victim = make_user(role="admin")
    for _ in range(5):
        _login(api, victim.email, "guess", source="198.51.100.3")
    listed = api.get("/admin/login-throttle", token=admin_user.token)
    assert listed.status == 200, listed.body
    rows = {(r["scope"], r["email"], r["source"]): r for r in listed.json()["items"]}
    pair = rows[("pair", victim.email, "198.51.100.3")]
    assert pair["failures"] == 5 and pair["retry_after"] >= 1 and pair["blocked_until"]
    assert rows[("source", None, "198.51.100.3")]["failures"] == 5
    assert _login(api, victim.email, victim.password, source="198.51.100.3").status == 429
    cleared = api.delete("/admin/login-throttle", token=admin_user.token, query={"email": victim.email})
    assert cleared.status == 200 and cleared.json()["cleared"] == 2, cleared.body  # pair + email
    assert _login(api, victim.email, victim.password, source="198.51.100.3").status == 200
    assert api.delete("/admin/login-throttle", token=admin_user.token).status == 400  # says which


def test_unknown_emails_are_throttled_too(api: ApiClient) -> None:
    statuses = [_login(api, "ghost@example.com", "wrong-password").status for _ in range(6)]
    assert statuses == [401, 401, 401, 401, 429, 429]


def test_concurrent_failures_are_all_counted(
    api: ApiClient, admin_user: ApiUser, settings: Settings, db_url: str
) -> None:
    from shared.auth.service import login
    from shared.db import Database
    from shared.errors import TooManyRequests, Unauthenticated
    from tests.conftest import role_url

    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(10)

    def attempt() -> None:
        db = Database(role_url(db_url, "dash_api"))  # one connection per "container"
        try:
            barrier.wait()
            login(db, email=admin_user.email, password="wrong-password", settings=settings)
            outcome = "ok"
        except TooManyRequests:
            outcome = "429"
        except Unauthenticated:
            outcome = "401"
        finally:
            db.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Every failure counted atomically: exactly max-1 plain failures, the rest throttled.
    assert sorted(outcomes) == ["401"] * 4 + ["429"] * 6
    # ... for that (email, source) pair: the right password from another address still works.
    assert api.post("/auth/login", body={"email": admin_user.email, "password": admin_user.password}).status == 200


# ---------------------------------------------------------------- refresh


def _age_rotations(owner_conn: Any, seconds: int = 31) -> None:
    """Move every rotation `seconds` into the past (past the reuse grace of 30 s)."""
    owner_conn.execute(
        "UPDATE refresh_tokens SET rotated_at = rotated_at - make_interval(secs => %s) WHERE rotated_at IS NOT NULL",
        (seconds,),
    )


def test_refresh_rotates_and_reuse_revokes_the_family(api: ApiClient, client_user: ApiUser, owner_conn: Any) -> None:
    first = api.post("/auth/refresh", body={"refresh_token": client_user.refresh_token})
    assert first.status == 200, first.body
    second_refresh = first.json()["refresh_token"]
    assert second_refresh != client_user.refresh_token
    new_access = first.json()["access_token"]
    assert api.get("/me", token=new_access).status == 200
    # The old access token of the same session keeps working until it expires.
    assert api.get("/me", token=client_user.token).status == 200

    # Replaying the rotated token after the grace: refused, and the whole family dies.
    _age_rotations(owner_conn)
    replay = api.post("/auth/refresh", body={"refresh_token": client_user.refresh_token})
    assert replay.status == 401
    assert api.post("/auth/refresh", body={"refresh_token": second_refresh}).status == 401
    assert api.get("/me", token=new_access).status == 401


def test_refresh_with_unknown_token_is_401(api: ApiClient) -> None:
    assert api.post("/auth/refresh", body={"refresh_token": "nope"}).status == 401


def test_other_sessions_survive_a_reuse_in_one_family(api: ApiClient, client_user: ApiUser, owner_conn: Any) -> None:
    other = api.post("/auth/login", body={"email": client_user.email, "password": client_user.password}).json()
    assert api.post("/auth/refresh", body={"refresh_token": client_user.refresh_token}).status == 200
    _age_rotations(owner_conn)
    assert api.post("/auth/refresh", body={"refresh_token": client_user.refresh_token}).status == 401  # reuse
    assert api.get("/me", token=other["access_token"]).status == 200
    assert api.post("/auth/refresh", body={"refresh_token": other["refresh_token"]}).status == 200


def test_refresh_validation(api: ApiClient) -> None:
    # No token in the body and no cookie: nothing to refresh (the web app's call without a session).
    assert api.post("/auth/refresh", body={}).status == 401
    assert api.post("/auth/refresh", body={"refresh_token": ""}).status == 400
    assert api.post("/auth/refresh", body={"refresh_token": "x", "extra": 1}).status == 400


# ---------------------------------------------------------------- logout


def test_logout_ends_this_session_only(api: ApiClient, client_user: ApiUser) -> None:
    other = api.post("/auth/login", body={"email": client_user.email, "password": client_user.password}).json()
    response = api.post("/auth/logout", token=client_user.token)
    assert response.status == 200, response.body
    assert api.get("/me", token=client_user.token).status == 401
    assert api.post("/auth/refresh", body={"refresh_token": client_user.refresh_token}).status == 401
    assert api.get("/me", token=other["access_token"]).status == 200


def test_logout_everywhere(api: ApiClient, client_user: ApiUser) -> None:
    other = api.post("/auth/login", body={"email": client_user.email, "password": client_user.password}).json()
    assert api.post("/auth/logout", token=client_user.token, body={"everywhere": True}).status == 200
    assert api.get("/me", token=other["access_token"]).status == 401
    assert api.post("/auth/refresh", body={"refresh_token": other["refresh_token"]}).status == 401


def test_logout_requires_a_token_and_rejects_unknown_fields(api: ApiClient, client_user: ApiUser) -> None:
    assert api.post("/auth/logout").status == 401
    assert api.post("/auth/logout", token=client_user.token, body={"all": True}).status == 400


# ---------------------------------------------------------------- /me/password


def test_change_password(api: ApiClient, client_user: ApiUser) -> None:
    other = api.post("/auth/login", body={"email": client_user.email, "password": client_user.password}).json()
    response = api.post(
        "/me/password",
        token=client_user.token,
        body={"current_password": client_user.password, "new_password": "a brand new passphrase"},
    )
    assert response.status == 200, response.body
    # Every earlier session is revoked; the caller continues with the returned tokens.
    assert api.get("/me", token=client_user.token).status == 401
    assert api.get("/me", token=other["access_token"]).status == 401
    assert api.get("/me", token=response.json()["access_token"]).status == 200
    assert api.post("/auth/login", body={"email": client_user.email, "password": client_user.password}).status == 401
    login = api.post("/auth/login", body={"email": client_user.email, "password": "a brand new passphrase"})
    assert login.status == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"current_password": "wrong-password", "new_password": "a brand new passphrase"}, 401),
        ({"current_password": None, "new_password": "short"}, 400),
        ({"current_password": None, "new_password": "x" * 73}, 400),
        ({"current_password": None}, 400),
        ({"current_password": None, "new_password": "a brand new passphrase", "confirm": "x"}, 400),
    ],
)
def test_change_password_errors(api: ApiClient, client_user: ApiUser, body: dict[str, Any], status: int) -> None:
    if "current_password" in body and body["current_password"] is None:
        body = {**body, "current_password": client_user.password}
    response = api.post("/me/password", token=client_user.token, body=body)
    assert response.status == status, response.body
    # Nothing changed: the old password still logs in.
    assert api.post("/auth/login", body={"email": client_user.email, "password": client_user.password}).status == 200


def test_me_password_requires_a_token(api: ApiClient) -> None:
    assert api.post("/me/password", body={"current_password": "a", "new_password": "b"}).status == 401


def test_signing_key_comes_from_secrets_manager_in_aws(aws: None) -> None:
    import boto3

    from shared.auth.tokens import decode_access_token, issue_access_token, signing_key
    from shared.errors import ConfigurationError

    client = boto3.client("secretsmanager", region_name="us-east-1")
    key = "k" * 64
    arn = client.create_secret(Name=f"jwt-{uuid.uuid4().hex}", SecretString=key)["ARN"]
    settings = Settings(jwt_secret_arn=arn, jwt_secret="a-local-key-that-must-not-be-used-in-aws!!")
    assert signing_key(settings) == key
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    token, _ = issue_access_token(
        user_id=user_id, role="admin", client_id=None, session_version=3, session_id=session_id, settings=settings
    )
    assert jwt.decode(token, key, algorithms=["HS256"], audience=settings.jwt_audience)["sub"] == str(user_id)
    claims = decode_access_token(token, settings=settings)
    assert (claims.user_id, claims.session_version, claims.session_id) == (user_id, 3, session_id)

    short = client.create_secret(Name=f"jwt-{uuid.uuid4().hex}", SecretString="too-short")["ARN"]
    with pytest.raises(ConfigurationError):
        signing_key(Settings(jwt_secret_arn=short))
    with pytest.raises(ConfigurationError):
        signing_key(Settings())
