"""Admin: summaries backfill."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.api.conftest import ApiClient, ApiUser


def test_backfill_one_client_and_all_active_clients(
    api: ApiClient, admin_user: ApiUser, make_client: Any, owner_conn: Any
) -> None:
    acme = make_client("Acme", "acme")
    make_client("Beta", "beta")
    make_client("Gone", "gone", status="disabled")
    one = api.post(
        "/admin/summaries",
        token=admin_user.token,
        body={"kind": "monthly", "period_start": "2026-01-01", "client_id": str(acme["id"])},
    )
    assert one.status == 200, one.body
    assert one.json()["total"] == 1
    assert one.json()["items"][0]["client_id"] == str(acme["id"])
    everyone = api.post(
        "/admin/summaries", token=admin_user.token, body={"kind": "weekly", "period_start": "2026-01-05"}
    )
    assert everyone.status == 200, everyone.body
    assert everyone.json()["total"] == 2  # the disabled client is skipped
    assert owner_conn.execute("SELECT count(*) AS n FROM weekly_summaries").fetchone()["n"] == 2
    # Re-running replaces (idempotent).
    api.post("/admin/summaries", token=admin_user.token, body={"kind": "weekly", "period_start": "2026-01-05"})
    assert owner_conn.execute("SELECT count(*) AS n FROM weekly_summaries").fetchone()["n"] == 2


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"kind": "weekly", "period_start": "2026-01-06"}, 400),  # a Tuesday
        ({"kind": "monthly", "period_start": "2026-01-02"}, 400),
        ({"kind": "daily", "period_start": "2026-01-05"}, 400),
        ({"kind": "weekly"}, 400),
        ({"kind": "weekly", "period_start": "2026-01-05", "force": True}, 400),
        ({"kind": "weekly", "period_start": "2026-01-05", "client_id": str(uuid.uuid4())}, 404),
        ({"kind": "weekly", "period_start": "2099-01-05"}, 400),  # has not started yet
    ],
)
def test_backfill_errors(api: ApiClient, admin_user: ApiUser, body: dict[str, Any], status: int) -> None:
    response = api.post("/admin/summaries", token=admin_user.token, body=body)
    assert response.status == status, response.body
