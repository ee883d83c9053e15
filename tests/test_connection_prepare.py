"""Connections never prepare statements server-side: behind RDS Proxy a prepared statement
pins the session to one database connection."""

from __future__ import annotations

from shared.db import Tenant


def test_repeated_queries_are_never_prepared(api_db):
    conn = api_db.connection()
    assert conn.prepare_threshold is None
    for _ in range(10):  # psycopg's default would prepare from the 5th execution
        with api_db.transaction(tenant=Tenant.every_client()) as tx:
            tx.execute("SELECT count(*) FROM clients WHERE id IS NOT NULL").fetchone()
    assert conn.execute("SELECT count(*) AS n FROM pg_prepared_statements").fetchone()["n"] == 0
