"""The demo's generated partner files: deterministic, realistic, with the planted surprises."""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from local.datagen import DemoData, generate

END = date(2026, 11, 21)


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate(end=END)


def _daily(data: DemoData, slug: str, attribute: str) -> dict[date, int]:
    totals: dict[date, int] = defaultdict(int)
    for row in data.rows[slug]:
        totals[row.day] += getattr(row, attribute)
    return dict(totals)


def test_same_seed_same_bytes_other_seed_other_data(data: DemoData) -> None:
    again = generate(end=END)
    assert [(f.key, f.body) for f in again.files] == [(f.key, f.body) for f in data.files]
    other = generate(end=END, seed=1)
    assert [f.body for f in other.files] != [f.body for f in data.files]


def test_sixty_days_ending_at_end_one_file_per_client_per_day(data: DemoData) -> None:
    assert data.end == END
    assert data.start == END - timedelta(days=59)
    for client in data.clients:
        good = [f for f in data.files if f.client_slug == client.slug and f.key != data.bad_key]
        assert len(good) == 60
        assert {row.day for row in data.rows[client.slug]} == {data.start + timedelta(days=i) for i in range(60)}


def test_files_hold_exactly_the_generated_rows(data: DemoData) -> None:
    for client in data.clients:
        files = [
            f for f in data.files if f.client_slug == client.slug and f.key not in (data.bad_key, data.dialect_key)
        ]
        impressions = 0
        revenue = Decimal(0)
        keys = set()
        for partner_file in files:
            reader = csv.DictReader(io.StringIO(partner_file.body.decode("utf-8")))
            assert ("advertiser" in (reader.fieldnames or [])) == client.advertiser_column
            for line in reader:
                impressions += int(line["impressions"])
                revenue += Decimal(line["conversion_revenue"])
                key = (line["date"], line["campaign"], line["strategy"], line["placement"], line["creative"])
                assert key not in keys, "a business key twice would fail the whole file"
                keys.add(key)
                assert int(line["clicks"]) <= int(line["impressions"])
                if client.advertiser_column:
                    assert line["advertiser"] in client.advertisers
                else:
                    assert partner_file.key.startswith(f"clients/{client.slug}/")
        in_dialect_file = data.dialect_key.startswith(f"clients/{client.slug}/")
        dialect_day = data.start + timedelta(days=20)
        expected = [r for r in data.rows[client.slug] if not (in_dialect_file and r.day == dialect_day)]
        assert impressions == sum(r.impressions for r in expected)
        assert revenue == sum((r.revenue for r in expected), Decimal(0))


def test_weekday_seasonality(data: DemoData) -> None:
    daily = _daily(data, "northwind-coffee", "impressions")
    weekend = [v for d, v in daily.items() if d.weekday() >= 5]
    weekdays = [v for d, v in daily.items() if d.weekday() < 5]
    assert statistics.mean(weekend) < 0.8 * statistics.mean(weekdays)


def test_creative_fatigue_lowers_ctr_over_time(data: DemoData) -> None:
    first_week = [
        r for r in data.rows["acme-outdoor"] if r.creative.endswith("v1") and r.day < data.start + timedelta(days=7)
    ]
    last_week = [
        r for r in data.rows["acme-outdoor"] if r.creative.endswith("v1") and r.day > data.end - timedelta(days=7)
    ]
    ctr_first = sum(r.clicks for r in first_week) / sum(r.impressions for r in first_week)
    ctr_last = sum(r.clicks for r in last_week) / sum(r.impressions for r in last_week)
    assert ctr_last < 0.8 * ctr_first


def _flagged(data: DemoData) -> set[tuple[str, date, str]]:
    """Days the insights rule (SPEC 5) would flag: robust z of the same weekday over the
    previous 8 weeks (median / MAD) at |z| >= 3.5 with a >= 25% change."""
    metrics = {
        "impressions": lambda t: t[0],
        "ctr": lambda t: t[1] / t[0],
        "cvr": lambda t: t[2] / t[1] if t[1] else 0.0,
        "revenue_per_conversion": lambda t: t[3] / t[2] if t[2] else 0.0,
    }
    flagged = set()
    for slug, rows in data.rows.items():
        totals: dict[date, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
        for row in rows:
            t = totals[row.day]
            t[0] += row.impressions
            t[1] += row.clicks
            t[2] += row.conversions
            t[3] += float(row.revenue)
        for day, t in totals.items():
            for name, metric in metrics.items():
                baseline = [
                    metric(totals[day - timedelta(weeks=w)]) for w in range(1, 9) if day - timedelta(weeks=w) in totals
                ]
                if len(baseline) < 4:
                    continue
                median = statistics.median(baseline)
                mad = statistics.median(abs(b - median) for b in baseline)
                value = metric(t)
                if (
                    mad
                    and median
                    and abs(0.6745 * (value - median) / mad) >= 3.5
                    and abs(value - median) / median >= 0.25
                ):
                    flagged.add((slug, day, name))
    return flagged


@pytest.mark.parametrize("end", [END, date(2027, 3, 1)])
def test_the_planted_anomaly_stands_out_and_nothing_else_does(end: date) -> None:
    data = generate(end=end)
    anomaly = data.anomaly
    assert data.start + timedelta(days=28) <= anomaly.day <= data.end  # at least 4 same-weekday baselines
    assert _flagged(data) == {(anomaly.client_slug, anomaly.day, anomaly.metric)}


def test_dialect_file_is_another_export_format(data: DemoData) -> None:
    body = next(f.body for f in data.files if f.key == data.dialect_key)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body[3:].decode("utf-8")
    header, first = text.splitlines()[:2]
    assert header.split(";")[:8] == [
        "Reporting Date",
        "Campaign Name",
        "Ad Group",
        "Site/App",
        "Ad Name",
        "Impressions Delivered",
        "Total Clicks",
        "CTR %",
    ]
    cells = first.split(";")
    month, day, year = (int(part) for part in cells[0].split("/"))
    assert date(year, month, day) == data.start + timedelta(days=20)
    assert cells[7].endswith("%")
    assert cells[9].startswith("$")
    assert " " in data.dialect_key  # exercises the URL-encoded key of the S3 event
    assert any("," in line.split(";")[5] for line in text.splitlines()[1:])  # thousands separators


def test_bad_file_misses_a_required_column(data: DemoData) -> None:
    body = next(f.body for f in data.files if f.key == data.bad_key)
    header = body.decode("utf-8").splitlines()[0].split(",")
    assert "clicks" not in header
    assert data.files[-1].key == data.bad_key  # uploaded last, after the good files


def test_one_client_changes_cpm_mid_period(data: DemoData) -> None:
    acme = next(c for c in data.clients if c.slug == "acme-outdoor")
    (first_date, first_cpm), (second_date, second_cpm) = acme.rates
    assert first_date == data.start
    assert data.start < second_date < data.end
    assert first_cpm != second_cpm
    assert all(len(c.rates) == 1 for c in data.clients if c is not acme)


def test_needs_three_weeks() -> None:
    with pytest.raises(ValueError):
        generate(end=END, days=7)


def test_the_make_upload_sample_restates_one_late_conversion_and_differs_per_run() -> None:
    import csv
    import io
    from datetime import date, datetime

    from local.datagen import generate
    from local.upload import sample_file

    end = date(2026, 11, 30)
    (original,) = [
        f for f in generate(end=end).files if f.client_slug == "acme-outdoor" and f.key.endswith("_20261130.csv")
    ]
    before = list(csv.DictReader(io.StringIO(original.body.decode())))
    _, first = sample_file(end, now=datetime(2026, 12, 1, 9, 0, 1))
    _, second = sample_file(end, now=datetime(2026, 12, 1, 9, 0, 2))
    after = list(csv.DictReader(io.StringIO(first.decode())))
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert len(changed) == 1
    ((old, new),) = changed
    assert int(new["conversions"]) == int(old["conversions"]) + 1
    assert new["clicks"] == old["clicks"] and new["impressions"] == old["impressions"]
    assert first != second  # a second run is a new restatement, not a duplicate
