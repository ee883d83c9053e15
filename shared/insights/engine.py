"""Insights for one client over a date range: anomalies, trends, week-over-week changes,
top and bottom performers — each with a plain-English sentence carrying the numbers.

The SQL returns per-campaign, per-day sums (`shared.insights.data.Performance`: a few
thousand rows per client); the rules below run in Python on exact Decimals, except the
robust z-score (`shared.insights.stats`), which is a float measure of surprise, never an
amount.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from statistics import median
from typing import Any
from uuid import UUID

from shared.db import QUERIES
from shared.errors import InvalidInput
from shared.insights.data import Performance, Window
from shared.insights.metrics import METRICS, MetricDef
from shared.insights.stats import robust_z
from shared.metrics import Aggregate, relative_change
from shared.numbers import human, metric_kind, shape
from shared.numbers import ratio as ratio_str
from shared.numbers.currency import DEFAULT_CURRENCY
from shared.settings import Settings

# Anomalies: each day against the same weekday of the previous BASELINE_WEEKS weeks.
ANOMALY_METRICS = ("impressions", "ctr", "cvr", "revenue_per_conversion")
BASELINE_WEEKS = 8
MIN_BASELINE_POINTS = 4
Z_THRESHOLD = 3.5
MIN_ANOMALY_CHANGE = Decimal("0.25")
# Trends: three consecutive weekly moves the same way, totalling at least 15%.
TREND_WINDOWS = 4
MIN_TREND_CHANGE = Decimal("0.15")
TREND_METRICS = ("impressions", "conversions", "revenue", "ctr", "cvr", "roas")
# Week-over-week changes per campaign.
CHANGE_METRICS = ("ctr", "cvr", "cpa", "roas")
MIN_WEEKLY_CHANGE = Decimal("0.25")
MAX_CHANGES = 10
MAX_INSIGHTS = 100

RULES = {
    "anomaly": (
        f"daily {', '.join(ANOMALY_METRICS)} against the same weekday of the previous {BASELINE_WEEKS} weeks "
        f"(at least {MIN_BASELINE_POINTS} with volume): robust z = 0.6745 x (value - median) / MAD, "
        f"flagged when |z| >= {Z_THRESHOLD} and |change vs median| >= {MIN_ANOMALY_CHANGE:%}; "
        "volume floors: impressions median >= the ranking minimum, CTR day >= the ranking minimum impressions, "
        "CVR day >= 50 clicks, revenue per conversion day >= 10 conversions"
    ),
    "trend": (
        f"{TREND_WINDOWS} trailing 7-day windows ending at the range end: three consecutive declines (rises) "
        f"totalling at least {MIN_TREND_CHANGE:%}; sums need 7 days of data in every window"
    ),
    "change": (
        f"per campaign, the last 7 days vs the 7 before: |change| >= {MIN_WEEKLY_CHANGE:%} in "
        f"{', '.join(CHANGE_METRICS)} with volume in both weeks"
    ),
    "performer": "campaigns and creatives with at least the ranking minimum impressions, by ROAS "
    "(by CTR when some have no spend); at least two needed",
}

PATH_SEPARATOR = (
    " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "  # a creative path, "Campaign > Strategy > Placement"
)
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
KIND_ORDER = {"anomaly": 0, "trend": 1, "change": 2, "bottom_performer": 3, "top_performer": 4}


def insights_for(
    conn: Any, *, client_id: UUID, date_from: date, date_to: date, settings: Settings, currency: str = DEFAULT_CURRENCY
) -> list[dict[str, Any]]:
    """Insights for `client_id` over [date_from, date_to], most important first.

    Each insight is JSON-ready: `{"kind", "severity", "metric", "entity", "date" | "period",
    "message", "value", "baseline" | "previous", "change", ...}`; counts are integers and
    every other number a decimal string (see `shared.numbers`). Runs in the
    caller's transaction (any tenant that can see the client; another tenant gets []).
    Raises `InvalidInput` for a reversed range or one longer than `max_date_span_days`.
    """
    if date_from > date_to:
        raise InvalidInput("'from' must not be after 'to'")
    if (date_to - date_from).days + 1 > settings.max_date_span_days:
        raise InvalidInput(f"the date range may span at most {settings.max_date_span_days} days")
    performance = Performance.load(
        conn, client_id=client_id, date_from=history_start(date_from, date_to), date_to=date_to
    )
    creatives = creative_totals(conn, client_id=client_id, date_from=date_from, date_to=date_to)
    return insights_from(
        performance, creatives, date_from=date_from, date_to=date_to, settings=settings, currency=currency
    )


def history_start(date_from: date, date_to: date) -> date:
    """The first day the insights of [date_from, date_to] look at (baselines, trend windows)."""
    return min(date_from - timedelta(days=7 * BASELINE_WEEKS), date_to - timedelta(days=7 * TREND_WINDOWS - 1))


def creative_totals(
    conn: Any, *, client_id: UUID, date_from: date, date_to: date
) -> list[tuple[dict[str, Any], Aggregate]]:
    """(entity, sums) of every creative with data in [date_from, date_to]."""
    rows = conn.execute(
        QUERIES["summary_creative_totals"], {"client_id": client_id, "date_from": date_from, "date_to": date_to}
    ).fetchall()
    return [(_creative_entity(row), Aggregate.from_row(row)) for row in rows]


def insights_from(
    performance: Performance,
    creatives: list[tuple[dict[str, Any], Aggregate]],
    *,
    date_from: date,
    date_to: date,
    settings: Settings,
    currency: str = DEFAULT_CURRENCY,
) -> list[dict[str, Any]]:
    """The insights of [date_from, date_to] from already loaded data (`history_start` onwards)."""
    minimum = settings.ranking_min_impressions
    series = performance.by_day
    insights = anomalies(series, date_from=date_from, date_to=date_to, min_impressions=minimum, currency=currency)
    insights += trends(
        performance.client_windows(date_to, TREND_WINDOWS),
        entity=None,
        date_to=date_to,
        min_impressions=minimum,
        currency=currency,
    )
    campaign_windows = performance.campaign_windows(date_to, TREND_WINDOWS)
    for entity, windows in campaign_windows:
        insights += trends(windows, entity=entity, date_to=date_to, min_impressions=minimum, currency=currency)
    insights += weekly_changes(campaign_windows, date_to=date_to, min_impressions=minimum, currency=currency)

    period = {"from": date_from.isoformat(), "to": date_to.isoformat()}
    client_total = performance.total(date_from, date_to)
    insights += performers(
        performance.campaigns(date_from, date_to),
        client_total,
        period=period,
        min_impressions=minimum,
        currency=currency,
    )
    insights += performers(creatives, client_total, period=period, min_impressions=minimum, currency=currency)

    insights.sort(key=_importance)
    return insights[:MAX_INSIGHTS]


# ---------------------------------------------------------------- anomalies


def anomalies(
    series: dict[date, Aggregate],
    *,
    date_from: date,
    date_to: date,
    min_impressions: int,
    currency: str = DEFAULT_CURRENCY,
) -> list[dict[str, Any]]:
    """Days in [date_from, date_to] whose metric departs from its same-weekday baseline."""
    found = []
    for day in sorted(d for d in series if date_from <= d <= date_to):
        today = series[day]
        for key in ANOMALY_METRICS:
            metric = METRICS[key]
            value = metric.value(today)
            if value is None or not metric.has_volume(today, min_impressions):
                continue
            points = _baseline(series, day, metric, min_impressions)
            if len(points) < MIN_BASELINE_POINTS:
                continue
            baseline = median(points)
            if key == "impressions" and baseline < min_impressions:
                continue  # too small a client for its daily volume to be news
            change = relative_change(value, baseline)
            if change is None or abs(change) < MIN_ANOMALY_CHANGE:
                continue
            _, z = robust_z(float(value), [float(point) for point in points])
            if abs(z) < Z_THRESHOLD:
                continue
            found.append(_anomaly(metric, day, value, baseline, change, z, len(points), currency))
    return found


def _baseline(series: dict[date, Aggregate], day: date, metric: MetricDef, min_impressions: int) -> list[Decimal]:
    points = []
    for weeks_back in range(1, BASELINE_WEEKS + 1):
        earlier = series.get(day - timedelta(weeks=weeks_back))
        if earlier is None or not metric.has_volume(earlier, min_impressions):
            continue
        point = metric.value(earlier)
        if point is not None:
            points.append(point)
    return points


def _anomaly(
    metric: MetricDef,
    day: date,
    value: Decimal,
    baseline: Decimal,
    change: Decimal,
    z: float,
    points: int,
    currency: str,
) -> dict[str, Any]:
    weekday = human.WEEKDAYS[day.weekday()]
    verb = "rose" if change > 0 else "fell"
    favourable = (change > 0) == metric.higher_is_better
    message = (
        f"{metric.label} {verb} {human.change_size(change)} on {human.weekday(day)} "
        f"({metric.fmt(value, currency)} vs a median of {metric.fmt(baseline, currency)} on the previous {points} {weekday}s)"
    )
    return {
        "kind": "anomaly",
        "severity": "low" if favourable else ("high" if abs(change) >= Decimal("0.5") else "medium"),
        "metric": metric.key,
        "entity": None,
        "date": day.isoformat(),
        "direction": "up" if change > 0 else "down",
        "message": message,
        "value": _number(value, metric),
        "baseline": _number(baseline, metric),
        "change": ratio_str(change),
        # None when the baseline is perfectly flat (the z-score is infinite).
        "z": None if z in (float("inf"), float("-inf")) else shape(Decimal(repr(z)), "score"),
        "baseline_points": points,
    }


# ---------------------------------------------------------------- trends


def trends(
    windows: list[Window | None],
    *,
    entity: dict[str, Any] | None,
    date_to: date,
    min_impressions: int,
    currency: str = DEFAULT_CURRENCY,
) -> list[dict[str, Any]]:
    """Three consecutive weekly declines (or rises) totalling at least MIN_TREND_CHANGE."""
    found = []
    for key in TREND_METRICS:
        metric = METRICS[key]
        values: list[Decimal] = []
        for window in windows:
            if window is None or not metric.has_volume(window.totals, min_impressions):
                break
            if metric.is_count and window.days_with_data < 7:
                break  # a sum over a partial week would fake a decline
            value = metric.value(window.totals)
            if value is None:
                break
            values.append(value)
        if len(values) < TREND_WINDOWS:
            continue
        change = relative_change(values[-1], values[0])
        if change is None:
            continue
        falling = all(later < earlier for earlier, later in pairwise(values))
        rising = all(later > earlier for earlier, later in pairwise(values))
        if not ((falling and change <= -MIN_TREND_CHANGE) or (rising and change >= MIN_TREND_CHANGE)):
            continue
        found.append(_trend(metric, entity, values, change, date_to, currency))
    return found


def _trend(
    metric: MetricDef,
    entity: dict[str, Any] | None,
    values: list[Decimal],
    change: Decimal,
    date_to: date,
    currency: str,
) -> dict[str, Any]:
    moves = "declined" if change < 0 else "rose"
    favourable = (change > 0) == metric.higher_is_better
    subject = metric.label if entity is None else f"{metric.label} for {_describe(entity)}"
    path = " → ".join(metric.fmt(value, currency) for value in values)
    per_week = " a week" if metric.is_count else ""
    message = (
        f"{subject} {moves} three weeks in a row, {'down' if change < 0 else 'up'} "
        f"{human.change_size(change)} in total ({path}{per_week})"
    )
    start = date_to - timedelta(days=7 * TREND_WINDOWS - 1)
    return {
        "kind": "trend",
        "severity": "low" if favourable else "medium",
        "metric": metric.key,
        "entity": entity,
        "period": {"from": start.isoformat(), "to": date_to.isoformat()},
        "direction": "up" if change > 0 else "down",
        "message": message,
        "value": _number(values[-1], metric),
        "previous": _number(values[0], metric),
        "change": ratio_str(change),
        "weeks": [_number(value, metric) for value in values],
    }


# ---------------------------------------------------------------- week-over-week changes


def weekly_changes(
    campaign_windows: list[tuple[dict[str, Any], list[Window | None]]],
    *,
    date_to: date,
    min_impressions: int,
    currency: str = DEFAULT_CURRENCY,
) -> list[dict[str, Any]]:
    """Campaign ratios that moved at least MIN_WEEKLY_CHANGE between the last two weeks."""
    found = []
    start = date_to - timedelta(days=6)
    for entity, windows in campaign_windows:
        previous, current = windows[-2], windows[-1]
        if previous is None or current is None:
            continue
        for key in CHANGE_METRICS:
            metric = METRICS[key]
            if not (
                metric.has_volume(current.totals, min_impressions)
                and metric.has_volume(previous.totals, min_impressions)
            ):
                continue
            now, before = metric.value(current.totals), metric.value(previous.totals)
            change = relative_change(now, before)
            if now is None or before is None or change is None or abs(change) < MIN_WEEKLY_CHANGE:
                continue
            favourable = (change > 0) == metric.higher_is_better
            message = (
                f"{metric.label} for {_describe(entity)} {'rose' if change > 0 else 'fell'} {human.change_size(change)} "
                f"week over week ({metric.fmt(before, currency)} → {metric.fmt(now, currency)})"
            )
            found.append(
                {
                    "kind": "change",
                    "severity": "low" if favourable else "medium",
                    "metric": key,
                    "entity": entity,
                    "period": {"from": start.isoformat(), "to": date_to.isoformat()},
                    "direction": "up" if change > 0 else "down",
                    "message": message,
                    "value": _number(now, metric),
                    "previous": _number(before, metric),
                    "change": ratio_str(change),
                }
            )
    found.sort(key=lambda insight: -abs(Decimal(str(insight["change"]))))
    return found[:MAX_CHANGES]


# ---------------------------------------------------------------- performers


def performers(
    entities: list[tuple[dict[str, Any], Aggregate]],
    client_total: Aggregate,
    *,
    period: dict[str, str],
    min_impressions: int,
    currency: str = DEFAULT_CURRENCY,
) -> list[dict[str, Any]]:
    """The best and the worst entity (with volume) by ROAS, or by CTR when spend is missing."""
    eligible = [(entity, agg) for entity, agg in entities if agg.impressions >= max(min_impressions, 1)]
    if len(eligible) < 2:
        return []
    key = "roas" if all(METRICS["roas"].value(agg) is not None for _, agg in eligible) else "ctr"
    metric = METRICS[key]
    ranked = sorted(eligible, key=lambda item: (metric.value(item[1]) or Decimal(0), item[1].impressions))
    (worst, worst_agg), (best, best_agg) = ranked[0], ranked[-1]
    if metric.value(worst_agg) == metric.value(best_agg):
        return []  # everyone performs alike: neither is news
    overall = metric.value(client_total)
    found = []
    for kind, entity, agg in (("top_performer", best, best_agg), ("bottom_performer", worst, worst_agg)):
        value = metric.value(agg)
        assert value is not None
        label = "the top performer" if kind == "top_performer" else "the weakest performer"
        against = f" against {metric.fmt(overall, currency)} overall" if overall is not None else ""
        message = (
            f"{_describe(entity)[0].upper()}{_describe(entity)[1:]} was {label} by {metric.label}: "
            f"{metric.fmt(value, currency)}{against} ({human.count(agg.impressions)} impressions)"
        )
        found.append(
            {
                "kind": kind,
                "severity": "medium" if kind == "bottom_performer" else "low",
                "metric": key,
                "entity": entity,
                "period": period,
                "message": message,
                "value": _number(value, metric),
                "baseline": None if overall is None else _number(overall, metric),
                "change": ratio_str(relative_change(value, overall)),
                "impressions": agg.impressions,
            }
        )
    return found


# ---------------------------------------------------------------- helpers


def _creative_entity(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "creative",
        "id": str(row["id"]),
        "name": row["name"],
        "campaign_id": str(row["campaign_id"]),
        "campaign_name": row["campaign_name"],
        "strategy_id": str(row["strategy_id"]),
        "strategy_name": row["strategy_name"],
        "placement_id": str(row["placement_id"]),
        "placement_name": row["placement_name"],
    }


def _describe(entity: dict[str, Any]) -> str:
    name = human.clean_name(entity["name"])
    if entity["type"] == "creative":
        # A creative's name often repeats across strategies and placements: its path tells them apart.
        path = PATH_SEPARATOR.join(
            human.clean_name(entity[key]) for key in ("campaign_name", "strategy_name", "placement_name")
        )
        return f"creative {name} ({path})"
    return f"{entity['type']} {name}"


def _number(value: Decimal, metric: MetricDef) -> int | str | None:
    """The metric's number in the JSON convention (count, money, unit cost or ratio)."""
    return shape(value, metric_kind(metric.key))


def _importance(insight: dict[str, Any]) -> tuple[int, int, str]:
    when = insight.get("date") or insight["period"]["to"]
    # Newest first within a severity and kind: ISO dates sort as text, so invert them.
    inverted = "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in when)
    return SEVERITY_ORDER[insight["severity"]], KIND_ORDER[insight["kind"]], inverted
