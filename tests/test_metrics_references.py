"""daily_metrics' references, checked once per statement (migration 1031), keep the
integrity of the foreign keys they replaced: a row naming a missing creative path, rate-card
row or run is refused; a referenced row cannot be deleted, re-keyed or truncated away."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from shared.db import Database, Tenant
from tests.ingestion.conftest import add_client

INSERT = """
INSERT INTO daily_metrics (client_id, date, campaign_id, strategy_id, placement_id, creative_id,
                           impressions, clicks, conversions, conversion_revenue,
                           client_setting_id, cpm, spend, ingestion_run_id)
VALUES (%(client_id)s, %(date)s, %(campaign_id)s, %(strategy_id)s, %(placement_id)s, %(creative_id)s,
        1000, 10, 1, 5, %(client_setting_id)s, %(cpm)s, %(spend)s, %(run_id)s)
"""


def _path(conn: psycopg.Connection[Any], client_id: uuid.UUID, suffix: str) -> dict[str, Any]:
    campaign = conn.execute(
        "INSERT INTO campaigns (client_id, name) VALUES (%s, %s) RETURNING id", (client_id, f"C{suffix}")
    ).fetchone()["id"]
    strategy = conn.execute(
        "INSERT INTO strategies (client_id, campaign_id, name) VALUES (%s, %s, %s) RETURNING id",
        (client_id, campaign, f"S{suffix}"),
    ).fetchone()["id"]
    placement = conn.execute(
        "INSERT INTO placements (client_id, strategy_id, name) VALUES (%s, %s, %s) RETURNING id",
        (client_id, strategy, f"P{suffix}"),
    ).fetchone()["id"]
    creative = conn.execute(
        "INSERT INTO creatives (client_id, placement_id, name) VALUES (%s, %s, %s) RETURNING id",
        (client_id, placement, f"K{suffix}"),
    ).fetchone()["id"]
    return {
        "client_id": client_id,
        "campaign_id": campaign,
        "strategy_id": strategy,
        "placement_id": placement,
        "creative_id": creative,
    }


@pytest.fixture
def world(owner_conn: psycopg.Connection[Any]) -> Iterator[dict[str, Any]]:
    client = add_client(owner_conn, name="Acme", slug="acme", rates=(("2026-01-01", "4.25"),))
    other = add_client(owner_conn, name="Globex", slug="globex")
    rate = owner_conn.execute("SELECT id FROM client_settings WHERE client_id = %s", (client,)).fetchone()["id"]
    run = owner_conn.execute(
        "INSERT INTO ingestion_logs (file_name, bucket, object_key, status) VALUES ('f', 'b', 'k', 'running')"
        " RETURNING id"
    ).fetchone()["id"]
    yield {
        "path": _path(owner_conn, client, "1"),
        "second": _path(owner_conn, client, "2"),
        "other": _path(owner_conn, other, "3"),
        "rate": rate,
        "run": run,
    }


def _row(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    row = {
        **world["path"],
        "date": date(2026, 3, 1),
        "client_setting_id": world["rate"],
        "cpm": Decimal("4.25"),
        "spend": Decimal("4.25"),
        "run_id": world["run"],
    }
    row.update(changes)
    return row


def test_a_row_with_every_reference_present_is_stored(owner_conn: Any, world: dict[str, Any]) -> None:
    owner_conn.execute(INSERT, _row(world))
    owner_conn.execute(INSERT, _row(world, date=date(2026, 3, 2), client_setting_id=None, cpm=None, spend=None))
    owner_conn.execute(INSERT, _row(world, date=date(2026, 3, 3), run_id=None))
    assert owner_conn.execute("SELECT count(*) AS n FROM daily_metrics").fetchone()["n"] == 3


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"creative_id": "missing"}, "daily_metrics_creative_path_fkey"),
        ({"placement_id": "second.placement_id"}, "daily_metrics_creative_path_fkey"),  # a creative under another path
        ({"campaign_id": "second.campaign_id"}, "daily_metrics_creative_path_fkey"),
        ({"client_id": "other.client_id"}, "daily_metrics_creative_path_fkey"),  # another client's ids
        ({"client_setting_id": "missing"}, "daily_metrics_client_setting_id_fkey"),
        ({"run_id": "missing"}, "daily_metrics_ingestion_run_id_fkey"),
    ],
)
def test_a_row_naming_something_missing_is_refused(
    owner_conn: Any, world: dict[str, Any], change: dict[str, str], constraint: str
) -> None:
    ((column, source),) = change.items()
    if source == "missing":
        value: Any = uuid.uuid4()
    else:
        group, key = source.split(".")
        value = world[group][key]
    with pytest.raises(psycopg.errors.ForeignKeyViolation) as refused:
        owner_conn.execute(INSERT, _row(world, **{column: value}))
    assert refused.value.diag.constraint_name == constraint
    assert owner_conn.execute("SELECT count(*) AS n FROM daily_metrics").fetchone()["n"] == 0


def test_one_bad_row_among_many_refuses_the_whole_statement(owner_conn: Any, world: dict[str, Any]) -> None:
    many = INSERT.replace("VALUES (%(client_id)s, %(date)s,", "SELECT %(client_id)s, d::date,").replace(
        "%(run_id)s)",
        "%(run_id)s FROM generate_series(%(date)s::date, %(date)s::date + 27, '1 day') d"
        " UNION ALL SELECT %(client_id)s, %(date)s::date - 1, %(campaign_id)s, %(strategy_id)s, %(placement_id)s,"
        " %(stray)s, 1, 1, 1, 1, NULL, NULL, NULL, NULL",
    )
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        owner_conn.execute(many, {**_row(world), "stray": uuid.uuid4()})
    assert owner_conn.execute("SELECT count(*) AS n FROM daily_metrics").fetchone()["n"] == 0
    owner_conn.execute(many, {**_row(world), "stray": world["path"]["creative_id"]})
    assert owner_conn.execute("SELECT count(*) AS n FROM daily_metrics").fetchone()["n"] == 29


def test_an_update_to_a_missing_reference_is_refused(owner_conn: Any, world: dict[str, Any]) -> None:
    owner_conn.execute(INSERT, _row(world))
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        owner_conn.execute("UPDATE daily_metrics SET client_setting_id = %s", (uuid.uuid4(),))
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        owner_conn.execute("UPDATE daily_metrics SET creative_id = %s", (world["second"]["creative_id"],))
    stored = owner_conn.execute("SELECT creative_id, client_setting_id FROM daily_metrics").fetchone()
    assert stored == {"creative_id": world["path"]["creative_id"], "client_setting_id": world["rate"]}


def test_referenced_rows_cannot_be_deleted_but_unreferenced_ones_can(owner_conn: Any, world: dict[str, Any]) -> None:
    owner_conn.execute(INSERT, _row(world))
    for statement, value in (
        ("DELETE FROM creatives WHERE id = %s", world["path"]["creative_id"]),
        ("DELETE FROM client_settings WHERE id = %s", world["rate"]),
        ("DELETE FROM ingestion_logs WHERE id = %s", world["run"]),
        ("UPDATE creatives SET placement_id = %s WHERE id = %s", None),  # a path change of a used creative
    ):
        args = (value,) if value else (world["second"]["placement_id"], world["path"]["creative_id"])
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            owner_conn.execute(statement, args)
    # the unreferenced second path and the renaming of a used creative are fine
    owner_conn.execute("UPDATE creatives SET name = 'renamed' WHERE id = %s", (world["path"]["creative_id"],))
    owner_conn.execute("DELETE FROM creatives WHERE id = %s", (world["second"]["creative_id"],))
    owner_conn.execute("UPDATE ingestion_logs SET status = 'success' WHERE id = %s", (world["run"],))
    # once the metrics row is gone, so may its references
    owner_conn.execute("DELETE FROM daily_metrics")
    owner_conn.execute("DELETE FROM creatives WHERE id = %s", (world["path"]["creative_id"],))
    owner_conn.execute("DELETE FROM client_settings WHERE id = %s", (world["rate"],))
    owner_conn.execute("DELETE FROM ingestion_logs WHERE id = %s", (world["run"],))


def test_truncating_a_referenced_table_is_refused_unless_together(owner_conn: Any, world: dict[str, Any]) -> None:
    owner_conn.execute(INSERT, _row(world))
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        owner_conn.execute("TRUNCATE client_settings")
    owner_conn.execute("TRUNCATE daily_metrics, client_settings")
    assert owner_conn.execute("SELECT count(*) AS n FROM client_settings").fetchone()["n"] == 0


def test_a_tenant_writer_is_checked_the_same_way(api_db: Database, world: dict[str, Any]) -> None:
    client = world["path"]["client_id"]
    with pytest.raises(psycopg.errors.ForeignKeyViolation), api_db.transaction(tenant=Tenant.client(client)) as conn:
        conn.execute(INSERT, _row(world, run_id=None, creative_id=uuid.uuid4()))
    with api_db.transaction(tenant=Tenant.client(client)) as conn:
        conn.execute(INSERT, _row(world, run_id=None))


# ---------------------------------------------------------------- the dimension path (1202)


def test_a_creative_naming_only_its_placement_gets_the_parent_ids(owner_conn: Any, world: dict[str, Any]) -> None:
    path = world["path"]
    row = owner_conn.execute(
        "INSERT INTO creatives (client_id, placement_id, name) VALUES (%s, %s, 'K-new')"
        " RETURNING campaign_id, strategy_id",
        (path["client_id"], path["placement_id"]),
    ).fetchone()
    assert row == {"campaign_id": path["campaign_id"], "strategy_id": path["strategy_id"]}


@pytest.mark.parametrize(
    "change",
    [
        {"campaign_id": "second.campaign_id"},  # parent ids that disagree with the placement
        {"strategy_id": "second.strategy_id"},
        {"client_id": "other.client_id"},  # another client's placement
        {"placement_id": "missing"},
    ],
)
def test_a_creative_whose_path_disagrees_with_its_placement_is_refused(
    owner_conn: Any, world: dict[str, Any], change: dict[str, str]
) -> None:
    ((column, source),) = change.items()
    row = {key: world["path"][key] for key in ("client_id", "campaign_id", "strategy_id", "placement_id")}
    if source == "missing":
        row[column] = uuid.uuid4()
    else:
        group, key = source.split(".")
        row[column] = world[group][key]
    with pytest.raises(psycopg.errors.ForeignKeyViolation) as refused:
        owner_conn.execute(
            "INSERT INTO creatives (client_id, campaign_id, strategy_id, placement_id, name)"
            " VALUES (%(client_id)s, %(campaign_id)s, %(strategy_id)s, %(placement_id)s, 'K-bad')",
            row,
        )
    assert refused.value.diag.constraint_name == "creatives_path_fkey"


def test_a_placement_with_creatives_cannot_be_removed_and_a_moved_creative_follows_its_placement(
    owner_conn: Any, world: dict[str, Any]
) -> None:
    path, second = world["path"], world["second"]
    with pytest.raises(psycopg.errors.RestrictViolation) as refused:
        owner_conn.execute("DELETE FROM placements WHERE id = %s", (path["placement_id"],))
    assert refused.value.diag.constraint_name == "creatives_path_fkey"
    moved = owner_conn.execute(
        "UPDATE creatives SET placement_id = %s WHERE id = %s RETURNING campaign_id, strategy_id",
        (second["placement_id"], path["creative_id"]),
    ).fetchone()
    assert moved == {"campaign_id": second["campaign_id"], "strategy_id": second["strategy_id"]}
    # a placement's id change still cascades to its creatives
    new_id = uuid.uuid4()
    owner_conn.execute("UPDATE placements SET id = %s WHERE id = %s", (new_id, second["placement_id"]))
    assert owner_conn.execute(
        "SELECT placement_id FROM creatives WHERE id = %s", (second["creative_id"],)
    ).fetchone() == {"placement_id": new_id}
