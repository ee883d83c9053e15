"""The insights engine on the local stack's generated demo data: the planted partner outage
is the one anomaly it reports (cross-checks `local.datagen`'s own expectation)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from local.datagen import generate
from shared.db import Tenant
from shared.insights import insights_for
from tests.summaries.data import make_client


def test_only_the_planted_anomaly_is_reported_on_the_demo_data(owner_conn, worker_db, settings):
    data = generate(end=date(2026, 11, 20))
    found = {}
    for slug, rows in data.rows.items():
        client = make_client(owner_conn, slug, cpm="4.2500")
        # campaign-day sums are all the engine reads; they keep the campaign structure
        sums: dict[tuple[str, date], list] = defaultdict(lambda: [0, 0, 0, Decimal(0)])
        for row in rows:
            total = sums[(row.campaign, row.day)]
            total[0] += row.impressions
            total[1] += row.clicks
            total[2] += row.conversions
            total[3] += row.revenue
        for (campaign, day), (impressions, clicks, conversions, revenue) in sums.items():
            client.add(day, impressions, clicks, conversions, revenue, campaign=campaign)
        with worker_db.transaction(tenant=Tenant.client(client.id)) as conn:
            insights = insights_for(
                conn, client_id=client.id, date_from=data.start, date_to=data.end, settings=settings
            )
        found[slug] = [(i["date"], i["metric"], i["direction"]) for i in insights if i["kind"] == "anomaly"]

    anomaly = data.anomaly
    assert found[anomaly.client_slug] == [(anomaly.day.isoformat(), anomaly.metric, "down")]
    assert all(not anomalies for slug, anomalies in found.items() if slug != anomaly.client_slug)
