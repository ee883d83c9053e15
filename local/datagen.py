"""Realistic generated partner files for the demo (deterministic for a given seed and end date).

Two clients, each with campaigns -> strategies -> placements -> creatives, one file per
client per day for `days` days ending at `end` (yesterday, when the demo runs):

- weekday seasonality (weekends deliver ~30% fewer impressions, convert a bit less),
- creative fatigue (a creative's CTR decays from its launch date; fresh creatives rotate in),
- a planted anomaly (`DemoData.anomaly`: one client's delivery collapses on one day),
- one file in another dialect (BOM, semicolons, header aliases, US dates, thousands
  separators, currency, percent CTR),
- one bad file (a required column missing) so the failure alert shows.

Client "Acme Outdoor" is resolved through the advertiser column (two advertiser names);
"Northwind Coffee" files carry no advertiser column and are resolved by the key prefix
`clients/<slug>/`. Acme's CPM changes in the middle of the period.
"""

from __future__ import annotations

import csv
import io
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class DemoClient:
    name: str
    slug: str
    advertisers: tuple[str, ...]
    rates: tuple[tuple[date, Decimal], ...]  # (effective_date, cpm)
    advertiser_column: bool
    base_impressions: int  # per creative per day
    base_ctr: float
    base_cvr: float
    order_value: float
    monthly_budget: Decimal | None = None  # the admin's setting the pacing card measures against


@dataclass(frozen=True)
class PartnerFile:
    client_slug: str
    key: str
    body: bytes
    description: str = ""


@dataclass(frozen=True)
class PlantedAnomaly:
    client_slug: str
    day: date
    metric: str
    factor: float
    description: str


@dataclass(frozen=True)
class Row:
    day: date
    advertiser: str
    campaign: str
    strategy: str
    placement: str
    creative: str
    impressions: int
    clicks: int
    conversions: int
    revenue: Decimal


@dataclass
class DemoData:
    start: date
    end: date
    clients: list[DemoClient]
    files: list[PartnerFile]
    anomaly: PlantedAnomaly
    rows: dict[str, list[Row]] = field(default_factory=dict)  # client slug -> rows loaded by good files
    dialect_key: str = ""
    bad_key: str = ""


# Campaign -> strategies; every strategy runs on the same placements with two creatives each.
_ACME_TREE = {
    "Spring Trail Launch": ["Prospecting - Hikers", "Retargeting - Site Visitors"],
    "Always-On Brand": ["Contextual - Outdoors", "Lookalike - Buyers"],
    "Clearance Sale": ["Retargeting - Cart Abandoners"],
}
_NORTHWIND_TREE = {
    "Morning Ritual": ["Prospecting - Commuters", "Contextual - Food & Drink"],
    "Holiday Blend": ["Retargeting - Past Buyers", "Lookalike - Subscribers"],
}
_PLACEMENTS = ["news-daily.example", "Mobile App Network", "video-streams.example"]
_WEEKDAY_IMPRESSIONS = [1.04, 1.08, 1.10, 1.07, 1.00, 0.72, 0.66]  # Mon..Sun
_WEEKDAY_CVR = [1.00, 1.02, 1.03, 1.01, 0.97, 0.88, 0.85]


def demo_clients(start: date, days: int) -> list[DemoClient]:
    mid = start + timedelta(days=days // 2)
    return [
        DemoClient(
            name="Acme Outdoor",
            slug="acme-outdoor",
            advertisers=("Acme Outdoor", "ACME Outdoor Gear"),
            rates=((start, Decimal("4.25")), (mid, Decimal("5.10"))),
            advertiser_column=True,
            base_impressions=60_000,
            base_ctr=0.0058,
            base_cvr=0.045,
            order_value=86.0,
            monthly_budget=Decimal("175000.00"),
        ),
        DemoClient(
            name="Northwind Coffee",
            slug="northwind-coffee",
            advertisers=("Northwind Coffee",),
            rates=((start, Decimal("3.80")),),
            advertiser_column=False,
            base_impressions=45_000,
            base_ctr=0.0074,
            base_cvr=0.032,
            order_value=38.0,
            monthly_budget=Decimal("60000.00"),
        ),
    ]


def _tree(slug: str) -> dict[str, list[str]]:
    return _ACME_TREE if slug == "acme-outdoor" else _NORTHWIND_TREE


def _draw(rng: random.Random, expected: float) -> int:
    """A whole count with the given expectation (rounding ~0.4 conversions a row to the nearest
    integer would zero out every small line and bias every total)."""
    whole = math.floor(expected)
    return whole + (1 if rng.random() < expected - whole else 0)


def _generate_rows(
    client: DemoClient, start: date, days: int, rng: random.Random, anomaly: PlantedAnomaly
) -> list[Row]:
    rows: list[Row] = []
    creatives: list[
        tuple[str, str, str, str, int, float]
    ] = []  # campaign, strategy, placement, creative, launch offset, quality
    for campaign, strategies in _tree(client.slug).items():
        for s_index, strategy in enumerate(strategies):
            for p_index, placement in enumerate(_PLACEMENTS):
                for version in (1, 2):
                    # The second version launches mid-period: fresh creatives rotate in.
                    launch = 0 if version == 1 else days // 2 - 7 + 3 * ((s_index + p_index) % 3)
                    name = f"{campaign.split()[0]} {('300x250', '728x90', '15s video')[p_index]} v{version}"
                    creatives.append((campaign, strategy, placement, name, launch, rng.uniform(0.7, 1.35)))
    for offset in range(days):
        day = start + timedelta(days=offset)
        weekday = day.weekday()
        growth = 1.0 + 0.004 * offset  # budgets ramp up slowly over the period
        for index, (campaign, strategy, placement, creative, launch, quality) in enumerate(creatives):
            if offset < launch:
                continue
            age = offset - launch
            # Rotation: once a creative's successor launches, the two split the line's budget.
            share = (
                0.5
                if launch > 0 or offset >= _successor_launch(days, creative_index=index, creatives=creatives)
                else 1.0
            )
            impressions = client.base_impressions * quality * share * _WEEKDAY_IMPRESSIONS[weekday] * growth
            impressions *= rng.lognormvariate(0, 0.08)
            if anomaly.client_slug == client.slug and day == anomaly.day:
                impressions *= anomaly.factor
            imps = max(int(impressions), 50)
            fatigue = 0.55 + 0.45 * math.exp(-age / 21)  # CTR decays as the audience tires of it
            ctr = client.base_ctr * quality * fatigue * rng.lognormvariate(0, 0.10)
            clicks = min(imps, _draw(rng, imps * ctr))
            cvr = client.base_cvr * _WEEKDAY_CVR[weekday] * rng.lognormvariate(0, 0.08)
            conversions = min(clicks, _draw(rng, clicks * cvr))
            value = client.order_value * rng.lognormvariate(0, 0.12)
            revenue = (Decimal(conversions) * Decimal(str(round(value, 2)))).quantize(CENT, ROUND_HALF_UP)
            advertiser = client.advertisers[index % len(client.advertisers)]
            rows.append(
                Row(day, advertiser, campaign, strategy, placement, creative, imps, clicks, conversions, revenue)
            )
    return rows


def _successor_launch(days: int, *, creative_index: int, creatives: list[tuple[str, str, str, str, int, float]]) -> int:
    """When the next version of this creative (same line: campaign, strategy, placement) launches."""
    campaign, strategy, placement = creatives[creative_index][:3]
    launches = [c[4] for c in creatives if c[:3] == (campaign, strategy, placement) and c[4] > 0]
    return min(launches) if launches else days


def _standard_csv(rows: list[Row], *, advertiser_column: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = [
        "date",
        "campaign",
        "strategy",
        "placement",
        "creative",
        "impressions",
        "clicks",
        "ctr",
        "conversions",
        "conversion_revenue",
    ]
    if advertiser_column:
        header.insert(1, "advertiser")
    writer.writerow(header)
    for row in rows:
        ctr = (
            (Decimal(row.clicks) / Decimal(row.impressions)).quantize(Decimal("0.000001"))
            if row.impressions
            else Decimal(0)
        )
        values: list[object] = [
            row.day.isoformat(),
            row.campaign,
            row.strategy,
            row.placement,
            row.creative,
            row.impressions,
            row.clicks,
            ctr,
            row.conversions,
            row.revenue,
        ]
        if advertiser_column:
            values.insert(1, row.advertiser)
        writer.writerow(values)
    return out.getvalue().encode("utf-8")


def _dialect_csv(rows: list[Row]) -> bytes:
    """The same data as another partner export would write it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "Reporting Date",
            "Campaign Name",
            "Ad Group",
            "Site/App",
            "Ad Name",
            "Impressions Delivered",
            "Total Clicks",
            "CTR %",
            "Conv",
            "Conversion Value",
            "Viewability",
        ]
    )
    for row in rows:
        pct = (
            (Decimal(row.clicks) * 100 / Decimal(row.impressions)).quantize(Decimal("0.01"))
            if row.impressions
            else Decimal(0)
        )
        writer.writerow(
            [
                f"{row.day.month}/{row.day.day}/{row.day.year}",
                row.campaign,
                row.strategy,
                row.placement,
                row.creative,
                f"{row.impressions:,}",
                f"{row.clicks:,}",
                f"{pct}%",
                row.conversions,
                f"${row.revenue:,.2f}",
                "71%",  # an extra column the loader ignores
            ]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _bad_csv(rows: list[Row]) -> bytes:
    """A file the loader must refuse as a whole: the required `clicks` column is missing."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "date",
            "advertiser",
            "campaign",
            "strategy",
            "placement",
            "creative",
            "impressions",
            "conversions",
            "conversion_revenue",
        ]
    )
    for row in rows[:20]:
        writer.writerow(
            [
                row.day.isoformat(),
                row.advertiser,
                row.campaign,
                row.strategy,
                row.placement,
                row.creative,
                row.impressions,
                row.conversions,
                row.revenue,
            ]
        )
    return out.getvalue().encode("utf-8")


def generate(*, end: date, days: int = 60, seed: int = 20260301) -> DemoData:
    """The demo clients and their partner files for `days` days ending at `end` (inclusive)."""
    if days < 21:
        raise ValueError("the demo needs at least three weeks of data")
    rng = random.Random(seed)
    start = end - timedelta(days=days - 1)
    clients = demo_clients(start, days)
    # A partner outage ten days before the end: Acme's delivery falls to a third for a day.
    anomaly = PlantedAnomaly(
        client_slug="acme-outdoor",
        day=end - timedelta(days=9),
        metric="impressions",
        factor=0.3,
        description="Acme Outdoor's impressions fall to ~30% of a normal day (a partner outage)",
    )
    data = DemoData(start=start, end=end, clients=clients, files=[], anomaly=anomaly)
    dialect_day = start + timedelta(days=days // 3)
    for client in clients:
        rows = _generate_rows(client, start, days, rng, anomaly)
        data.rows[client.slug] = rows
        by_day: dict[date, list[Row]] = {}
        for row in rows:
            by_day.setdefault(row.day, []).append(row)
        for day in sorted(by_day):
            if client.advertiser_column:
                key = f"partner/daily/{day:%Y/%m/%d}/{client.slug}_{day:%Y%m%d}.csv"
            else:
                key = f"clients/{client.slug}/{day:%Y-%m-%d}.csv"
            if not client.advertiser_column and day == dialect_day:
                key = f"clients/{client.slug}/export {day:%m-%d-%Y} (semicolon).csv"
                data.dialect_key = key
                data.files.append(PartnerFile(client.slug, key, _dialect_csv(by_day[day]), "another dialect"))
                continue
            body = _standard_csv(by_day[day], advertiser_column=client.advertiser_column)
            data.files.append(PartnerFile(client.slug, key, body))
    acme_last = [row for row in data.rows["acme-outdoor"] if row.day == end]
    data.bad_key = f"partner/daily/{end:%Y/%m/%d}/acme-outdoor_{end:%Y%m%d}_broken.csv"
    data.files.append(PartnerFile("acme-outdoor", data.bad_key, _bad_csv(acme_last), "bad: no clicks column"))
    return data
