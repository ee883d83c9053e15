"""The overview body through the real handler (its daily series written as JSON text by
`shared.dashboard.daily_json`, spliced by `shared.api.prejson`) is byte-equal to the general
path's: the service with `_daily_series`, `OverviewOut` validation and the API's serialiser;
on days with data, days without rows, an unpriced day and a day of zeros."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from shared.api import deps
from shared.api.routes.clients import OverviewOut
from shared.dashboard import service
from shared.dashboard.params import DateRange
from shared.numbers import as_json
from tests.dashboard.data import add_metrics, day, standard_client


def test_overview_body_equals_the_general_path(api, owner_conn, make_user) -> None:
    """The handler's body (series as JSON text) is byte-equal to the general path's: the
    service with `_daily_series`, `OverviewOut` validation and the API's serialiser."""
    acme = standard_client(owner_conn)  # 14 priced days from day(0)
    add_metrics(owner_conn, acme, first=day(14), days=1, priced=False)  # an unpriced day
    add_metrics(owner_conn, acme, first=day(15), days=1, scale=0)  # a day of zeros
    user = make_user(role="client", client_id=acme.id)
    queries: list[dict[str, str]] = [
        {"from": day(4).isoformat(), "to": day(18).isoformat()},  # days 16-18 have no rows
        {"from": day(0).isoformat(), "to": day(17).isoformat(), "compare": "none"},
        {
            "from": day(10).isoformat(),
            "to": day(16).isoformat(),
            "compare_from": day(1).isoformat(),
            "compare_to": day(3).isoformat(),
        },
        {"from": day(30).isoformat(), "to": day(40).isoformat()},  # nothing at all in range
    ]
    for query in queries:
        response = api.get(f"/clients/{acme.id}/overview", token=user.token, query=query)
        assert response.status == 200, response.body
        span = DateRange(date.fromisoformat(query["from"]), date.fromisoformat(query["to"]))
        comparison: Any = "previous"
        if query.get("compare") == "none":
            comparison = None
        elif "compare_from" in query:
            comparison = DateRange(date.fromisoformat(query["compare_from"]), date.fromisoformat(query["compare_to"]))
        general = service.overview(deps.database(), client_id=acme.id, date_range=span, comparison=comparison)
        model = OverviewOut.model_validate(as_json(general))
        expected = json.dumps(model.model_dump(mode="json", by_alias=True), separators=(",", ":"))
        assert response.body == expected
    first = api.get(f"/clients/{acme.id}/overview", token=user.token, query=queries[0])
    body = json.loads(first.body)
    by_date = {point["date"]: point for point in body["series"]}
    assert by_date[day(14).isoformat()]["spend"] is None and by_date[day(14).isoformat()]["impressions"] > 0
    assert by_date[day(15).isoformat()]["impressions"] == 0 and by_date[day(15).isoformat()]["spend"] == "0.00"


def test_the_spliced_series_are_the_last_fields_of_the_overview_model() -> None:
    """`PreSerialised` splices the series after the head's other fields: they must stay the
    model's last fields (a field added after them must go before, or be spliced too)."""
    from shared.api.prejson import PreSerialised

    assert list(OverviewOut.model_fields)[-2:] == ["series", "previous_series"]
    head = OverviewOut.model_validate(
        {
            "from": "2026-01-01",
            "to": "2026-01-01",
            "client_id": "c",
            "currency": "USD",
            **dict.fromkeys(("compare_from", "compare_to", "previous_from", "previous_to", "data_through")),
            "totals": {
                "impressions": 0,
                "clicks": 0,
                "conversions": 0,
                **dict.fromkeys(("revenue", "spend", "ctr", "cvr", "cpc", "cpa", "roas")),
            },
            "previous": None,
            "change": None,
            "series": [],
            "previous_series": None,
        }
    )
    text = json.dumps(head.model_dump(mode="json", by_alias=True), separators=(",", ":"))
    body = PreSerialised(head, series="[1]", previous_series=None).splice(text)
    assert json.loads(body)["series"] == [1] and json.loads(body)["previous_series"] is None
    try:
        PreSerialised(head, series="[1]", previous_series="[2]").splice(text)  # the head says null
    except ValueError:
        pass
    else:
        raise AssertionError("a tail that does not match the head's empty fields must be refused")
