"""`app.session_state` (migration 1251, what `auth_session_state` now calls) answers exactly
what the per-request session check's SQL answered before, as the API role in its
all-clients tenant: live, revoked, rotated and expired sessions, a disabled user, a disabled
client, the admin, an unknown user, another user's family."""

from __future__ import annotations

import uuid
from typing import Any

from shared.db import QUERIES, Tenant

# The query as it was before migration 1251 (shared/db/sql/auth.sql).
BEFORE = """
SELECT u.id, u.role, u.client_id, u.session_version,
       (u.disabled OR coalesce(c.status = 'disabled', false)) AS inactive,
       EXISTS (
           SELECT 1 FROM refresh_tokens rt
           WHERE rt.family_id = %(family_id)s AND rt.user_id = u.id
             AND rt.revoked_at IS NULL AND rt.rotated_at IS NULL AND rt.expires_at > now()
       ) AS session_live
FROM users u
LEFT JOIN clients c ON c.id = u.client_id
WHERE u.id = %(user_id)s
"""


def _both(api_db: Any, user_id: Any, family_id: Any) -> tuple[Any, Any]:
    with api_db.transaction(tenant=Tenant.every_client()) as conn:
        params = {"user_id": user_id, "family_id": family_id}
        now = conn.execute(QUERIES["auth_session_state"], params).fetchone()
        before = conn.execute(BEFORE, params).fetchone()
    return now, before


def test_session_state_function_equals_the_query_it_replaces(
    api_db: Any, owner_conn: Any, make_user: Any, make_client: Any
) -> None:
    client = make_client("Session Co", "session-co")
    users = [make_user(role="client", client_id=client["id"]) for _ in range(5)] + [make_user(role="admin")]
    families = {
        user.id: owner_conn.execute("SELECT family_id FROM refresh_tokens WHERE user_id = %s", (user.id,)).fetchone()[
            "family_id"
        ]
        for user in users
    }
    revoked, rotated, expired, disabled, _live, _admin = users
    owner_conn.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = %s", (revoked.id,))
    owner_conn.execute("UPDATE refresh_tokens SET rotated_at = now() WHERE user_id = %s", (rotated.id,))
    owner_conn.execute(
        "UPDATE refresh_tokens SET expires_at = now() - interval '1 s' WHERE user_id = %s", (expired.id,)
    )
    owner_conn.execute("UPDATE users SET disabled = true WHERE id = %s", (disabled.id,))
    checked = []
    for user in users:
        for family in (families[user.id], families[users[4].id], uuid.uuid4()):
            now, before = _both(api_db, user.id, family)
            assert now == before
            checked.append(now)
    assert _both(api_db, uuid.uuid4(), uuid.uuid4()) == (None, None)  # unknown user
    assert {row["session_live"] for row in checked} == {True, False}
    assert {row["inactive"] for row in checked} == {True, False}
    # a disabled client makes every one of its users inactive, in both
    owner_conn.execute("UPDATE clients SET status = 'disabled' WHERE id = %s", (client["id"],))
    for user in users:
        now, before = _both(api_db, user.id, families[user.id])
        assert now == before
        assert now["inactive"] is (user.role == "client")
