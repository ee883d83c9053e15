"""Upload a partner file to the running local stack's landing bucket and wait for its run.

    make upload                         # a sample: yesterday's Acme Outdoor file, restated
    make upload FILE=path/to/file.csv   # any file (key partner/manual/<file name>)

Uses boto3 against the emulated S3 (nothing else to install); the stack's S3 notification
emulation ingests the object like the real trigger. Prints the ingestion run and exits 0
only when it is `success`. The sample is yesterday's Acme Outdoor delivery of the demo data
restated with one late conversion (the partner's usual restatement): it replaces that day
and moves the dashboard's conversions by one.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from local.api_client import ApiClient, ApiError
from local.stackfile import NoStack, read_stack, state_dir

SAMPLE_CLIENT = "acme-outdoor"
WAIT_SECONDS = 90.0


def sample_file(end: date, *, now: datetime | None = None) -> tuple[str, bytes]:
    """(key, body) of the sample: the demo's last Acme Outdoor file restated with late conversions.

    The partner's typical restatement: the same rows, plus one late conversion (and its
    revenue) on the row with the most clicks. The revenue added depends on the time of day, so
    every run restates the day again (a `success`, never a `duplicate` of the previous run).
    """
    from local.datagen import generate

    now = now or datetime.now()
    data = generate(end=end)
    day = end.strftime("%Y%m%d")
    (original,) = [f for f in data.files if f.client_slug == SAMPLE_CLIENT and f.key.endswith(f"_{day}.csv")]
    header, *rows = list(csv.reader(io.StringIO(original.body.decode("utf-8"))))
    clicks, conversions, revenue = (header.index(name) for name in ("clicks", "conversions", "conversion_revenue"))
    busiest = max(rows, key=lambda row: int(row[clicks]))
    busiest[conversions] = str(int(busiest[conversions]) + 1)
    late_revenue = Decimal(40 + now.second) + Decimal(now.minute) / 100
    busiest[revenue] = str(Decimal(busiest[revenue]) + late_revenue)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    stamp = now.strftime("%H%M%S")
    return f"partner/manual/{SAMPLE_CLIENT}_{day}_restated-{stamp}.csv", out.getvalue().encode("utf-8")


def wait_for_run(stack: dict[str, Any], key: str, *, timeout: float = WAIT_SECONDS) -> dict[str, Any] | None:
    api = ApiClient(stack["api_url"])
    api.login(stack["admin_email"], stack["admin_password"])
    file_name = f"{stack['bucket']}/{key}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = api.get("/admin/ingestions?limit=50")["items"]
        run = next((r for r in runs if r["file_name"] == file_name and r["status"] != "running"), None)
        if run is not None:
            return dict(run)
        time.sleep(0.5)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", type=Path, help="the CSV (.csv or .csv.gz) to upload; default: the sample")
    parser.add_argument("--key", help="object key (default partner/manual/<file name>)")
    args = parser.parse_args(argv)
    try:
        stack = read_stack()
    except NoStack as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.file is None:
        period = stack.get("demo_period")
        if not period:
            print(
                "no demo data in this stack (DEMO_DATA=none): pass a file, e.g. make upload FILE=my.csv",
                file=sys.stderr,
            )
            return 2
        key, body = sample_file(date.fromisoformat(period["to"]))
        saved = state_dir() / "sample-upload.csv"
        saved.write_bytes(body)
        print(f"sample: {saved} (yesterday's Acme Outdoor file, restated with one late conversion)")
    else:
        if not args.file.is_file():
            print(f"{args.file}: no such file", file=sys.stderr)
            return 2
        body = args.file.read_bytes()
        key = args.key or f"partner/manual/{args.file.name}"
    key = args.key or key

    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=stack["s3_endpoint"],
        region_name=stack["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto accepts anything
    )
    s3.put_object(Bucket=stack["bucket"], Key=key, Body=body, ContentType="text/csv")
    print(f"uploaded s3://{stack['bucket']}/{key} ({len(body)} bytes); waiting for the ingestion run...")
    try:
        run = wait_for_run(stack, key)
    except (ApiError, OSError) as exc:
        print(f"cannot read the ingestion runs: {exc}", file=sys.stderr)
        return 1
    if run is None:
        print(
            f"no finished ingestion run for {key} after {WAIT_SECONDS:.0f} s (see the make demo console)",
            file=sys.stderr,
        )
        return 1
    print(
        f"run {run['id']}: {run['status']}, {run['records_loaded']} rows loaded, {run['records_failed']} rejected"
        + (f" - {run['message']}" if run.get("message") else "")
    )
    return 0 if run["status"] == "success" else 1


if __name__ == "__main__":
    raise SystemExit(main())
