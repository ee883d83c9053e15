"""Crafted performance data for summary and insight tests (arranged as the owner)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID


@dataclass
class ClientData:
    """One client with a CPM and a dimension tree built on demand."""

    conn: Any
    id: UUID
    cpm: Decimal | None
    setting_id: UUID | None
    _ids: dict[tuple[str, ...], UUID] = field(default_factory=dict)

    def creative(self, campaign: str, creative: str = "Creative") -> dict[str, UUID]:
        """Ids of campaign > strategy > placement > creative, created when missing."""
        key = (campaign, creative)
        if key not in self._ids:
            conn = self.conn
            campaign_id = self._ids.get((campaign,))
            if campaign_id is None:
                campaign_id = conn.execute(
                    "INSERT INTO campaigns (client_id, name) VALUES (%s, %s) RETURNING id", (self.id, campaign)
                ).fetchone()["id"]
                strategy_id = conn.execute(
                    "INSERT INTO strategies (client_id, campaign_id, name) VALUES (%s, %s, 'Strategy') RETURNING id",
                    (self.id, campaign_id),
                ).fetchone()["id"]
                placement_id = conn.execute(
                    "INSERT INTO placements (client_id, strategy_id, name) VALUES (%s, %s, 'Placement') RETURNING id",
                    (self.id, strategy_id),
                ).fetchone()["id"]
                self._ids[(campaign,)] = campaign_id
                self._ids[(campaign, "strategy")] = strategy_id
                self._ids[(campaign, "placement")] = placement_id
            creative_id = conn.execute(
                "INSERT INTO creatives (client_id, placement_id, name) VALUES (%s, %s, %s) RETURNING id",
                (self.id, self._ids[(campaign, "placement")], creative),
            ).fetchone()["id"]
            self._ids[key] = creative_id
        return {
            "campaign_id": self._ids[(campaign,)],
            "strategy_id": self._ids[(campaign, "strategy")],
            "placement_id": self._ids[(campaign, "placement")],
            "creative_id": self._ids[key],
        }

    def add(
        self,
        day: date,
        impressions: int,
        clicks: int,
        conversions: int,
        revenue: Decimal | str | int,
        *,
        campaign: str = "Campaign",
        creative: str = "Creative",
    ) -> None:
        """One priced daily row (spend = impressions / 1000 x CPM), like the loader stores."""
        ids = self.creative(campaign, creative)
        spend = None if self.cpm is None else Decimal(impressions) * self.cpm / 1000
        self.conn.execute(
            "INSERT INTO daily_metrics (client_id, date, campaign_id, strategy_id, placement_id, creative_id,"
            " impressions, clicks, conversions, conversion_revenue, client_setting_id, cpm, spend)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                self.id,
                day,
                ids["campaign_id"],
                ids["strategy_id"],
                ids["placement_id"],
                ids["creative_id"],
                impressions,
                clicks,
                conversions,
                Decimal(revenue),
                self.setting_id if self.cpm is not None else None,
                self.cpm,
                spend,
            ),
        )


def make_client(
    conn: Any, slug: str, *, cpm: str | None = "4.0000", status: str = "active", name: str | None = None
) -> ClientData:
    row = conn.execute(
        "INSERT INTO clients (name, slug, status) VALUES (%s, %s, %s) RETURNING id",
        (name or slug.title(), slug, status),
    ).fetchone()
    setting_id = None
    if cpm is not None:
        setting_id = conn.execute(
            "INSERT INTO client_settings (client_id, cpm, effective_date) VALUES (%s, %s, '2020-01-01') RETURNING id",
            (row["id"], cpm),
        ).fetchone()["id"]
    return ClientData(conn, row["id"], None if cpm is None else Decimal(cpm), setting_id)
