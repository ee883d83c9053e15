"""`app.data_through` (migration 1252, what `dashboard_data_through` now calls) answers what
the replaced SQL answered, as the API role in a client's tenant: its last day and currency,
NULL day for a client without data, nothing of another tenant's client."""

from __future__ import annotations

import uuid
from typing import Any

from shared.db import QUERIES, Tenant
from tests.dashboard.data import add_client

BEFORE = """
SELECT max(m.date) AS data_through,
       (SELECT cc.currency FROM clients cc WHERE cc.id = %(client_id)s) AS currency
FROM daily_metrics m WHERE m.client_id = %(client_id)s
"""


def _both(api_db: Any, tenant_of: Any, client_id: Any) -> tuple[Any, Any]:
    with api_db.transaction(tenant=Tenant.client(tenant_of)) as conn:
        now = conn.execute(QUERIES["dashboard_data_through"], {"client_id": client_id}).fetchone()
        before = conn.execute(BEFORE, {"client_id": client_id}).fetchone()
    return now, before


def test_data_through_function_equals_the_query_it_replaces(
    api_db: Any, owner_conn: Any, acme: Any, globex: Any
) -> None:
    empty = add_client(owner_conn, "No Data", "no-data")
    owner_conn.execute("UPDATE clients SET currency = 'EUR' WHERE id = %s", (empty.id,))
    cases = [(acme.id, acme.id), (globex.id, globex.id), (empty.id, empty.id), (acme.id, globex.id)]
    cases.append((acme.id, uuid.uuid4()))
    for tenant_of, client_id in cases:
        now, before = _both(api_db, tenant_of, client_id)
        assert now == before
    assert _both(api_db, acme.id, acme.id)[0]["data_through"] is not None
    assert _both(api_db, empty.id, empty.id)[0] == {"data_through": None, "currency": "EUR"}
    assert _both(api_db, acme.id, globex.id)[0] == {"data_through": None, "currency": None}  # RLS
