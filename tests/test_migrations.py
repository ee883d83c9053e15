"""The schema: migrations apply, re-apply as a no-op, refuse edits; seed tables and indexes exist."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from shared.db.migrate import MIGRATIONS_DIR, MigrationError, discover, migrate

SEED_TABLES = {
    "users",
    "clients",
    "campaigns",
    "strategies",
    "placements",
    "creatives",
    "daily_metrics",
    "weekly_summaries",
    "monthly_summaries",
    "ingestion_logs",
    "client_settings",
    "staging_media_raw",
}
SPEC_TABLES = {
    "refresh_tokens",
    "login_attempts",
    "client_advertisers",
    "ingestion_rejected_rows",
    "summary_refresh_queue",
    "alert_log",
}
NAMED_INDEXES = {
    "idx_users_email_unique",
    "idx_clients_name",
    "idx_client_settings_client_id",
    "idx_campaign_client_name",
    "idx_strategy_campaign_name",
    # The seed's per-entity metrics indexes (idx_metrics_campaign, ...) went in 0701: no
    # query reads daily_metrics without client and dates (test_metrics_write_path below).
    "idx_metrics_client_date",
}
CLIENT_DATA_TABLES = {
    "clients",
    "client_advertisers",
    "client_settings",
    "campaigns",
    "strategies",
    "placements",
    "creatives",
    "daily_metrics",
    "weekly_summaries",
    "monthly_summaries",
    "staging_media_raw",
    "summary_refresh_queue",
    "daily_campaign_metrics",
    "ingestion_logs",
    "ingestion_rejected_rows",
}


def test_every_seed_table_and_named_index_exists(owner_conn):
    tables = {r["tablename"] for r in owner_conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
    indexes = {r["indexname"] for r in owner_conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname='public'")}
    assert tables >= SEED_TABLES | SPEC_TABLES
    assert indexes >= NAMED_INDEXES


def test_metrics_write_path_is_one_index_and_one_path_key(owner_conn):
    indexes = owner_conn.execute(
        "SELECT i.indexrelid::regclass::text AS name, i.indisprimary AS primary,"
        " pg_get_indexdef(i.indexrelid) AS definition"
        " FROM pg_index i WHERE i.indrelid = 'daily_metrics'::regclass"
    ).fetchall()
    by_name = {r["name"]: r for r in indexes}
    # The primary key is the covering index; the admin portal's (0301) is partial: it only
    # holds unpriced rows, so a priced load does not write to it.
    assert set(by_name) == {"idx_metrics_client_date", "idx_metrics_unpriced"}
    assert by_name["idx_metrics_client_date"]["primary"]
    assert "(client_id, date, creative_id) INCLUDE" in by_name["idx_metrics_client_date"]["definition"]
    assert "WHERE (spend IS NULL)" in by_name["idx_metrics_unpriced"]["definition"]
    foreign_keys = owner_conn.execute(
        "SELECT count(*) AS n FROM pg_constraint WHERE conrelid = 'daily_metrics'::regclass AND contype = 'f'"
    ).fetchone()
    # 1031: the references are checked once per statement (tests/test_metrics_references.py).
    assert foreign_keys["n"] == 0
    triggers = {
        r["tgname"]
        for r in owner_conn.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'daily_metrics'::regclass")
    }
    assert {"daily_metrics_references_inserted", "daily_metrics_references_updated"} <= triggers


def test_users_table_fixes_the_seed_typo(owner_conn):
    columns = {
        r["column_name"]
        for r in owner_conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'users'")
    }
    assert "password_hash" in columns and "password_has_h" not in columns
    assert {"client_id", "disabled", "session_version"} <= columns


def test_foreign_keys_cascade_updates_and_restrict_deletes(owner_conn):
    rules = owner_conn.execute(
        "SELECT DISTINCT update_rule, delete_rule FROM information_schema.referential_constraints"
        " WHERE constraint_schema = 'public'"
    ).fetchall()
    assert rules == [{"update_rule": "CASCADE", "delete_rule": "RESTRICT"}]


def test_rls_is_enabled_and_forced_on_every_client_data_table(owner_conn):
    rows = owner_conn.execute(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'",
        (list(CLIENT_DATA_TABLES),),
    ).fetchall()
    assert {r["relname"] for r in rows} == CLIENT_DATA_TABLES
    assert all(r["relrowsecurity"] and r["relforcerowsecurity"] for r in rows)


def test_application_roles_cannot_bypass_rls_and_own_nothing(owner_conn):
    roles = owner_conn.execute(
        "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname IN ('dash_api', 'dash_worker')"
    ).fetchall()
    assert len(roles) == 2
    assert not any(r["rolsuper"] or r["rolbypassrls"] for r in roles)
    owned = owner_conn.execute(
        "SELECT count(*) AS n FROM pg_tables WHERE tableowner IN ('dash_api', 'dash_worker')"
    ).fetchone()
    assert owned["n"] == 0


def test_check_constraints_reject_bad_values(owner_conn):
    with pytest.raises(psycopg.errors.CheckViolation):
        owner_conn.execute("INSERT INTO clients (name, slug) VALUES ('A', 'Bad Slug')")
    with pytest.raises(psycopg.errors.CheckViolation):
        owner_conn.execute("INSERT INTO users (email, password_hash, role) VALUES ('a@b.c', 'x', 'root')")
    with pytest.raises(psycopg.errors.CheckViolation):
        # a client user must belong to a client
        owner_conn.execute("INSERT INTO users (email, password_hash, role) VALUES ('a@b.c', 'x', 'client')")


def test_migrations_reapply_as_a_noop(db_url):
    assert migrate(db_url) == []


def test_fresh_database_gets_every_migration(pg_admin_url):
    versions = [m.version for m in discover()]
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS dash_migrate_fresh WITH (FORCE)")
        conn.execute("CREATE DATABASE dash_migrate_fresh")
    url = psycopg.conninfo.make_conninfo(pg_admin_url, dbname="dash_migrate_fresh")
    try:
        assert migrate(url) == versions
        assert migrate(url) == []
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute("DROP DATABASE dash_migrate_fresh WITH (FORCE)")


def test_an_edited_migration_is_refused(db_url, tmp_path: Path):
    # given a copy of the migrations with an applied one edited
    for path in MIGRATIONS_DIR.glob("*.sql"):
        shutil.copy(path, tmp_path / path.name)
    first = sorted(tmp_path.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    # when / then
    with pytest.raises(MigrationError, match="edited"):
        migrate(db_url, directory=tmp_path)


def test_a_failing_migration_leaves_nothing_behind(db_url, tmp_path: Path):
    for path in MIGRATIONS_DIR.glob("*.sql"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "9999_broken.sql").write_text("CREATE TABLE half_done (id int);\nSELECT no_such_function();\n")
    with pytest.raises(MigrationError, match="9999_broken"):
        migrate(db_url, directory=tmp_path)
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT to_regclass('half_done')").fetchone() == (None,)
        assert conn.execute("SELECT count(*) FROM schema_migrations WHERE version = '9999'").fetchone() == (0,)


def test_badly_named_migration_is_refused(tmp_path: Path):
    (tmp_path / "add_things.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_description"):
        discover(tmp_path)
