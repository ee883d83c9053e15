"""Properties: for any valid file, stored totals equal the file's totals and spend equals
sum(impressions x CPM) / 1000 (exactly, hence to the cent) across a CPM change in the file;
for any uploads delivered in any order, some twice, every day holds the newest upload's rows."""

from __future__ import annotations

import csv
import gzip
import io
import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from shared.ingestion.objects import UploadedObject
from shared.settings import Settings
from tests.conftest import LANDING_BUCKET
from tests.ingestion.conftest import Ingest, add_client, totals

FIRST_DAY = date(2026, 3, 1)
NAMES = [
    "Spring Sale",
    "Brand",
    "Prospecting",
    "news-site.com",
    "Banner 300x250",
    "Vidéo 15s",
    'Say "hi", ok; go',
    "Ünïcode ✓",
]
_counter = itertools.count()

name = st.one_of(
    st.sampled_from(NAMES),
    st.text(alphabet="abcXYZ 019-_/.,;\"'é", min_size=1, max_size=12).map(str.strip).filter(bool),
)
row = st.fixed_dictionaries(
    {
        "day": st.integers(0, 9),
        "campaign": name,
        "strategy": name,
        "placement": name,
        "creative": name,
        "impressions": st.integers(0, 10**9),
        "click_share": st.integers(0, 1000),
        "conversions": st.integers(0, 10**6),
        "revenue": st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False, allow_infinity=False),
    }
)
file_format = st.fixed_dictionaries(
    {
        "delimiter": st.sampled_from([",", "\t", ";"]),
        "grouped": st.booleans(),
        "currency": st.booleans(),
        "us_dates": st.booleans(),
        "bom": st.booleans(),
        "gzip": st.booleans(),
        "percent_ctr": st.booleans(),
    }
)
cpm = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)


def _key(r: dict[str, Any]) -> tuple[Any, ...]:
    return (r["day"], r["campaign"], r["strategy"], r["placement"], r["creative"])


def _render(rows: list[dict[str, Any]], fmt: dict[str, Any], advertiser: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=fmt["delimiter"], lineterminator="\r\n")
    writer.writerow(
        [
            "Reporting Date",
            "Advertiser Name",
            "Campaign",
            "Line Item",
            "Site",
            "Ad Name",
            "Imps",
            "Clicks",
            "CTR",
            "Conv",
            "Revenue",
        ]
    )
    for r in rows:
        day = FIRST_DAY + timedelta(days=r["day"])
        imps, clicks = r["impressions"], r["clicks"]
        ctr = Decimal(clicks) / imps if imps else Decimal(0)
        writer.writerow(
            [
                f"{day.month}/{day.day}/{day.year}" if fmt["us_dates"] else day.isoformat(),
                advertiser,
                r["campaign"],
                r["strategy"],
                r["placement"],
                r["creative"],
                f"{imps:,}" if fmt["grouped"] else str(imps),
                str(clicks),
                f"{(ctr * 100).quantize(Decimal('0.0001'))}%"
                if fmt["percent_ctr"]
                else str(ctr.quantize(Decimal("0.000001"))),
                str(r["conversions"]),
                ("$" if fmt["currency"] else "") + (f"{r['revenue']:,}" if fmt["grouped"] else str(r["revenue"])),
            ]
        )
    data = (("\ufeff" if fmt["bom"] else "") + out.getvalue()).encode("utf-8")
    return gzip.compress(data, mtime=0) if fmt["gzip"] else data


@hsettings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    rows=st.lists(row, min_size=1, max_size=40, unique_by=_key),
    fmt=file_format,
    cpm_before=cpm,
    cpm_after=cpm,
    change_day=st.integers(1, 9),
)
def test_stored_totals_equal_file_totals(
    ingest: Ingest, owner_conn: Any, settings: Settings, rows: list[dict[str, Any]], fmt: dict[str, Any],
    cpm_before: Decimal, cpm_after: Decimal, change_day: int,
) -> None:  # fmt: skip
    n = next(_counter)
    change = FIRST_DAY + timedelta(days=change_day)
    client = add_client(
        owner_conn,
        name=f"Client {n}",
        slug=f"client-{n}",
        advertisers=(f"Client {n}",),
        rates=(("2026-01-01", str(cpm_before)), (change.isoformat(), str(cpm_after))),
    )
    for r in rows:
        r["clicks"] = r["impressions"] * r["click_share"] // 1000

    result = ingest(f"partner/prop-{n}.csv" + (".gz" if fmt["gzip"] else ""), _render(rows, fmt, f"Client {n}"))

    assert result.status == "success", result.message
    stored = totals(owner_conn, client)
    expected_spend = sum(
        (
            Decimal(r["impressions"])
            * (cpm_before if FIRST_DAY + timedelta(days=r["day"]) < change else cpm_after)
            / 1000
            for r in rows
        ),
        Decimal(0),
    )
    assert stored["rows"] == len(rows)
    assert stored["impressions"] == sum(r["impressions"] for r in rows)
    assert stored["clicks"] == sum(r["clicks"] for r in rows)
    assert stored["conversions"] == sum(r["conversions"] for r in rows)
    assert stored["revenue"] == sum((r["revenue"] for r in rows), Decimal(0))
    assert stored["spend"] == expected_spend  # exact, so equal to the cent as well
    assert stored["spend"].quantize(Decimal("0.01")) == expected_spend.quantize(Decimal("0.01"))


# ---------------------------------------------------------------- the newest upload wins

UPLOAD_DAYS = 2
SEQUENCE_START = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)


def _day_rows(day: int, variant: int) -> list[tuple[str, int, int]]:
    """(creative, impressions, conversions) of one day's content variant; variants differ
    in values and in row count, and repeat across uploads (so unchanged days happen)."""
    rows = [("Banner", 1000 + variant * 7, variant), ("Video", 2000 + day, variant * 2)]
    return rows[: 1 + variant % 2]


upload = st.fixed_dictionaries(
    {
        # day -> content variant; every upload holds at least one day
        "days": st.dictionaries(st.integers(0, UPLOAD_DAYS - 1), st.integers(0, 2), min_size=1),
        "gzip": st.booleans(),
        "bom": st.booleans(),
    }
)


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[int]]:
    """Uploads with distinct random upload times, and a random delivery order in which
    some events are delivered twice (S3 delivers at least once, in any order)."""
    uploads = draw(st.lists(upload, min_size=1, max_size=6))
    seconds = draw(st.lists(st.integers(0, 10_000), min_size=len(uploads), max_size=len(uploads), unique=True))
    for item, second in zip(uploads, seconds, strict=True):
        item["uploaded_at"] = SEQUENCE_START + timedelta(seconds=second)
    order = draw(st.permutations(range(len(uploads))))
    redelivered = draw(st.lists(st.integers(0, len(uploads) - 1), max_size=3))
    sequence = list(order)
    for index in redelivered:
        sequence.insert(draw(st.integers(0, len(sequence))), index)
    return uploads, sequence


def _upload_bytes(item: dict[str, Any], advertiser: str) -> bytes:
    lines = ["date,advertiser,campaign,strategy,placement,creative,impressions,clicks,conversions,conversion_revenue"]
    for day, variant in sorted(item["days"].items()):
        when = FIRST_DAY + timedelta(days=day)
        lines += [
            f"{when},{advertiser},Spring,Prospecting,news-site.com,{creative},{imps},1,{conv},{conv}.5"
            for creative, imps, conv in _day_rows(day, variant)
        ]
    data = (("\ufeff" if item["bom"] else "") + "\r\n".join(lines) + "\r\n").encode()
    return gzip.compress(data, mtime=0) if item["gzip"] else data


@hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(plan=deliveries())
def test_stored_rows_always_equal_the_newest_upload_per_day(
    ingest: Ingest, owner_conn: Any, s3: Any, plan: tuple[list[dict[str, Any]], list[int]]
) -> None:
    uploads, sequence = plan
    n = next(_counter)
    client = add_client(
        owner_conn, name=f"Client {n}", slug=f"client-{n}", advertisers=(f"Client {n}",), rates=(("2026-01-01", "2"),)
    )
    events = []
    for i, item in enumerate(uploads):
        key = f"partner/order-{n}-{i}.csv" + (".gz" if item["gzip"] else "")
        s3.put_object(Bucket=LANDING_BUCKET, Key=key, Body=_upload_bytes(item, f"Client {n}"))
        events.append(
            UploadedObject(bucket=LANDING_BUCKET, key=key, sequencer=f"{i + 1:04X}", event_time=item["uploaded_at"])
        )

    statuses = [ingest(events[i].key, upload=events[i]).status for i in sequence]

    # then every day holds the rows of the newest upload containing it
    expected: dict[Any, list[tuple[str, int, int]]] = {}
    for day in range(UPLOAD_DAYS):
        holders = [item for item in uploads if day in item["days"]]
        if holders:
            newest = max(holders, key=lambda item: item["uploaded_at"])
            expected[FIRST_DAY + timedelta(days=day)] = sorted(_day_rows(day, newest["days"][day]))
    stored: dict[Any, list[tuple[str, int, int]]] = {}
    for r in owner_conn.execute(
        "SELECT d.date, c.name, d.impressions, d.conversions FROM daily_metrics d "
        "JOIN creatives c ON c.id = d.creative_id WHERE d.client_id = %s ORDER BY d.date, c.name",
        (client,),
    ).fetchall():
        stored.setdefault(r["date"], []).append((r["name"], r["impressions"], r["conversions"]))
    assert stored == expected
    # and every re-delivery was a duplicate; nothing failed
    assert "failed" not in statuses
    first_seen: set[int] = set()
    for index, status in zip(sequence, statuses, strict=True):
        if index in first_seen:
            assert status == "duplicate"
        first_seen.add(index)
