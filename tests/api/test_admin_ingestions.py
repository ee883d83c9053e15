"""Admin: ingestion runs (filters, detail with rejected rows) and retry."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared.admin.ingestions import InProcessIngestionDispatcher
from shared.api import deps
from shared.aws.s3 import S3ObjectStore
from shared.aws.ses import SesEmailSender
from tests.api.conftest import ApiClient, ApiUser
from tests.conftest import LANDING_BUCKET

CSV = (
    "Date,Campaign,Strategy,Placement,Creative,Impressions,Clicks,Conversions,Conversion Revenue\n"
    "2026-01-05,Spring,Prospecting,news.example,Banner A,1000,10,1,25.00\n"
    "2026-01-05,Spring,Prospecting,news.example,Banner B,2000,20,2,50.00\n"
)


def _run(owner_conn: Any, **values: Any) -> dict[str, Any]:
    row = {
        "file_name": f"{LANDING_BUCKET}/clients/acme/file.csv",
        "bucket": LANDING_BUCKET,
        "object_key": "clients/acme/file.csv",
        "status": "success",
        "records_loaded": 10,
        "records_failed": 0,
        "message": "loaded",
        "client_ids": [],
        "started_at": "2026-01-05 06:00:00+00",
        **values,
    }
    columns = ", ".join(row)
    placeholders = ", ".join(f"%({name})s" for name in row)
    return owner_conn.execute(
        f"INSERT INTO ingestion_logs ({columns}, finished_at) VALUES ({placeholders}, now()) RETURNING *", row
    ).fetchone()


def test_list_filters_and_detail(api: ApiClient, admin_user: ApiUser, make_client: Any, owner_conn: Any) -> None:
    acme, beta = make_client("Acme", "acme"), make_client("Beta", "beta")
    ok = _run(owner_conn, client_ids=[acme["id"]], started_at="2026-01-05 06:00:00+00")
    partial = _run(
        owner_conn,
        status="partial",
        records_failed=2,
        client_ids=[acme["id"], beta["id"]],
        started_at="2026-01-06 06:00:00+00",
    )
    failed = _run(
        owner_conn,
        status="failed",
        records_loaded=0,
        message="missing column: clicks",
        started_at="2026-01-07 06:00:00+00",
        what_to_do=["Ask the partner to include the column 'clicks'.", "Re-run the file."],
    )
    owner_conn.execute(
        "INSERT INTO ingestion_rejected_rows (ingestion_run_id, line_number, column_name, value, reason) VALUES "
        "(%s, 7, 'clicks', '12x', 'not an integer'), (%s, 3, 'impressions', '-5', 'negative')",
        (partial["id"], partial["id"]),
    )
    token = admin_user.token

    everything = api.get("/admin/ingestions", token=token).json()
    assert everything["total"] == 3
    assert [item["id"] for item in everything["items"]] == [str(failed["id"]), str(partial["id"]), str(ok["id"])]
    first = everything["items"][0]
    for key in (
        "id",
        "file_name",
        "status",
        "records_loaded",
        "records_failed",
        "message",
        "started_at",
        "finished_at",
    ):
        assert key in first

    def ids(**query: Any) -> list[str]:
        response = api.get("/admin/ingestions", token=token, query=query)
        assert response.status == 200, response.body
        return [item["id"] for item in response.json()["items"]]

    assert ids(status="failed") == [str(failed["id"])]
    assert ids(client_id=str(beta["id"])) == [str(partial["id"])]
    assert ids(client_id=str(acme["id"])) == [str(partial["id"]), str(ok["id"])]
    assert ids(**{"from": "2026-01-06"}) == [str(failed["id"]), str(partial["id"])]
    assert ids(**{"to": "2026-01-06"}) == [str(partial["id"]), str(ok["id"])]
    assert ids(**{"from": "2026-01-06", "to": "2026-01-06"}) == [str(partial["id"])]
    assert ids(limit=1, offset=1) == [str(partial["id"])]

    detail = api.get(f"/admin/ingestions/{partial['id']}", token=token)
    assert detail.status == 200
    assert detail.json()["rejected_rows"] == [
        {"line_number": 3, "column_name": "impressions", "value": "-5", "reason": "negative"},
        {"line_number": 7, "column_name": "clicks", "value": "12x", "reason": "not an integer"},
    ]
    assert detail.json()["what_to_do"] == []  # stored by the load; this one was inserted without
    steps = api.get(f"/admin/ingestions/{failed['id']}", token=token).json()["what_to_do"]
    assert steps == ["Ask the partner to include the column 'clicks'.", "Re-run the file."]
    assert "what_to_do" not in first  # the list stays small: the steps are on the run's page


@pytest.mark.parametrize(
    "query",
    [{"status": "exploded"}, {"from": "yesterday"}, {"client_id": "acme"}, {"limit": 1000}],
)
def test_list_validation(api: ApiClient, admin_user: ApiUser, query: dict[str, Any]) -> None:
    assert api.get("/admin/ingestions", token=admin_user.token, query=query).status == 400


def test_from_after_to_is_400(api: ApiClient, admin_user: ApiUser) -> None:
    response = api.get("/admin/ingestions", token=admin_user.token, query={"from": "2026-02-01", "to": "2026-01-01"})
    assert response.status == 400
    assert response.json() == {"message": "from must not be after to"}


def test_unknown_run_is_404(api: ApiClient, admin_user: ApiUser) -> None:
    assert api.get(f"/admin/ingestions/{uuid.uuid4()}", token=admin_user.token).status == 404
    assert api.post(f"/admin/ingestions/{uuid.uuid4()}/retry", token=admin_user.token).status == 404


@pytest.fixture
def in_process_retry(settings: Any, worker_db: Any, s3: Any, ses: Any) -> Any:
    dispatcher = InProcessIngestionDispatcher(
        settings=settings, db=worker_db, store=S3ObjectStore(s3), sender=SesEmailSender(ses)
    )
    deps.use_ingestion_dispatcher(dispatcher)
    yield s3
    deps.use_ingestion_dispatcher(None)


def test_retry_a_failed_run_loads_the_file_as_a_new_run(
    api: ApiClient, admin_user: ApiUser, make_client: Any, owner_conn: Any, in_process_retry: Any
) -> None:
    make_client("Acme", "acme")
    key = "clients/acme/2026-01-05.csv"
    failed = _run(
        owner_conn, status="failed", object_key=key, file_name=f"{LANDING_BUCKET}/{key}", message="S3 access denied"
    )
    in_process_retry.put_object(Bucket=LANDING_BUCKET, Key=key, Body=CSV.encode())

    response = api.post(f"/admin/ingestions/{failed['id']}/retry", token=admin_user.token)
    assert response.status == 202, response.body
    body = response.json()
    assert body["retry_of"] == str(failed["id"])
    assert body["run"]["retry_of"] == str(failed["id"])
    assert body["run"]["status"] in ("success", "partial")  # partial: the client has no CPM yet
    assert body["run"]["records_loaded"] == 2
    loaded = owner_conn.execute("SELECT sum(impressions) AS n FROM daily_metrics").fetchone()["n"]
    assert loaded == 3000
    # the failed run's page now names its retry and how it went
    detail = api.get(f"/admin/ingestions/{failed['id']}", token=admin_user.token).json()
    assert (detail["retried_by"], detail["retried_by_status"]) == (body["run"]["id"], body["run"]["status"])
    retry = api.get(f"/admin/ingestions/{body['run']['id']}", token=admin_user.token).json()
    assert (retry["retry_of"], retry["retried_by"], retry["retried_by_status"]) == (str(failed["id"]), None, None)


@pytest.mark.parametrize("status", ["success", "partial", "duplicate", "running"])
def test_only_failed_runs_can_be_retried(api: ApiClient, admin_user: ApiUser, owner_conn: Any, status: str) -> None:
    run = _run(owner_conn, status=status)
    response = api.post(f"/admin/ingestions/{run['id']}/retry", token=admin_user.token)
    assert response.status == 409
    assert status in response.json()["message"]


def test_lambda_dispatcher_invokes_the_ingest_function_asynchronously() -> None:
    import json

    from functions.ingest.handler import objects_of
    from shared.aws.lambda_invoke import LambdaIngestionDispatcher
    from shared.ingestion.objects import UploadedObject

    calls: list[dict[str, Any]] = []

    class FakeLambda:
        def invoke(self, **kwargs: Any) -> dict[str, Any]:
            calls.append(kwargs)
            return {"StatusCode": 202}

    run_id = uuid.uuid4()
    key = "clients/acme/day 1+2.csv"
    result = LambdaIngestionDispatcher("ingest-fn", client=FakeLambda()).dispatch(bucket="b", key=key, retry_of=run_id)
    assert result is None
    assert calls[0]["FunctionName"] == "ingest-fn"
    assert calls[0]["InvocationType"] == "Event"
    payload = json.loads(calls[0]["Payload"])
    assert payload["retry_of"] == str(run_id)
    # The ingestion handler reads it exactly like an S3 notification (URL-encoded key).
    # It carries no version, sequencer or time: the run it retries supplies them.
    assert objects_of(payload) == [UploadedObject(bucket="b", key=key)]


def test_the_dispatcher_follows_the_settings(settings: Any) -> None:
    from shared.admin.ingestions import InProcessIngestionDispatcher
    from shared.aws.lambda_invoke import LambdaIngestionDispatcher

    try:
        deps.use_settings(settings.model_copy(update={"ingest_function_name": "stack-ingest"}))
        assert isinstance(deps.ingestion_dispatcher(), LambdaIngestionDispatcher)
        deps.use_ingestion_dispatcher(None)
        deps.use_settings(settings)
        local = deps.ingestion_dispatcher()
        assert isinstance(local, InProcessIngestionDispatcher)
    finally:
        deps.reset()


def test_file_name_filter_and_paged_rejected_rows(api: ApiClient, admin_user: ApiUser, owner_conn: Any) -> None:
    wanted = _run(
        owner_conn, object_key="partner/2026/Acme_Daily.csv", file_name=f"{LANDING_BUCKET}/partner/2026/Acme_Daily.csv"
    )
    _run(owner_conn, object_key="partner/2026/beta.csv", file_name=f"{LANDING_BUCKET}/partner/2026/beta.csv")
    token = admin_user.token

    def ids(**query: Any) -> list[str]:
        response = api.get("/admin/ingestions", token=token, query=query)
        assert response.status == 200, response.body
        return [item["id"] for item in response.json()["items"]]

    assert ids(file_name="acme_daily") == [str(wanted["id"])]
    assert ids(file_name="2026/") == ids()
    assert ids(file_name="%") == []

    owner_conn.execute(
        "INSERT INTO ingestion_rejected_rows (ingestion_run_id, line_number, column_name, value, reason)"
        " SELECT %s, n, 'clicks', n::text, 'not an integer' FROM generate_series(2, 121) AS n",
        (wanted["id"],),
    )
    page = api.get(f"/admin/ingestions/{wanted['id']}/rejected-rows", token=token, query={"limit": 50, "offset": 100})
    assert page.status == 200, page.body
    assert page.json()["total"] == 120
    assert [row["line_number"] for row in page.json()["items"]] == list(range(102, 122))
    assert page.json()["items"][0] == {
        "line_number": 102,
        "column_name": "clicks",
        "value": "102",
        "reason": "not an integer",
    }
    assert api.get(f"/admin/ingestions/{uuid.uuid4()}/rejected-rows", token=token).status == 404
    assert api.get(f"/admin/ingestions/{wanted['id']}/rejected-rows", token=token, query={"limit": 0}).status == 400


def test_runs_carry_their_upload_identity_and_stale_days(api: ApiClient, admin_user: ApiUser, owner_conn: Any) -> None:
    late = _run(
        owner_conn,
        status="success",
        stale_days=3,
        version_id="3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
        sequencer="0000000000000000000000000066A5B8",
        uploaded_at="2026-01-05 05:59:58.123+00",
    )
    stale = _run(owner_conn, status="stale", records_loaded=0, stale_days=2, started_at="2026-01-06 06:00:00+00")

    page = api.get("/admin/ingestions", token=admin_user.token, query={"status": "stale"}).json()
    detail = api.get(f"/admin/ingestions/{late['id']}", token=admin_user.token).json()

    assert [(item["id"], item["stale_days"]) for item in page["items"]] == [(str(stale["id"]), 2)]
    assert detail["stale_days"] == 3
    assert detail["version_id"] == "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"
    assert detail["sequencer"] == "0000000000000000000000000066A5B8"
    assert detail["uploaded_at"].startswith("2026-01-05T05:59:58.123")


LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024


def test_huge_stored_messages_keep_a_page_of_fifty_under_lambdas_limit(
    api: ApiClient, admin_user: ApiUser, owner_conn: Any
) -> None:
    # given 50 runs whose stored messages are 2 MB each (written before any clipping, or by
    # hand), with a NUL-free but escape-heavy payload, and one with huge rejected rows
    for i in range(50):
        _run(owner_conn, status="failed", message=f"{i:02d}" + "\u2026\x01" * 1_000_000)
    run = _run(owner_conn, status="failed", message="x", started_at="2026-01-04 06:00:00+00")  # listed last
    owner_conn.execute(
        "INSERT INTO ingestion_rejected_rows (ingestion_run_id, line_number, column_name, value, reason) "
        "SELECT %s, n, repeat('c', 255), repeat('v', 100000), repeat('r', 100000) FROM generate_series(1, 60) AS n",
        (run["id"],),
    )

    # when the admin lists 50 of them, opens one, and pages its rejected rows
    listed = api.get("/admin/ingestions", token=admin_user.token, query={"limit": 50, "status": "failed"})
    detail = api.get(f"/admin/ingestions/{run['id']}", token=admin_user.token)
    rejected = api.get(f"/admin/ingestions/{run['id']}/rejected-rows", token=admin_user.token, query={"limit": 50})

    # then every response is far under 6 MB, each message clipped to 4000 characters
    assert listed.status == 200 and len(listed.body.encode()) < LAMBDA_RESPONSE_LIMIT / 4
    items = listed.json()["items"]
    assert len(items) == 50 and listed.json()["total"] == 51
    assert {len(item["message"]) for item in items} == {4000}
    assert detail.status == 200 and len(detail.body.encode()) < LAMBDA_RESPONSE_LIMIT / 4
    assert {len(row["value"]) for row in detail.json()["rejected_rows"]} == {200}
    assert {len(row["reason"]) for row in detail.json()["rejected_rows"]} == {1000}
    assert rejected.status == 200 and len(rejected.body.encode()) < LAMBDA_RESPONSE_LIMIT / 4


def test_a_page_is_cut_short_before_it_passes_the_byte_budget(
    api: ApiClient, admin_user: ApiUser, owner_conn: Any
) -> None:
    from shared.admin.ingestions import PAGE_BYTE_BUDGET

    # given 300 runs with the longest keys the table holds and messages of control
    # characters (each escaped as 6 bytes of JSON): about 30 KB a run
    key = "k" * 1000
    for _ in range(300):
        _run(owner_conn, object_key=key, file_name=f"{LANDING_BUCKET}/{key}", message="\x01" * 10_000)

    listed = api.get("/admin/ingestions", token=admin_user.token, query={"limit": 500})

    # then the page holds what fits in the budget, and `total` still counts every run
    assert listed.status == 200
    assert len(listed.body.encode()) <= PAGE_BYTE_BUDGET < LAMBDA_RESPONSE_LIMIT
    page = listed.json()
    assert page["total"] == 300 and 50 < len(page["items"]) < 300
