"""POST /admin/uploads: a presigned S3 POST into the landing bucket, so a browser upload
goes through the same S3-triggered ingestion as a partner file.

moto accepts a presigned form and stores the object, but does not evaluate the POST
policy; the policy document itself is therefore checked condition by condition (S3 is
what enforces it)."""

from __future__ import annotations

import base64
import json
import re
from datetime import date
from typing import Any

import pytest
import requests

from shared.admin.uploads import safe_file_name, upload_key
from shared.api import deps
from shared.aws.s3 import S3ObjectStore, S3UploadSigner
from shared.aws.ses import SesEmailSender
from shared.errors import InvalidInput
from shared.ingestion.service import ingest_object
from tests.api.conftest import ApiClient, ApiUser
from tests.conftest import LANDING_BUCKET

CSV = (
    "Date,Campaign,Strategy,Placement,Creative,Impressions,Clicks,Conversions,Conversion Revenue\n"
    "2026-01-05,Spring,Prospecting,news.example,Banner A,1000,10,1,25.00\n"
)


@pytest.fixture
def signer(s3: Any) -> Any:
    deps.use_upload_signer(S3UploadSigner(s3))
    yield s3
    deps.use_upload_signer(None)


def _policy(fields: dict[str, str]) -> dict[str, Any]:
    return json.loads(base64.b64decode(fields["policy"]))


def _post(upload: dict[str, Any], content: bytes, name: str = "file.csv") -> requests.Response:
    return requests.post(upload["url"], data=upload["fields"], files={"file": (name, content)}, timeout=10)


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("report.csv", "report.csv"),
        ("Report (final).CSV.GZ", "Report-final.csv.gz"),
        ("../../etc/passwd.csv", "passwd.csv"),
        ("C:\\Users\\me\\daily 2026-01-05.Csv", "daily-2026-01-05.csv"),
        ("ünïcode €.csv", "n-code.csv"),
        (".csv", "upload.csv"),
        ("x" * 300 + ".csv", "x" * 96 + ".csv"),
    ],
)
def test_file_names_are_reduced_to_a_safe_basename(given: str, safe: str) -> None:
    assert safe_file_name(given) == safe


@pytest.mark.parametrize("name", ["report.txt", "report.csv.zip", "report", "report.csv.gz.exe", "  "])
def test_only_csv_and_csv_gz_names_are_accepted(name: str) -> None:
    with pytest.raises(InvalidInput, match=r"\.csv or \.csv\.gz"):
        safe_file_name(name)


def test_keys_are_unique_and_dated_under_the_upload_prefixes() -> None:
    day = date(2026, 12, 1)
    assert upload_key("a.csv", client_slug=None, today=day, token="t") == "uploads/2026-12-01/t-a.csv"
    assert upload_key("a.csv", client_slug="acme", today=day, token="t") == "clients/acme/uploads/2026-12-01/t-a.csv"
    assert upload_key("a.csv", client_slug=None, today=day) != upload_key("a.csv", client_slug=None, today=day)


def test_the_policy_pins_bucket_key_type_and_size(
    api: ApiClient, admin_user: ApiUser, signer: Any, settings: Any
) -> None:
    response = api.post("/admin/uploads", token=admin_user.token, body={"file_name": "Daily Report.csv.gz"})
    assert response.status == 201, response.body
    upload = response.json()
    assert re.fullmatch(r"uploads/\d{4}-\d{2}-\d{2}/[0-9a-f]{32}-Daily-Report\.csv\.gz", upload["key"])
    assert upload["bucket"] == LANDING_BUCKET
    assert upload["max_bytes"] == settings.max_file_bytes
    assert upload["expires_in"] == 900
    assert upload["fields"]["key"] == upload["key"]
    assert upload["fields"]["Content-Type"] == "application/gzip"
    conditions = _policy(upload["fields"])["conditions"]
    assert {"bucket": LANDING_BUCKET} in conditions
    assert {"key": upload["key"]} in conditions  # exactly this key: no other name, no overwrite
    assert {"Content-Type": "application/gzip"} in conditions
    assert ["content-length-range", 1, settings.max_file_bytes] in conditions
    assert _policy(upload["fields"])["expiration"].endswith("Z")


def test_a_posted_file_lands_and_ingests_like_a_partner_file(
    api: ApiClient,
    admin_user: ApiUser,
    signer: Any,
    make_client: Any,
    owner_conn: Any,
    settings: Any,
    worker_db: Any,
    ses: Any,
) -> None:
    acme = make_client("Acme", "acme")
    owner_conn.execute(
        "INSERT INTO client_settings (client_id, cpm, effective_date) VALUES (%s, 4, '2026-01-01')", (acme["id"],)
    )
    # given a presigned upload under the client's prefix (the file has no advertiser column)
    upload = api.post(
        "/admin/uploads", token=admin_user.token, body={"file_name": "acme.csv", "client_slug": "acme"}
    ).json()
    assert upload["key"].startswith("clients/acme/uploads/")
    # when the browser posts the form
    posted = _post(upload, CSV.encode())
    # then the object is in the landing bucket with the pinned type
    assert int(posted.status_code) == 201, posted.text  # (moto hands the status back as a string)
    head = signer.head_object(Bucket=LANDING_BUCKET, Key=upload["key"])
    assert head["ContentLength"] == len(CSV.encode())
    assert head["ContentType"] == "text/csv"
    # and the S3-triggered ingestion loads it for that client
    result = ingest_object(
        LANDING_BUCKET, upload["key"], settings=settings, db=worker_db, store=S3ObjectStore(signer),
        sender=SesEmailSender(ses),
    )  # fmt: skip
    assert (result.status, result.records_loaded) == ("success", 1)
    runs = api.get(
        "/admin/ingestions", token=admin_user.token, query={"file_name": upload["key"].split("/")[-1]}
    ).json()
    assert [run["id"] for run in runs["items"]] == [str(result.run_id)]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"file_name": "notes.txt"}, 400),
        ({"file_name": "data.csv", "client_slug": "nobody"}, 400),
        ({"file_name": "data.csv", "client_slug": "Not A Slug"}, 400),
        ({"file_name": ""}, 400),
        ({"file_name": "data.csv", "bucket": "another-bucket"}, 400),
        ({"file_name": "data.csv", "key": "clients/acme/overwrite.csv"}, 400),
        ({}, 400),
    ],
)
def test_bad_upload_requests_are_refused(
    api: ApiClient, admin_user: ApiUser, signer: Any, body: dict[str, Any], status: int
) -> None:
    response = api.post("/admin/uploads", token=admin_user.token, body=body)
    assert response.status == status, response.body
    assert "url" not in response.json()


def test_client_users_cannot_upload(api: ApiClient, client_user: ApiUser, signer: Any) -> None:
    assert api.post("/admin/uploads", token=client_user.token, body={"file_name": "a.csv"}).status == 403
    assert api.post("/admin/uploads", body={"file_name": "a.csv"}).status == 401
