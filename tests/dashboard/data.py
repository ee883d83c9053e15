"""Arranging dashboard data with the owner connection (shared by domain and API tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

FIRST_DAY = date(2026, 3, 2)  # a Monday
DAYS = 14
CPM = Decimal("4.2500")


@dataclass
class Client:
    id: UUID
    name: str
    slug: str
    campaigns: dict[str, UUID] = field(default_factory=dict)
    strategies: dict[str, UUID] = field(default_factory=dict)
    placements: dict[str, UUID] = field(default_factory=dict)
    creatives: dict[str, UUID] = field(default_factory=dict)


def add_client(conn: Any, name: str, slug: str, *, cpm: Decimal | None = CPM) -> Client:
    row = conn.execute("INSERT INTO clients (name, slug) VALUES (%s, %s) RETURNING id", (name, slug)).fetchone()
    if cpm is not None:
        conn.execute(
            "INSERT INTO client_settings (client_id, cpm, effective_date) VALUES (%s, %s, '2025-01-01')",
            (row["id"], cpm),
        )
    return Client(row["id"], name, slug)


def add_tree(conn: Any, client: Client, tree: dict[str, dict[str, dict[str, list[str]]]]) -> None:
    """campaign -> strategy -> placement -> [creatives], names unique per client here."""
    for campaign, strategies in tree.items():
        cid = conn.execute(
            "INSERT INTO campaigns (client_id, name) VALUES (%s, %s) RETURNING id", (client.id, campaign)
        ).fetchone()["id"]
        client.campaigns[campaign] = cid
        for strategy, placements in strategies.items():
            sid = conn.execute(
                "INSERT INTO strategies (client_id, campaign_id, name) VALUES (%s, %s, %s) RETURNING id",
                (client.id, cid, strategy),
            ).fetchone()["id"]
            client.strategies[strategy] = sid
            for placement, creatives in placements.items():
                pid = conn.execute(
                    "INSERT INTO placements (client_id, strategy_id, name) VALUES (%s, %s, %s) RETURNING id",
                    (client.id, sid, placement),
                ).fetchone()["id"]
                client.placements[placement] = pid
                for creative in creatives:
                    client.creatives[creative] = conn.execute(
                        "INSERT INTO creatives (client_id, placement_id, name) VALUES (%s, %s, %s) RETURNING id",
                        (client.id, pid, creative),
                    ).fetchone()["id"]


def add_metrics(
    conn: Any, client: Client, *, first: date = FIRST_DAY, days: int = DAYS, scale: int = 1, priced: bool = True
) -> None:
    """One row per creative per day with deterministic, varied volumes (set-based insert)."""
    conn.execute(
        """
        INSERT INTO daily_metrics (client_id, date, campaign_id, strategy_id, placement_id, creative_id,
                                   impressions, clicks, conversions, conversion_revenue,
                                   client_setting_id, cpm, spend)
        SELECT cr.client_id, d::date, st.campaign_id, pl.strategy_id, cr.placement_id, cr.id,
               v.imps, v.imps / 97, v.imps / 97 / 7, (v.imps / 97 / 7) * 12.345678,
               r.client_setting_id, r.cpm, v.imps * r.cpm / 1000
        FROM creatives cr
        JOIN placements pl ON pl.id = cr.placement_id
        JOIN strategies st ON st.id = pl.strategy_id
        CROSS JOIN generate_series(%(first)s::date, %(first)s::date + %(days)s - 1, interval '1 day') d
        CROSS JOIN LATERAL (
            SELECT (1000 + abs(hashtext(cr.name || d::text)) %% 9000) * %(scale)s AS imps
        ) v
        LEFT JOIN LATERAL (
            SELECT * FROM app.rate_in_force(cr.client_id, d::date) WHERE %(priced)s
        ) r ON true
        WHERE cr.client_id = %(client)s
        """,
        {"client": client.id, "first": first, "days": days, "scale": scale, "priced": priced},
    )


STANDARD_TREE = {
    "Spring Sale": {
        "Prospecting": {"News Site": ["Banner A", "Banner B"], "Video App": ["Pre-roll 15s"]},
        "Retargeting": {"Social Feed": ["Carousel"]},
    },
    "Brand Awareness": {"Reach": {"Streaming TV": ["Spot 30s", "Spot 15s"]}},
    "Quiet Test": {"Tiny": {"Niche Blog": ["Text Ad"]}},
}


def standard_client(conn: Any, name: str = "Acme Outdoor", slug: str = "acme") -> Client:
    client = add_client(conn, name, slug)
    add_tree(conn, client, STANDARD_TREE)
    add_metrics(conn, client)
    return client


def day(n: int) -> date:
    return FIRST_DAY + timedelta(days=n)


def globex_client(conn: Any) -> Client:
    """Globex: another tenant with one creative and 3x the volume."""
    client = add_client(conn, "Globex", "globex")
    add_tree(conn, client, {"Globex Launch": {"All": {"Everywhere": ["Globex Ad"]}}})
    add_metrics(conn, client, scale=3)
    return client


# ---------------------------------------------------------------- pacing

PACE_THROUGH = date(2026, 3, 10)  # a Tuesday; 1 March 2026 is a Sunday
PACE_SKIPPED = date(2026, 2, 25)  # a Wednesday without a file: unknown, not zero


def impressions_on(day: date) -> int:
    """1000 x (weekday + 1) (Monday 1000 ... Sunday 7000), and one busy Monday."""
    return 5000 if day == date(2026, 3, 9) else 1000 * (day.weekday() + 1)


def add_days(conn: Any, client: Client, days: list[date]) -> None:
    """One creative's row per day: clicks 1%, conversions 10% of clicks, revenue 10 each, CPM 4.25."""
    creative = next(iter(client.creatives.values()))
    for day in days:
        imps = impressions_on(day)
        conn.execute(
            """
            INSERT INTO daily_metrics (client_id, date, campaign_id, strategy_id, placement_id, creative_id,
                                       impressions, clicks, conversions, conversion_revenue,
                                       client_setting_id, cpm, spend)
            SELECT cr.client_id, %(day)s, st.campaign_id, pl.strategy_id, cr.placement_id, cr.id,
                   %(imps)s, %(imps)s / 100, %(imps)s / 1000, %(imps)s / 1000 * 10,
                   r.client_setting_id, r.cpm, %(imps)s * r.cpm / 1000
            FROM creatives cr
            JOIN placements pl ON pl.id = cr.placement_id
            JOIN strategies st ON st.id = pl.strategy_id
            CROSS JOIN LATERAL app.rate_in_force(cr.client_id, %(day)s::date) r
            WHERE cr.id = %(creative)s
            """,
            {"day": day, "imps": imps, "creative": creative},
        )


def paced_client(conn: Any) -> Client:
    """Pace Co: one creative, 1 Feb - 10 Mar 2026 (through a Tuesday) except 25 Feb, budget 500.00."""
    client = add_client(conn, "Pace Co", "pace")
    add_tree(conn, client, {"C": {"S": {"P": ["Ad"]}}})
    first = date(2026, 2, 1)
    days = [first + timedelta(days=n) for n in range((PACE_THROUGH - first).days + 1)]
    add_days(conn, client, [day for day in days if day != PACE_SKIPPED])
    conn.execute("UPDATE clients SET monthly_budget = 500 WHERE id = %s", (client.id,))
    return client
