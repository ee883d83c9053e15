"""Row-level security, proven as the application role (not the owner)."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from shared.db import Tenant


@pytest.fixture
def two_clients(owner_conn):
    ids = []
    for slug in ("acme", "globex"):
        client = owner_conn.execute(
            "INSERT INTO clients (name, slug) VALUES (%s, %s) RETURNING id", (slug.title(), slug)
        ).fetchone()
        owner_conn.execute("INSERT INTO campaigns (client_id, name) VALUES (%s, %s)", (client["id"], f"{slug} launch"))
        owner_conn.execute(
            "INSERT INTO client_settings (client_id, cpm, effective_date) VALUES (%s, 4.25, '2026-01-01')",
            (client["id"],),
        )
        ids.append(client["id"])
    return ids


def test_query_without_where_sees_only_the_current_tenant(api_db, two_clients):
    acme, _ = two_clients
    with api_db.transaction(tenant=Tenant.client(acme)) as conn:
        campaigns = conn.execute("SELECT client_id, name FROM campaigns").fetchall()
        clients = conn.execute("SELECT id FROM clients").fetchall()
        rates = conn.execute("SELECT client_id FROM client_settings").fetchall()
    assert campaigns == [{"client_id": acme, "name": "acme launch"}]
    assert clients == [{"id": acme}]
    assert rates == [{"client_id": acme}]


def test_no_tenant_setting_returns_no_rows(api_db, two_clients):
    conn = api_db.connection()
    assert conn.execute("SELECT * FROM campaigns").fetchall() == []
    assert conn.execute("SELECT * FROM clients").fetchall() == []
    with conn.transaction():
        assert conn.execute("SELECT * FROM daily_metrics").fetchall() == []


def test_all_clients_tenant_sees_every_client(api_db, two_clients):
    with api_db.transaction(tenant=Tenant.every_client()) as conn:
        assert {r["client_id"] for r in conn.execute("SELECT client_id FROM campaigns")} == set(two_clients)


def test_a_row_for_another_tenant_cannot_be_inserted(api_db, two_clients):
    acme, globex = two_clients
    with pytest.raises(psycopg.errors.InsufficientPrivilege), api_db.transaction(tenant=Tenant.client(acme)) as conn:
        conn.execute("INSERT INTO campaigns (client_id, name) VALUES (%s, 'sneaky')", (globex,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege), api_db.transaction(tenant=Tenant.client(acme)) as conn:
        conn.execute("UPDATE campaigns SET client_id = %s", (globex,))


def test_updates_and_deletes_cannot_reach_another_tenant(api_db, two_clients):
    acme, globex = two_clients
    with api_db.transaction(tenant=Tenant.client(acme)) as conn:
        assert conn.execute("DELETE FROM client_settings WHERE client_id = %s", (globex,)).rowcount == 0
        assert conn.execute("UPDATE campaigns SET name = 'renamed' WHERE client_id = %s", (globex,)).rowcount == 0
    with api_db.transaction(tenant=Tenant.every_client()) as conn:
        assert conn.execute("SELECT count(*) AS n FROM client_settings").fetchone()["n"] == 2


def test_tenant_does_not_survive_into_the_next_transaction(api_db, two_clients):
    acme, _ = two_clients
    with api_db.transaction(tenant=Tenant.client(acme)) as conn:
        assert len(conn.execute("SELECT * FROM campaigns").fetchall()) == 1
    conn = api_db.connection()
    assert conn.execute("SELECT current_setting('app.client_id', true) AS v").fetchone()["v"] == ""
    assert conn.execute("SELECT * FROM campaigns").fetchall() == []
    with conn.transaction():
        assert conn.execute("SELECT * FROM campaigns").fetchall() == []


def test_a_failed_transaction_rolls_back_and_clears_the_tenant(api_db, two_clients):
    acme, _ = two_clients
    with pytest.raises(RuntimeError), api_db.transaction(tenant=Tenant.client(acme)) as conn:
        conn.execute("INSERT INTO campaigns (client_id, name) VALUES (%s, 'doomed')", (acme,))
        raise RuntimeError("boom")
    with api_db.transaction(tenant=Tenant.every_client()) as conn:
        assert conn.execute("SELECT count(*) AS n FROM campaigns WHERE name = 'doomed'").fetchone()["n"] == 0


def test_unknown_tenant_sees_nothing(api_db, two_clients):
    with api_db.transaction(tenant=Tenant.client(uuid.uuid4())) as conn:
        assert conn.execute("SELECT * FROM campaigns").fetchall() == []


def test_the_api_role_cannot_read_the_ingestion_log_as_a_client(api_db, worker_db, two_clients):
    with worker_db.transaction(tenant=Tenant.every_client()) as conn:
        conn.execute(
            "INSERT INTO ingestion_logs (file_name, bucket, object_key, status) VALUES ('b/k', 'b', 'k', 'failed')"
        )
    with api_db.transaction(tenant=Tenant.client(two_clients[0])) as conn:
        assert conn.execute("SELECT * FROM ingestion_logs").fetchall() == []
    with api_db.transaction(tenant=Tenant.every_client()) as conn:
        assert len(conn.execute("SELECT * FROM ingestion_logs").fetchall()) == 1


def test_the_api_role_cannot_touch_staging(api_db):
    with pytest.raises(psycopg.errors.InsufficientPrivilege), api_db.transaction(tenant=Tenant.every_client()) as conn:
        conn.execute("SELECT * FROM staging_media_raw")


def test_tenant_must_be_one_client_or_all():
    with pytest.raises(ValueError):
        Tenant()
    with pytest.raises(ValueError):
        Tenant(client_id=uuid.uuid4(), all_clients=True)


def test_a_statement_timeout_is_not_reported_as_an_unavailable_database(api_db, two_clients):
    # given a healthy connection whose statement is cancelled by the server
    with pytest.raises(psycopg.errors.QueryCanceled), api_db.transaction(tenant=Tenant.every_client()) as conn:
        conn.execute("SET LOCAL statement_timeout = 50")
        conn.execute("SELECT pg_sleep(1)")
    # then the same connection is kept and still works
    with api_db.transaction(tenant=Tenant.every_client()) as conn:
        assert conn.execute("SELECT count(*) AS n FROM clients").fetchone()["n"] == 2


def test_a_lost_connection_is_reported_as_unavailable_and_replaced(api_db, owner_conn, two_clients):
    from shared.errors import DatabaseUnavailable

    with api_db.transaction(tenant=Tenant.every_client()) as conn:
        pid = conn.info.backend_pid
    owner_conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(DatabaseUnavailable), api_db.transaction(tenant=Tenant.every_client()) as conn:
        conn.execute("SELECT 1")
    with api_db.transaction(tenant=Tenant.every_client()) as conn:
        assert conn.info.backend_pid != pid
