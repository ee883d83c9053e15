"""A small, hand-computable margin-ledger dataset shared by the margin and no-leak tests.

Client "Ledger Co": sell CPM 5.0000 from 2026-01-01; buy CPM 3.1719 from 2026-01-01 and
4.0373 from 2026-02-01; target ROAS 2. Two campaigns, one creative each, on 2026-01-30,
2026-01-31 and 2026-02-01: campaign A 12,345 impressions and 100.00 revenue a day, B 20,000
impressions and 50.00 revenue a day (32,345 impressions and 150.00 a day in all).

Hand-computed (exact, then rounded half up to cents):
- spend a day  = 32,345 x 5 / 1000 = 161.725; three days 485.175 -> "485.18"
- cost 01-30/31 = 32,345 x 3.1719 / 1000 = 102.5951055 -> "102.60" a day
- cost 02-01    = 32,345 x 4.0373 / 1000 = 130.5864685 -> "130.59"
- cost          = 2 x 102.5951055 + 130.5864685 = 335.7766795 -> "335.78"
- margin        = 485.175 - 335.7766795 = 149.3983205 -> "149.40"
- margin ratio  = 149.3983205 / 485.175 = 0.30792667… -> "0.307927"
- break-even CPM = 1000 x 450 / (2 x 97,035) = 2.31875…  -> "2.3188"
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

SELL_CPM = Decimal("5.0000")
BUY_COSTS = ((date(2026, 1, 1), Decimal("3.1719")), (date(2026, 2, 1), Decimal("4.0373")))
DAYS = (date(2026, 1, 30), date(2026, 1, 31), date(2026, 2, 1))
CAMPAIGNS = (("A", 12345, Decimal("100.00")), ("B", 20000, Decimal("50.00")))
TARGET_ROAS = Decimal("2")
# Every cost or margin figure the dataset produces, as any response would print them
# (cents, 4-dp buy CPMs): none may appear in a client-visible response.
SECRET_VALUES = ("3.1719", "4.0373", "102.60", "130.59", "335.78", "149.40", "0.307927", "128.15", "207.62",
                 "57.02", "92.38", "59.13", "31.14", "2.3188")  # fmt: skip


def insert_ledger_client(owner_conn: Any, *, name: str = "Ledger Co", slug: str = "ledger-co") -> dict[str, Any]:
    """Arrange the dataset above (owner connection) and return the client row."""
    client = owner_conn.execute(
        "INSERT INTO clients (name, slug, target_roas) VALUES (%s, %s, %s) RETURNING *", (name, slug, TARGET_ROAS)
    ).fetchone()
    cid = client["id"]
    owner_conn.execute("INSERT INTO client_advertisers (client_id, name) VALUES (%s, %s)", (cid, name))
    rate = owner_conn.execute(
        "INSERT INTO client_settings (client_id, cpm, effective_date) VALUES (%s, %s, '2026-01-01') RETURNING id",
        (cid, SELL_CPM),
    ).fetchone()["id"]
    for effective, cpm in BUY_COSTS:
        owner_conn.execute(
            "INSERT INTO client_buy_costs (client_id, cpm, effective_date) VALUES (%s, %s, %s)", (cid, cpm, effective)
        )
    for campaign_name, impressions, revenue in CAMPAIGNS:
        campaign = owner_conn.execute(
            "INSERT INTO campaigns (client_id, name) VALUES (%s, %s) RETURNING id", (cid, campaign_name)
        ).fetchone()["id"]
        strategy = owner_conn.execute(
            "INSERT INTO strategies (client_id, campaign_id, name) VALUES (%s, %s, 'S') RETURNING id", (cid, campaign)
        ).fetchone()["id"]
        placement = owner_conn.execute(
            "INSERT INTO placements (client_id, strategy_id, name) VALUES (%s, %s, 'P') RETURNING id", (cid, strategy)
        ).fetchone()["id"]
        creative = owner_conn.execute(
            "INSERT INTO creatives (client_id, placement_id, name) VALUES (%s, %s, 'C') RETURNING id", (cid, placement)
        ).fetchone()["id"]
        for day in DAYS:
            owner_conn.execute(
                """INSERT INTO daily_metrics (client_id, date, campaign_id, strategy_id, placement_id, creative_id,
                       impressions, clicks, conversions, conversion_revenue, client_setting_id, cpm, spend)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, 40, 4, %s, %s, %s, %s)""",
                (cid, day, campaign, strategy, placement, creative, impressions, revenue, rate, SELL_CPM,
                 impressions * SELL_CPM * Decimal("0.001")),
            )  # fmt: skip
    return client
