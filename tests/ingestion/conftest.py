"""Fixtures for the ingestion tests: moto S3/SES adapters, a priced client, an `ingest` helper."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from shared.aws.s3 import S3ObjectStore
from shared.aws.ses import SesEmailSender
from shared.db import Database
from shared.ingestion.service import IngestionResult, ingest_object
from shared.settings import Settings
from tests.conftest import EVENTS_DIR, LANDING_BUCKET

TODAY = date(2026, 3, 31)


@pytest.fixture
def store(s3: Any) -> S3ObjectStore:
    return S3ObjectStore(client=s3)


@pytest.fixture
def sender(ses: Any) -> SesEmailSender:
    return SesEmailSender(client=ses)


def add_client(
    conn: psycopg.Connection[Any],
    *,
    name: str,
    slug: str,
    advertisers: tuple[str, ...] = (),
    rates: tuple[tuple[str, str], ...] = (),
    status: str = "active",
) -> UUID:
    """Arrange a client with advertiser names and (effective_date, cpm) rates."""
    row = conn.execute(
        "INSERT INTO clients (name, slug, status) VALUES (%s, %s, %s) RETURNING id", (name, slug, status)
    ).fetchone()
    assert row is not None
    client_id: UUID = row["id"]
    for advertiser in advertisers:
        conn.execute("INSERT INTO client_advertisers (client_id, name) VALUES (%s, %s)", (client_id, advertiser))
    for effective, cpm in rates:
        conn.execute(
            "INSERT INTO client_settings (client_id, cpm, effective_date) VALUES (%s, %s, %s)",
            (client_id, Decimal(cpm), date.fromisoformat(effective)),
        )
    return client_id


@pytest.fixture
def acme(owner_conn: psycopg.Connection[Any]) -> UUID:
    """Acme Outdoor (slug acme-outdoor), CPM 4.25 from 2026-01-01."""
    return add_client(
        owner_conn,
        name="Acme Outdoor",
        slug="acme-outdoor",
        advertisers=("Acme Outdoor",),
        rates=(("2026-01-01", "4.25"),),
    )


def event_bytes(name: str) -> bytes:
    return (Path(EVENTS_DIR) / name).read_bytes()


Ingest = Callable[..., IngestionResult]


@pytest.fixture
def ingest(s3: Any, store: S3ObjectStore, sender: SesEmailSender, worker_db: Database, settings: Settings) -> Ingest:
    """Upload `data` (when given) to the landing bucket under `key` and ingest it."""

    def run(key: str, data: bytes | str | None = None, **overrides: Any) -> IngestionResult:
        if data is not None:
            body = data.encode("utf-8") if isinstance(data, str) else data
            s3.put_object(Bucket=LANDING_BUCKET, Key=key, Body=body)
        kwargs: dict[str, Any] = {
            "settings": settings,
            "db": worker_db,
            "store": store,
            "sender": sender,
            "today": TODAY,
        }
        kwargs.update(overrides)
        return ingest_object(LANDING_BUCKET, key, **kwargs)

    return run


def totals(conn: psycopg.Connection[Any], client_id: UUID | None = None) -> dict[str, Any]:
    """Stored sums (all clients, or one)."""
    row = conn.execute(
        "SELECT count(*) AS rows, coalesce(sum(impressions), 0) AS impressions, coalesce(sum(clicks), 0) AS clicks, "
        "coalesce(sum(conversions), 0) AS conversions, coalesce(sum(conversion_revenue), 0) AS revenue, "
        "sum(spend) AS spend FROM daily_metrics WHERE %(c)s::uuid IS NULL OR client_id = %(c)s::uuid",
        {"c": client_id},
    ).fetchone()
    assert row is not None
    return dict(row)


def runs(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    return conn.execute("SELECT * FROM ingestion_logs ORDER BY started_at, created_at").fetchall()


def body(email: Any) -> str:
    """An email's body as plain text (moto keeps the HTML part, escaped)."""
    import html

    return html.unescape(str(email.body))
