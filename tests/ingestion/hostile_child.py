"""Child process of the hostile-file tests: ingest each case in this fresh process and report
what it cost.

`python -m tests.ingestion.hostile_child '<json>'` with `{"cases": [{"name", "generator",
"kwargs", "settings"}]}`; the database and bucket come from the environment (the test's
settings). S3 and SES are moto, in this process. After a warm-up load of a clean file (so
imports, the connection and the first load's caches count in the baseline), each case:
the object is uploaded, the peak RSS reset (`/proc/self/clear_refs`), `ingest_object` run,
then the peak (VmHWM) and the resident set after a collection (VmRSS) read. Prints one
JSON line: per case its result, memory figures and the sizes of the alert emails it sent.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

WARM_UP = (
    b"date,advertiser,campaign,strategy,placement,creative,impressions,clicks,conversions,conversion_revenue\n"
    + b"".join(b"2026-03-05,Acme Outdoor,C,S,P,Creative %d,1000,10,1,2.50\n" % i for i in range(200))
)


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM := VmRSS


def main(spec: dict[str, Any]) -> list[dict[str, Any]]:
    import boto3
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    import bench.hostile
    from shared.aws.s3 import S3ObjectStore
    from shared.aws.ses import SesEmailSender
    from shared.db import Database
    from shared.ingestion.service import ingest_object
    from shared.settings import Settings

    base = Settings.from_env()
    bucket = base.landing_bucket or "test-landing-bucket"
    reports = []
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=bucket)
        ses = boto3.client("ses", region_name="us-east-1")
        ses.verify_email_identity(EmailAddress=base.alert_sender or "alerts@example.com")
        store, sender = S3ObjectStore(client=s3), SesEmailSender(client=ses)
        db = Database.from_settings(base)
        outbox = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
        s3.put_object(Bucket=bucket, Key="partner/warm-up.csv", Body=WARM_UP)
        warm = ingest_object(bucket, "partner/warm-up.csv", settings=base, db=db, store=store, sender=sender)
        assert warm.status == "success", warm.message
        for case in spec["cases"]:
            settings = base.model_copy(update=case.get("settings", {}))
            key = f"partner/{case['name']}.csv.gz"
            data = getattr(bench.hostile, case["generator"])(**case.get("kwargs", {}))
            s3.put_object(Bucket=bucket, Key=key, Body=data)
            stored = len(data)
            del data
            sent_before = len(outbox)
            gc.collect()
            _reset_peak()
            baseline = _status_mb("VmRSS")
            result = ingest_object(bucket, key, settings=settings, db=db, store=store, sender=sender)
            peak = _status_mb("VmHWM")
            gc.collect()
            reports.append(
                {
                    "name": case["name"],
                    "status": result.status,
                    "message": result.message,
                    "stored_bytes": stored,
                    "baseline_mb": round(baseline, 1),
                    "peak_mb": round(peak, 1),
                    "after_mb": round(_status_mb("VmRSS"), 1),
                    "email_chars": [len(str(m.body)) + len(str(m.subject)) for m in outbox[sent_before:]],
                }
            )
            s3.delete_object(Bucket=bucket, Key=key)
    db.close()
    return reports


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
