"""regenerate_queued: the entry point ingestion and re-pricing call inside their transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.db import Tenant
from shared.summaries import build_monthly, build_weekly, regenerate_queued
from tests.summaries.data import make_client

WEEK = date(2026, 3, 2)


def test_regenerate_queued_rebuilds_restated_summaries_and_empties_the_queue(owner_conn, worker_db, settings):
    # given a client whose week and month summaries were built from the original data
    acme = make_client(owner_conn, "acme", cpm="5.0000")
    acme.add(date(2026, 3, 3), 10_000, 100, 5, "250.00")
    with worker_db.transaction(tenant=Tenant.every_client()) as conn:
        build_weekly(conn, client_id=acme.id, week_start=WEEK, settings=settings)
        build_monthly(conn, client_id=acme.id, month_start=date(2026, 3, 1), settings=settings)

    # when a restatement adds a day and queues the periods, then regenerates in one transaction
    acme.add(date(2026, 3, 4), 30_000, 300, 15, "750.00")
    with worker_db.transaction(tenant=Tenant.every_client()) as conn:
        queued = conn.execute(
            "SELECT app.enqueue_summary_refresh(%s, '2026-03-04', '2026-03-04') AS n", (acme.id,)
        ).fetchone()["n"]
        regenerated = regenerate_queued(conn, settings=settings)

    # then both summaries hold the restated totals and the queue is empty
    assert (queued, regenerated) == (2, 2)
    week = owner_conn.execute("SELECT impressions, spend, days_with_data FROM weekly_summaries").fetchone()
    month = owner_conn.execute("SELECT impressions, spend FROM monthly_summaries").fetchone()
    assert week == {"impressions": 40_000, "spend": Decimal("200.0000000"), "days_with_data": 2}
    assert month == {"impressions": 40_000, "spend": Decimal("200.0000000")}
    assert owner_conn.execute("SELECT count(*) AS n FROM summary_refresh_queue").fetchone()["n"] == 0


def test_regenerate_queued_with_an_empty_queue_does_nothing(worker_db, settings):
    with worker_db.transaction(tenant=Tenant.every_client()) as conn:
        assert regenerate_queued(conn, settings=settings) == 0


def test_regenerate_queued_in_one_clients_tenant_leaves_other_clients_queue_rows(
    owner_conn, api_db, worker_db, settings
):
    # given summaries for two clients, both queued
    acme, globex = make_client(owner_conn, "acme"), make_client(owner_conn, "globex")
    for client in (acme, globex):
        client.add(date(2026, 3, 3), 10_000, 100, 5, "250.00")
        with worker_db.transaction(tenant=Tenant.every_client()) as conn:
            build_weekly(conn, client_id=client.id, week_start=WEEK, settings=settings)
        owner_conn.execute("SELECT app.enqueue_summary_refresh(%s, '2026-03-02', '2026-03-08')", (client.id,))

    # when an admin re-pricing of acme regenerates in acme's tenant (as the API role)
    with api_db.transaction(tenant=Tenant.client(acme.id)) as conn:
        regenerated = regenerate_queued(conn, settings=settings)

    # then only acme's queue row was processed
    assert regenerated == 1
    left = owner_conn.execute("SELECT client_id FROM summary_refresh_queue").fetchall()
    assert left == [{"client_id": globex.id}]


def test_a_failing_regeneration_rolls_back_with_the_callers_change(owner_conn, worker_db, settings):
    # given a queued row that cannot be built (a week_start that is not a Monday cannot exist
    # as a summary, so plant a queue row by hand)
    acme = make_client(owner_conn, "acme")
    owner_conn.execute(
        "INSERT INTO summary_refresh_queue (client_id, kind, period_start) VALUES (%s, 'weekly', '2026-03-03')",
        (acme.id,),
    )
    # when the caller changes data and regenerates in one transaction
    try:
        with worker_db.transaction(tenant=Tenant.every_client()) as conn:
            conn.execute("UPDATE clients SET name = 'Changed' WHERE id = %s", (acme.id,))
            regenerate_queued(conn, settings=settings)
    except Exception as exc:
        error = exc
    # then the error propagates and nothing of the transaction is kept
    assert type(error).__name__ == "InvalidInput"
    assert owner_conn.execute("SELECT name FROM clients").fetchone()["name"] == "Acme"
    assert owner_conn.execute("SELECT count(*) AS n FROM summary_refresh_queue").fetchone()["n"] == 1


def test_rows_another_transaction_is_queuing_are_left_to_it_without_waiting(owner_conn, db_url, worker_db, settings):
    import psycopg

    from tests.conftest import role_url

    # given a built week whose queue row another load is re-queuing right now (row locked)
    acme = make_client(owner_conn, "acme")
    acme.add(date(2026, 3, 3), 10_000, 100, 5, "250.00")
    with worker_db.transaction(tenant=Tenant.every_client()) as conn:
        build_weekly(conn, client_id=acme.id, week_start=WEEK, settings=settings)
    owner_conn.execute("SELECT app.enqueue_summary_refresh(%s, '2026-03-03', '2026-03-03')", (acme.id,))
    with psycopg.connect(role_url(db_url, "dash_worker")) as other:
        other.execute("SELECT set_config('app.all_clients', 'on', true)")
        other.execute("SELECT app.enqueue_summary_refresh(%s, '2026-03-03', '2026-03-03')", (acme.id,))

        # when a second transaction regenerates (a lock wait would fail, not hang)
        with worker_db.transaction(tenant=Tenant.every_client()) as conn:
            conn.execute("SELECT set_config('lock_timeout', '2s', true)")
            regenerated = regenerate_queued(conn, settings=settings)
        other.rollback()

    # then it skipped the locked row, which is still queued
    assert regenerated == 0
    assert owner_conn.execute("SELECT count(*) AS n FROM summary_refresh_queue").fetchone()["n"] == 1
