"""The schema: migrations apply, re-apply as a no-op, refuse edits; seed tables and indexes exist."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

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


_METRICS_SNAPSHOT = (
    "SELECT client_id, date, campaign_id, strategy_id, placement_id, creative_id, impressions, clicks,"
    " conversions, conversion_revenue, client_setting_id, cpm, spend, ingestion_run_id, created_at"
    " FROM daily_metrics ORDER BY client_id, date, creative_id"
)
_ROLLUP_FROM_ROWS = (
    "SELECT client_id, date, campaign_id, count(*)::integer AS row_count, count(spend)::integer AS priced_rows,"
    " sum(impressions)::bigint AS impressions, sum(clicks)::bigint AS clicks, sum(conversions)::bigint AS conversions,"
    " sum(conversion_revenue) AS conversion_revenue, coalesce(sum(spend), 0) AS spend"
    " FROM daily_metrics GROUP BY client_id, date, campaign_id ORDER BY client_id, date, campaign_id"
)
_ROLLUP = (
    "SELECT client_id, date, campaign_id, row_count, priced_rows, impressions, clicks, conversions,"
    " conversion_revenue, spend FROM daily_campaign_metrics ORDER BY client_id, date, campaign_id"
)


@contextmanager
def _migrated_before(version: str, pg_admin_url: str, tmp_path: Path) -> Iterator[str]:
    """A new database holding every migration before `version` (its URL); dropped after."""
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if path.name < version:
            shutil.copy(path, tmp_path / path.name)
    name = f"dash_migrate_{version}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = psycopg.conninfo.make_conninfo(pg_admin_url, dbname=name)
    try:
        migrate(url, directory=tmp_path)
        yield url
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_1201_drops_the_unread_metrics_columns_and_keeps_every_row(pg_admin_url, tmp_path: Path):
    # given a database migrated up to 1101, holding priced and unpriced metrics rows
    with _migrated_before("1201", pg_admin_url, tmp_path) as url:
        with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
            conn.execute("SELECT set_config('app.all_clients', 'on', false)")
            _arrange_metrics(conn)
            before = conn.execute(_METRICS_SNAPSHOT).fetchall()
            rollup_before = conn.execute(_ROLLUP).fetchall()
            assert len(before) == 40 and conn.execute("SELECT count(ctr) AS n FROM daily_metrics").fetchone()["n"] == 40
        # when the remaining migrations run
        assert migrate(url)[0] == "1201"
        # then the five columns are gone, the rows and the rollup are unchanged and exact,
        # and the primary key is still the business key
        with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
            conn.execute("SELECT set_config('app.all_clients', 'on', false)")
            columns = {
                r["column_name"]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'daily_metrics'"
                )
            }
            assert not columns & {"id", "ctr", "cpc", "cpa", "roas"}
            assert conn.execute(_METRICS_SNAPSHOT).fetchall() == before
            assert conn.execute(_ROLLUP).fetchall() == rollup_before == conn.execute(_ROLLUP_FROM_ROWS).fetchall()
            key = conn.execute(
                "SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index"
                " WHERE indrelid = 'daily_metrics'::regclass AND indisprimary"
            ).fetchone()
            assert "idx_metrics_client_date" in key["definition"]
            assert "(client_id, date, creative_id) INCLUDE" in key["definition"]
            # and the table still takes writes that keep the rollup exact
            conn.execute("DELETE FROM daily_metrics WHERE date = '2026-03-02'")
            conn.execute("UPDATE daily_metrics SET impressions = impressions + 1 WHERE date = '2026-03-03'")
            assert conn.execute(_ROLLUP).fetchall() == conn.execute(_ROLLUP_FROM_ROWS).fetchall()


def _arrange_metrics(conn: psycopg.Connection[Any]) -> None:
    """Two clients x 2 campaigns x 5 creatives x 2 days; the second client unpriced."""
    run = conn.execute(
        "INSERT INTO ingestion_logs (file_name, bucket, object_key, status) VALUES ('f', 'b', 'k', 'success')"
        " RETURNING id"
    ).fetchone()["id"]
    for c, priced in enumerate((True, False)):
        client = conn.execute(
            "INSERT INTO clients (name, slug) VALUES (%s, %s) RETURNING id", (f"Client {c}", f"client-{c}")
        ).fetchone()["id"]
        rate = None
        if priced:
            rate = conn.execute(
                "INSERT INTO client_settings (client_id, cpm, effective_date) VALUES (%s, 4.25, '2026-01-01')"
                " RETURNING id",
                (client,),
            ).fetchone()["id"]
        for k in range(2):
            campaign = conn.execute(
                "INSERT INTO campaigns (client_id, name) VALUES (%s, %s) RETURNING id", (client, f"C{k}")
            ).fetchone()["id"]
            strategy = conn.execute(
                "INSERT INTO strategies (client_id, campaign_id, name) VALUES (%s, %s, 'S') RETURNING id",
                (client, campaign),
            ).fetchone()["id"]
            placement = conn.execute(
                "INSERT INTO placements (client_id, strategy_id, name) VALUES (%s, %s, 'P') RETURNING id",
                (client, strategy),
            ).fetchone()["id"]
            for n in range(5):
                creative = conn.execute(
                    "INSERT INTO creatives (client_id, placement_id, name) VALUES (%s, %s, %s) RETURNING id",
                    (client, placement, f"K{n}"),
                ).fetchone()["id"]
                conn.execute(
                    "INSERT INTO daily_metrics (client_id, date, campaign_id, strategy_id, placement_id, creative_id,"
                    " impressions, clicks, conversions, conversion_revenue, client_setting_id, cpm, spend,"
                    " ingestion_run_id)"
                    " SELECT %(client)s, day, %(campaign)s, %(strategy)s, %(placement)s, %(creative)s,"
                    "        1000 + %(n)s * 7, 10 + %(n)s, %(n)s, 12.345678 * (%(n)s + 1), %(rate)s, %(cpm)s,"
                    "        CASE WHEN %(priced)s THEN (1000 + %(n)s * 7) * 4.25 * 0.001 END, %(run)s"
                    " FROM (VALUES ('2026-03-02'::date), ('2026-03-03'::date)) AS days (day)",
                    {
                        "client": client,
                        "campaign": campaign,
                        "strategy": strategy,
                        "placement": placement,
                        "creative": creative,
                        "n": n,
                        "rate": rate,
                        "cpm": Decimal("4.25") if priced else None,
                        "priced": priced,
                        "run": run,
                    },
                )


_ROW_TEXTS = """
SELECT d.client_id, d.date,
       app.day_row_text(c.name, s.name, p.name, cr.name, d.impressions, d.clicks, d.conversions,
                        d.conversion_revenue) AS row_text
FROM daily_metrics d
JOIN campaigns c ON c.id = d.campaign_id
JOIN strategies s ON s.id = d.strategy_id
JOIN placements p ON p.id = d.placement_id
JOIN creatives cr ON cr.id = d.creative_id
"""
_SORTED_MD5 = f"""
SELECT client_id, date, md5(string_agg(row_text, E'\\n' ORDER BY row_text COLLATE "C")) AS fingerprint
FROM ({_ROW_TEXTS}) r GROUP BY client_id, date ORDER BY client_id, date
"""
_HASH_SUMS = f"""
SELECT client_id, date,
       app.day_fingerprint(count(*), sum(app.row_hash(row_text, 1)), sum(app.row_hash(row_text, 2))) AS fingerprint
FROM ({_ROW_TEXTS}) r GROUP BY client_id, date ORDER BY client_id, date
"""
_STORED = "SELECT client_id, date, fingerprint FROM ingestion_day_versions ORDER BY client_id, date"


def test_1302_recomputes_every_stored_day_fingerprint_without_a_sort(pg_admin_url, tmp_path: Path):
    # given a database migrated up to 1301 whose day versions hold the sorted-md5 fingerprints,
    # and one version of a day whose rows are gone
    with _migrated_before("1302", pg_admin_url, tmp_path) as url:
        with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
            conn.execute("SELECT set_config('app.all_clients', 'on', false)")
            _arrange_metrics(conn)
            run = conn.execute("SELECT id FROM ingestion_logs").fetchone()["id"]
            conn.execute(
                "INSERT INTO ingestion_day_versions (client_id, date, fingerprint, ingestion_run_id, uploaded_at)"
                f" SELECT client_id, date, fingerprint, %s, now() FROM ({_SORTED_MD5}) f",
                (run,),
            )
            gone = conn.execute(
                "INSERT INTO ingestion_day_versions (client_id, date, fingerprint, ingestion_run_id, uploaded_at)"
                " SELECT id, '2026-01-05', repeat('f', 32), %s, now() FROM clients LIMIT 1 RETURNING client_id",
                (run,),
            ).fetchone()["client_id"]
            before = conn.execute(_STORED).fetchall()
            assert len(before) == 5
        # when 1302 runs
        assert migrate(url)[0] == "1302"
        with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
            conn.execute("SELECT set_config('app.all_clients', 'on', false)")
            stored = conn.execute(_STORED).fetchall()
            recomputed = conn.execute(_HASH_SUMS).fetchall()
            # then every day with rows holds the new digest of its rows (no longer the old value),
            assert [row for row in stored if row["client_id"] != gone or row["date"].isoformat() != "2026-01-05"] == (
                recomputed
            )
            assert not {row["fingerprint"] for row in recomputed} & {row["fingerprint"] for row in before}
            # (the arranged days all hold the same rows: names and numbers, not client or date)
            assert len(recomputed) == 4 and len({row["fingerprint"] for row in recomputed}) == 1
            # the day without rows keeps its value (no upload equals it: it loads again),
            assert {"client_id": gone, "fingerprint": "f" * 32} in [
                {"client_id": row["client_id"], "fingerprint": row["fingerprint"]} for row in stored
            ]
            # and the digest follows the rows: one changed number changes its day only
            conn.execute(
                "UPDATE daily_metrics SET clicks = clicks + 1"
                " WHERE ctid = (SELECT ctid FROM daily_metrics WHERE date = '2026-03-02' ORDER BY client_id LIMIT 1)"
            )
            changed = conn.execute(_HASH_SUMS).fetchall()
            assert sum(a["fingerprint"] != b["fingerprint"] for a, b in zip(changed, recomputed, strict=True)) == 1
