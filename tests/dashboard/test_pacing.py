"""Month-end pacing (SPEC §12): month to date, the same-weekday forecast, the budget and the
projected over/under-spend — hand-computed figures (data: `tests.dashboard.data.paced_client`)
and the edges of a month. The route and the admin's budget: tests/api/test_pacing_routes.py."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from shared.dashboard.pacing import forecast_days, pacing
from shared.metrics import Aggregate
from tests.dashboard.data import Client, add_client, paced_client

D = Decimal


@pytest.fixture
def paced(owner_conn) -> Client:
    return paced_client(owner_conn)


def test_march_by_hand(api_db, paced):
    result = pacing(api_db, client_id=paced.id, month_start=date(2026, 3, 1))
    # month to date, 1-10 March: Sun 29.75, Mon 4.25, Tue 8.50, Wed 12.75, Thu 17.00, Fri 21.25,
    # Sat 25.50, Sun 29.75, the busy Monday 21.25, Tue 8.50 = 178.50 (42,000 impressions)
    assert result["month_to_date"]["spend"] == D("178.50")
    assert result["month_to_date"]["impressions"] == 42_000
    assert (result["days_elapsed"], result["days_remaining"], result["days_in_month"]) == (10, 21, 31)
    # the window is 11 Feb - 10 Mar, four of each weekday: Monday (1000, 1000, 1000, 5000) averages
    # 2000 -> 8.50; Wednesday averages 3000 over its three days with data (the skipped one is not
    # a zero) -> 12.75; every other weekday is 4.25 x (weekday + 1). 11-31 March is three of each:
    # 3 x (8.50 + 4.25 x (2 + 3 + 4 + 5 + 6 + 7)) = 3 x 123.25 = 369.75
    assert result["forecast_remaining"]["spend"] == D("369.75")
    assert result["forecast_remaining"]["impressions"] == 3 * (2000 + 27_000)
    assert result["forecast_month"]["spend"] == D("548.25")
    # ratios from the projected sums: 1% CTR, 10% CVR, ROAS = revenue / spend
    assert result["forecast_month"]["ctr"] == D("0.010000") and result["forecast_month"]["cvr"] == D("0.100000")
    assert result["forecast_month"]["revenue"] == D("1290.00")  # (42,000 + 87,000) / 1000 x 10
    assert result["forecast_month"]["roas"] == (D("1290") / D("548.25")).quantize(D("0.000001"))
    # against the budget of 500.00: 48.25 over, 109.65% of it
    assert result["budget"] == D("500.00") and result["over_under"] == D("48.25")
    assert result["pace"] == D("1.096500") and result["status"] == "over"
    # every day of the month: actual up to the 10th, then forecast; the running total ends at the month's
    days = result["days"]
    assert [d["kind"] for d in days] == ["actual"] * 10 + ["forecast"] * 21
    assert days[9]["cumulative_spend"] == D("178.50") and days[-1]["cumulative_spend"] == D("548.25")
    assert days[15]["date"] == "2026-03-16" and days[15]["spend"] == D("8.50")  # a Monday: the window's average
    assert result["data_through"] == "2026-03-10" and result["complete"] is False


def test_a_past_month_is_all_actual_and_a_future_one_all_forecast(api_db, paced):
    february = pacing(api_db, client_id=paced.id, month_start=date(2026, 2, 1))
    assert february["complete"] is True and february["days_remaining"] == 0
    assert february["forecast_remaining"] is None
    assert february["forecast_month"] == february["month_to_date"]
    # 4 weeks of 4.25 x 28 = 119.00 a week, less the skipped Wednesday (12.75)
    assert february["month_to_date"]["spend"] == D("463.25")
    assert february["status"] == "under" and february["over_under"] == D("-36.75")
    april = pacing(api_db, client_id=paced.id, month_start=date(2026, 4, 1))
    assert april["days_elapsed"] == 0 and april["month_to_date"]["spend"] == D("0.00")
    assert [d["kind"] for d in april["days"]] == ["forecast"] * 30
    # April 2026: 1 April is a Wednesday; 30 days = 4 weeks + Wed and Thu
    assert april["forecast_month"]["spend"] == D("4") * D("123.25") + D("12.75") + D("17.00")


def test_within_five_percent_of_the_budget_is_on_budget(api_db, owner_conn, paced):
    owner_conn.execute("UPDATE clients SET monthly_budget = 530 WHERE id = %s", (paced.id,))  # 548.25 is +3.4%
    assert pacing(api_db, client_id=paced.id, month_start=date(2026, 3, 1))["status"] == "on_budget"
    owner_conn.execute("UPDATE clients SET monthly_budget = NULL WHERE id = %s", (paced.id,))
    unset = pacing(api_db, client_id=paced.id, month_start=date(2026, 3, 1))
    assert unset["budget"] is None and unset["over_under"] is None and unset["pace"] is None
    assert unset["status"] is None and unset["forecast_month"]["spend"] == D("548.25")


def test_a_client_without_data_has_no_forecast_not_a_zero(api_db, owner_conn):
    client = add_client(owner_conn, "Empty", "empty")
    result = pacing(api_db, client_id=client.id, month_start=date(2026, 3, 1))
    assert result["forecast_available"] is False and result["data_through"] is None
    assert result["forecast_month"] is None and result["forecast_remaining"] is None
    assert {d["kind"] for d in result["days"]} == {"unknown"}
    assert all(d["spend"] is None and d["cumulative_spend"] is None for d in result["days"])


def test_a_weekday_without_data_in_the_window_takes_the_window_average():
    through = date(2026, 3, 10)
    # data only on Mondays (1000) and Tuesdays (3000) of the window: a Friday has no same-weekday day
    by_day = {}
    for n in range(28):
        day = through - timedelta(days=n)
        if day.weekday() in (0, 1):
            by_day[day] = Aggregate(impressions=1000 if day.weekday() == 0 else 3000, spend=D("1"))
    forecast = forecast_days(by_day, through=through, days=[date(2026, 3, 13), date(2026, 3, 16)])
    assert forecast[date(2026, 3, 13)].impressions == 2000  # the mean of all 8 days with data
    assert forecast[date(2026, 3, 16)].impressions == 1000  # a Monday: the Mondays' mean
    # days outside the window do not count
    by_day[through - timedelta(days=28)] = Aggregate(impressions=10**6, spend=D("1"))
    assert forecast_days(by_day, through=through, days=[date(2026, 3, 16)])[date(2026, 3, 16)].impressions == 1000
