"""Issue 15: bad input never answers 5xx. Every case the issue lists, through the real
handlers (then a corpus of hostile values against every operation of the OpenAPI document,
as the admin, as a client user and anonymously)."""

from __future__ import annotations

import base64
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from infra.constants import api_function_for
from tests.api.conftest import ApiClient, ApiUser, api_event, invoke
from tests.dashboard.data import day, standard_client


def send(method: str, path: str, **kwargs: Any) -> Any:
    function = api_function_for(path)
    assert function is not None, path
    return invoke(function, api_event(method, path, **kwargs))


def assert_4xx(response: Any, status: int = 400, names: str | None = None) -> None:
    assert response.status == status, (response.status, response.body[:300])
    message = response.json()["message"]
    assert isinstance(message, str) and message
    if names is not None:
        assert names in message, message
    assert len(response.body) < 5000  # never the whole hostile body echoed back


# ---------------------------------------------------------------- POST /auth/login


LOGIN = "/auth/login"


def test_login_with_a_nul_in_the_email(api: ApiClient) -> None:
    assert_4xx(api.post(LOGIN, body={"email": "a\x00@example.com", "password": "x"}), names="email")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/octet-stream", "application/x-www-form-urlencoded"]
)
def test_login_with_a_non_json_content_type_is_415(api: ApiClient, content_type: str) -> None:
    response = api.post(
        LOGIN, raw_body='{"email": "a@example.com", "password": "x"}', headers={"Content-Type": content_type}
    )
    assert_4xx(response, 415)


JSON_LIKE = [
    "application/json",
    "Application/JSON",
    "APPLICATION/JSON; charset=UTF-8",
    "application/merge-patch+json",
    "application/vnd.api+json",
    ' application/json ; charset="utf-8"',
]


@pytest.mark.parametrize("content_type", JSON_LIKE)
def test_every_json_content_type_is_parsed_like_application_json(
    api: ApiClient, client_user: Any, admin_user: ApiUser, acme: Any, content_type: str
) -> None:
    # the strict layer accepts these types; Powertools' parser reads only lower-case
    # `application/json`, so each used to end in an unmapped exception (a 500)
    headers = {"Content-Type": content_type}
    good = {"email": client_user.email, "password": client_user.password}
    assert api.post(LOGIN, raw_body=json.dumps(good), headers=headers).status == 200
    wrong = api.post(LOGIN, raw_body=json.dumps({**good, "password": "not it"}), headers=headers)
    assert_4xx(wrong, 401)
    missing = api.post(LOGIN, raw_body=json.dumps({"email": client_user.email}), headers=headers)
    assert_4xx(missing, 400, names="password")
    renamed = api.request(
        "PATCH",
        f"/admin/clients/{acme.id}",
        token=admin_user.token,
        raw_body='{"name": "Acme Renamed"}',
        headers=headers,
    )
    assert renamed.status == 200, renamed.body
    assert renamed.json()["name"] == "Acme Renamed"


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "Text/JSON"])
def test_a_non_json_type_over_an_empty_body_is_a_400_for_the_missing_body(
    api: ApiClient, admin_user: ApiUser, content_type: str
) -> None:
    # nothing to parse, so nothing to refuse as a type: the body is missing (a cookie refresh
    # reads the header itself, see test_auth_cookie)
    response = api.request(
        "POST", "/admin/clients", token=admin_user.token, raw_body="", headers={"Content-Type": content_type}
    )
    assert_4xx(response, 400, names="body")


def test_login_without_a_content_type_is_415_and_does_not_quote_the_body(api: ApiClient) -> None:
    event = api_event("POST", LOGIN, raw_body='{"email": "secret-looking@example.com", "password": "hunter2"}')
    del event["headers"]["Content-Type"]
    event["multiValueHeaders"].pop("Content-Type")
    response = invoke("api_auth", event)
    assert_4xx(response, 415)
    assert "hunter2" not in response.body


def test_login_with_invalid_utf8_is_400(api: ApiClient) -> None:
    for raw in (b'{"email": "\xff\xfe@example.com", "password": "x"}', b'{"email": "\xc0\xaf", "password": "x"}'):
        event = api_event("POST", LOGIN, raw_body="")
        event["body"] = base64.b64encode(raw).decode()
        event["isBase64Encoded"] = True
        assert_4xx(invoke("api_auth", event), names="UTF-8")


def test_login_with_deep_nesting_is_400(api: ApiClient) -> None:
    assert_4xx(api.post(LOGIN, raw_body="[" * 100_000), names="nests deeper")
    assert_4xx(api.post(LOGIN, raw_body='{"email": ' + "[" * 40 + "]" * 40 + ', "password": "x"}'), names="nests")


def test_login_with_a_100000_digit_number_is_400(api: ApiClient) -> None:
    assert_4xx(api.post(LOGIN, raw_body='{"email": ' + "9" * 100_000 + ', "password": "x"}'), names="number")
    assert_4xx(api.post(LOGIN, raw_body='{"email": "a@example.com", "password": NaN}'), names="NaN")


def test_login_with_a_lone_surrogate_or_a_1mb_string_is_400(api: ApiClient) -> None:
    assert_4xx(api.post(LOGIN, raw_body='{"email": "\\ud800@example.com", "password": "x"}'), names="email")
    assert_4xx(api.post(LOGIN, body={"email": "a" * 1_000_000, "password": "x"}), names="larger than")
    assert_4xx(api.post(LOGIN, body={"email": "a" * 100_000, "password": "x"}), names="email")


# ---------------------------------------------------------------- client routes


@pytest.fixture
def acme(owner_conn: Any) -> Any:
    return standard_client(owner_conn)


@pytest.fixture
def acme_user(make_user: Any, acme: Any) -> ApiUser:
    return make_user(role="client", client_id=acme.id)


RANGE = {"from": day(0).isoformat(), "to": day(13).isoformat()}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "²"}, "limit"),
        ({"offset": "¹"}, "offset"),
        ({"limit": "\u0663"}, "limit"),
        ({"offset": "9223372036854775808"}, "offset"),
        ({"offset": "9" * 5000}, "offset"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "+5"}, "limit"),
        ({"limit": "1e3"}, "limit"),
        ({"offset": "1000001"}, "offset"),
    ],
)
def test_campaign_pages_take_bounded_ascii_integers_only(api, acme_user, acme, query, field) -> None:
    response = api.get(f"/clients/{acme.id}/campaigns", token=acme_user.token, query={**RANGE, **query})
    assert_4xx(response, names=field)


def test_clients_list_takes_ascii_integers_only(api, acme_user) -> None:
    assert_4xx(api.get("/clients", token=acme_user.token, query={"limit": "²"}), names="limit")


@pytest.mark.parametrize("route", ["overview", "insights", "report.pdf", "campaigns", "export.csv"])
def test_year_0001_is_a_400_naming_the_date(api, acme_user, acme, route) -> None:
    query = {"from": "0001-01-01", "to": "0001-01-10", **({"level": "daily"} if route == "export.csv" else {})}
    assert_4xx(api.get(f"/clients/{acme.id}/{route}", token=acme_user.token, query=query), names="from must be a date")


def test_overview_to_year_0001_is_a_400(api, acme_user, acme) -> None:
    assert_4xx(api.get(f"/clients/{acme.id}/overview", token=acme_user.token, query={"to": "0001-01-05"}), names="to")


@pytest.mark.parametrize("granularity", ["week", "month", "day"])
def test_timeseries_in_year_9999_is_a_400(api, acme_user, acme, granularity) -> None:
    query = {"from": "9999-12-20", "to": "9999-12-31", "granularity": granularity}
    assert_4xx(
        api.get(f"/clients/{acme.id}/timeseries", token=acme_user.token, query=query), names="must be a date between"
    )


def test_dates_at_the_bounds_are_accepted(api, acme_user, acme) -> None:
    first = api.get(
        f"/clients/{acme.id}/overview", token=acme_user.token, query={"from": "2000-01-01", "to": "2000-01-31"}
    )
    assert first.status == 200, first.body
    before = api.get(
        f"/clients/{acme.id}/overview", token=acme_user.token, query={"from": "1999-12-31", "to": "2000-01-31"}
    )
    assert_4xx(before, names="from must be a date between 2000-01-01 and")


def test_unicode_digits_in_dates_and_a_nul_in_a_query_value(api, acme_user, acme) -> None:
    assert_4xx(
        api.get(
            f"/clients/{acme.id}/overview",
            token=acme_user.token,
            query={"from": "\u0662\u0660\u0662\u0666-\u0660\u0663-\u0660\u0661"},
        ),
        names="from",
    )
    assert_4xx(
        api.get(f"/clients/{acme.id}/campaigns", token=acme_user.token, query={"sort": "spend\x00"}), names="sort"
    )


# ---------------------------------------------------------------- admin routes


def test_admin_nul_in_a_client_name_an_email_or_an_advertiser(api, admin_user, acme) -> None:
    token = admin_user.token
    assert_4xx(api.post("/admin/clients", token=token, body={"name": "Bad\x00Name", "slug": "bad"}), names="name")
    assert_4xx(api.post("/admin/clients", token=token, body={"name": "Bell\x07", "slug": "bell"}), names="name")
    created = api.post("/admin/users", token=token, body={"email": "x\x00@example.com", "role": "admin"})
    assert_4xx(created, names="email")
    put = api.put(f"/admin/clients/{acme.id}/advertisers", token=token, body={"advertisers": ["Acme\x00"]})
    assert_4xx(put, names="advertisers")
    patch = api.patch(f"/admin/clients/{acme.id}", token=token, body={"name": "x\x00"})
    assert_4xx(patch, names="name")


def test_admin_summaries_backfill_in_year_0001(api, admin_user) -> None:
    body = {"kind": "weekly", "period_start": "0001-01-01"}
    assert_4xx(api.post("/admin/summaries", token=admin_user.token, body=body), names="period_start")


def _a_monday_ahead() -> date:
    today = date.today()
    return today + timedelta(days=14 - today.weekday())  # a week clear of any time zone's today


def test_every_refusal_names_what_to_change(api: ApiClient, admin_user: ApiUser, acme: Any, acme_user: ApiUser) -> None:
    # a message a caller can act on names the field (or fields) at fault
    token = admin_user.token
    too_long = {"from": "2020-01-01", "to": "2026-03-10"}
    for path, who in (
        (f"/clients/{acme.id}/overview", acme_user.token),
        (f"/clients/{acme.id}/campaigns", acme_user.token),
        ("/admin/overview", token),
        (f"/admin/clients/{acme.id}/margin", token),
    ):
        response = api.get(path, token=who, query=too_long)
        assert_4xx(response, names="from")
        assert "to" in response.json()["message"].split("may span")[0] and "800 days" in response.json()["message"]
    summaries = [
        ({"kind": "weekly", "period_start": "2026-03-03"}, "Monday"),
        ({"kind": "monthly", "period_start": "2026-03-02"}, "1st"),
        ({"kind": "weekly", "period_start": _a_monday_ahead().isoformat()}, "not started"),
    ]
    for body, says in summaries:
        response = api.post("/admin/summaries", token=token, body=body)
        assert_4xx(response, names="period_start")
        assert says in response.json()["message"]
    branding = api.patch(f"/admin/clients/{acme.id}/branding", token=token, body={"logo_base64": "not base64!"})
    assert_4xx(branding, names="logo_base64")
    blank = api.put(f"/admin/clients/{acme.id}/advertisers", token=token, body={"advertisers": ["Acme", "  "]})
    assert_4xx(blank, names="advertisers")
    throttle = api.request("DELETE", "/admin/login-throttle", token=token, query={"source": "1" * 65})
    assert_4xx(throttle, names="source")
    assert "64 characters" in throttle.json()["message"], throttle.json()


def test_admin_rate_in_year_9999_and_page_offsets(api, admin_user, acme) -> None:
    body = {"cpm": "4.25", "effective_date": "9999-01-01"}
    assert_4xx(api.post(f"/admin/clients/{acme.id}/cpm", token=admin_user.token, body=body), names="effective_date")
    assert_4xx(api.get("/admin/clients", token=admin_user.token, query={"offset": "9" * 5000}), names="offset")
    assert_4xx(api.get("/admin/clients", token=admin_user.token, query={"limit": "²"}), names="limit")
    assert_4xx(api.get("/admin/ingestions", token=admin_user.token, query={"from": "0001-01-01"}), names="from")


NON_ASCII_DECIMALS = [
    "\u0664.\u0662\u0665",
    "\uff14.\uff12\uff15",
    "1_000",
    "1e3",
    "NaN",
    "Infinity",
    "4.2.5",
    "",
    " ",
    "0x10",
]


def _decimal_routes(client_id: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(method, path, field, the rest of a valid body) for every decimal a body takes."""
    dated = {"effective_date": "2026-03-02", "preview": True}
    return [
        ("POST", f"/admin/clients/{client_id}/cpm", "cpm", dated),
        ("POST", f"/admin/clients/{client_id}/buy-cost", "cpm", dated),
        ("PUT", f"/admin/clients/{client_id}/target-roas", "target_roas", {}),
        ("PATCH", f"/admin/clients/{client_id}", "monthly_budget", {}),
    ]


def test_decimals_in_bodies_take_ascii_digits_only(api: ApiClient, admin_user: ApiUser, acme: Any) -> None:
    # pydantic's Decimal is Python's: it reads Arabic-Indic and full-width digits and "1_000"
    rates = api.get(f"/admin/clients/{acme.id}/cpm", token=admin_user.token).json()
    client = api.get(f"/admin/clients/{acme.id}", token=admin_user.token).json()
    for method, path, field, rest in _decimal_routes(acme.id):
        for value in NON_ASCII_DECIMALS:
            response = api.request(method, path, token=admin_user.token, body={field: value, **rest})
            assert_4xx(response, names=field)
        for value in ([], {"v": 1}, True):
            assert_4xx(api.request(method, path, token=admin_user.token, body={field: value, **rest}), names=field)
    # and nothing was stored by any of them
    assert api.get(f"/admin/clients/{acme.id}/cpm", token=admin_user.token).json() == rates
    assert api.get(f"/admin/clients/{acme.id}", token=admin_user.token).json() == client


def test_decimals_in_bodies_as_strings_or_numbers(api: ApiClient, admin_user: ApiUser, acme: Any) -> None:
    for method, path, field, rest in _decimal_routes(acme.id):
        for value, expected in (("4.25", "4.25"), (4.25, "4.25"), (3, "3"), (" 2.5 ", "2.5"), ("0.50", "0.5")):
            response = api.request(method, path, token=admin_user.token, body={field: value, **rest})
            assert response.status == 200, (path, value, response.body)
            shown = response.json()
            shown = shown.get(field, shown.get("rate", shown.get("buy_cost", {})))
            shown = shown["cpm"] if isinstance(shown, dict) else shown
            assert Decimal(shown) == Decimal(expected), (path, value, shown)
        # the field's own range still applies, and names it
        assert_4xx(api.request(method, path, token=admin_user.token, body={field: "-1", **rest}), names=field)


def test_validation_failures_are_400_in_both_routers(api, admin_user, acme) -> None:
    # the same fault (a malformed limit) answers the same status in the admin and client routers
    admin = api.get("/admin/clients", token=admin_user.token, query={"limit": "abc"})
    client = api.get("/clients", token=admin_user.token, query={"limit": "abc"})
    assert admin.status == client.status == 400
    assert admin.json()["message"] == client.json()["message"]


# ---------------------------------------------------------------- every operation, hostile values

HOSTILE = [
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff-x",
    "\x1b[31m",
    "é" * 3000,
    "9" * 5000,
    "²",
    "\u0663",
    "-1",
    "9223372036854775808",
    "0001-01-01",
    "9999-12-31",
    "1e309",
    "NaN",
    "' OR 1=1 --",
    "",
]
HOSTILE_BODIES = [
    ("application/json", "[" * 5000),
    ("application/json", '{"a": ' + "1" * 100_000 + "}"),
    ("application/json", '{"a": "\\u0000"}'),
    ("application/json", '{"a": "\\ud800"}'),
    ("application/json", "{not json"),
    ("application/json", "null"),
    ("application/json", "[]"),
    ("application/json", '"x"'),
    ("application/json", '{"x": 1e999999}'),
    ("text/plain", '{"a": 1}'),
    ("application/xml", "<a/>"),
    ("multipart/form-data; boundary=x", "--x--"),
    ("application/json; charset=latin-1", "{}"),
    ("application/merge-patch+json", '{"__unknown__": 1}'),
    ("Application/JSON", '{"__unknown__": 1}'),
    ("APPLICATION/JSON; charset=UTF-8", "[]"),
    ("application/vnd.api+json", "{not json"),
    ("text/plain", ""),
]


def _operations(api: ApiClient) -> list[tuple[str, str, dict[str, Any]]]:
    document = api.get("/openapi.json").json()
    return [
        (path, method.upper(), operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if (path, method) not in {("/auth/logout", "post"), ("/me/password", "post")}
    ]


def _fill(path: str, client_id: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: client_id if m.group(1) == "client_id" else "2026-03-02", path)


def test_every_operation_answers_hostile_values_with_a_4xx_naming_the_field(
    api: ApiClient, admin_user: ApiUser, acme: Any, acme_user: ApiUser
) -> None:
    failures = []
    sent = 0
    for path, method, operation in _operations(api):
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        for who, token in (("admin", admin_user.token), ("client", acme_user.token), ("anonymous", None)):
            url = _fill(path, str(acme.id))
            for value in HOSTILE:
                for name in names:
                    response = api.request(method, url, token=token, query={name: value})
                    sent += 1
                    # the message names the field (or another of the operation's parameters, e.g.
                    # a required one that is missing)
                    named = response.status != 400 or any(n in response.json()["message"] for n in names)
                    if response.status >= 500 or (response.status == 400 and not named):
                        failures.append(
                            (who, method, path, name, ascii(value)[:30], response.status, response.body[:200])
                        )
            if "requestBody" in operation:
                for content_type, raw in HOSTILE_BODIES:
                    response = api.request(
                        method, url, token=token, raw_body=raw, headers={"Content-Type": content_type}
                    )
                    sent += 1
                    if response.status >= 500 or not 400 <= response.status < 500:
                        failures.append(
                            (who, method, path, content_type, raw[:30], response.status, response.body[:200])
                        )
    assert sent > 500
    assert not failures, "\n".join(map(str, failures[:20]))
