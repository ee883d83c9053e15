"""Hostile files (SPEC §3 "Hostile files", issue 14): peak RSS of the ingestion that refuses them.

The files of the issue, generated in a second as concatenated gzip members (a gzip stream
may hold several; every reader decompresses them as one file):

- `wide_header`: a 1000-column header of 1 MiB names (≈ 1 GiB expanded, ≈ 1 MB gzip);
  once drove the process to 2.6 GB.
- `long_line`: a valid header, then one 2 GiB line (≈ 2 MB gzip); once 1.1 GB.
- `tiny_lines`: a valid header, then 2M blank lines (a few KB); once 4.5 s of work, and a
  1 GiB one would outlast the function.
- `unterminated_quote`: a quote that never closes, then 200 MB of lines (one endless field).

Each runs in a fresh child process exactly as the Lambda does (`ingest_object`, S3 read in
an emulated S3 in another process, the database as dash_worker, default settings except
where a case says), beside the reference: the same child ingesting a clean 1M-row file (the
`ingestion` benchmark's), whose peak RSS is the footprint a real partner costs. Reported:
each child's peak RSS (VmHWM), its RSS before, and the ratio to the 1M-row file's peak.

BENCH_QUICK=1 uses a 100k-row reference file.
"""

from __future__ import annotations

import gzip
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import fresh_database, print_table, role_url

TARGET_RSS_MB = 300.0
HEADER = b"date,advertiser,campaign,strategy,placement,creative,impressions,clicks,conversions,conversion_revenue\n"
MIB = 1 << 20


def _members(chunk: bytes, times: int) -> bytes:
    """`chunk` repeated `times` times, as that many identical gzip members."""
    return gzip.compress(chunk, compresslevel=9, mtime=0) * times


def wide_header(columns: int = 1000, column_chars: int = MIB) -> bytes:
    """A header of `columns` names of `column_chars` characters each, then one data row."""
    name = gzip.compress(b"x" * column_chars, compresslevel=9, mtime=0)
    comma = gzip.compress(b",", mtime=0)
    return (name + comma) * (columns - 1) + name + gzip.compress(b"\n2026-03-01\n", mtime=0)


def long_line(line_chars: int = 2 * 1024 * MIB) -> bytes:
    """A valid header, then one line of `line_chars` characters (a whole MiB multiple)."""
    return gzip.compress(HEADER, mtime=0) + _members(b"a" * MIB, line_chars // MIB) + gzip.compress(b"\n", mtime=0)


def tiny_lines(lines: int = 2_000_000) -> bytes:
    """A valid header, then `lines` blank lines."""
    return gzip.compress(HEADER + b"\n" * lines, compresslevel=9, mtime=0)


def unterminated_quote(lines: int = 200_000) -> bytes:
    """A row opening a quote that never closes, then lines of text (one endless field)."""
    row = b'2026-03-01,Acme Outdoor,C,S,P,"' + b"z" * 1000 + b"\n"
    return gzip.compress(HEADER, mtime=0) + gzip.compress(row, mtime=0) + _members(b"y" * 1023 + b"\n", lines)


def many_columns(columns: int = 5000) -> bytes:
    """A short header of `columns` one-letter names."""
    return gzip.compress(b",".join(b"c%d" % i for i in range(columns)) + b"\n", mtime=0)


def endless_record(lines: int = 1_000_000) -> bytes:
    """A valid header, then one record of quoted fields that each span a line break: every
    physical line is short, the record never ends."""
    return (
        gzip.compress(HEADER + b'"a', mtime=0)
        + _members(b'\n","a' * 1000, lines // 1000)
        + gzip.compress(b'"\n', mtime=0)
    )


HOSTILE: dict[str, Callable[[], bytes]] = {
    "wide_header": wide_header,
    "long_line": long_line,
    "tiny_lines": tiny_lines,
    "unterminated_quote": unterminated_quote,
}


def run() -> dict[str, Any]:
    import boto3

    from bench.ingestion import BUCKET, _arrange_clients, _run_child, _start_moto, generate_file

    reference_rows = 100_000 if os.environ.get("BENCH_QUICK") else 1_000_000
    server, endpoint = _start_moto()
    rows_out: list[dict[str, Any]] = []
    results: dict[str, Any] = {}
    try:
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",  # noqa: S106 - the emulator's dummy credentials
        )
        s3.create_bucket(Bucket=BUCKET)
        url = fresh_database("dash_bench_hostile")
        with tempfile.TemporaryDirectory(prefix="dash-bench-hostile-") as tmp:
            path = Path(tmp) / "reference.csv"
            shape = generate_file(path, reference_rows)
            _arrange_clients(url, shape["clients"], shape["first"], shape["last"])
            s3.upload_file(str(path), BUCKET, "partner/reference.csv")
            file_mb = path.stat().st_size / 1e6
        reference = _run_child(role_url(url, "dash_worker"), endpoint, "partner/reference.csv")
        if reference["status"] != "success":
            raise RuntimeError(f"the reference file did not load: {reference}")
        rows_out.append(_entry(f"{reference_rows:,}-row file (reference)", file_mb, reference, reference))
        for name, generate in HOSTILE.items():
            started = time.perf_counter()
            data = generate()
            generated_s = time.perf_counter() - started
            key = f"partner/hostile_{name}.csv.gz"
            s3.put_object(Bucket=BUCKET, Key=key, Body=data)
            measured = _run_child(role_url(url, "dash_worker"), endpoint, key)
            if measured["status"] != "failed":
                raise RuntimeError(f"the hostile file {name} was not refused: {measured}")
            entry = _entry(name, len(data) / 1e6, measured, reference)
            entry["generated_s"] = round(generated_s, 1)
            rows_out.append(entry)
            print(f"  {name}: {entry}", flush=True)
    finally:
        server.terminate()
        server.wait()
    for entry in rows_out:
        results[entry["file"]] = entry
    print_table("hostile files: peak RSS of the ingestion that refuses them, vs a clean file", rows_out)
    checks = {f"{e['file']}_rss_ok": e["peak_rss_mb"] < TARGET_RSS_MB for e in rows_out if "reference" not in e["file"]}
    results["targets"] = {"peak_rss_mb_max": TARGET_RSS_MB, **checks}
    print(f"  targets: {results['targets']}")
    return results


def _entry(name: str, file_mb: float, measured: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    return {
        "file": name,
        "stored_mb": round(file_mb, 1),
        "seconds": round(measured["seconds"], 2),
        "peak_rss_mb": measured["peak_rss_mb"],
        "baseline_rss_mb": measured["baseline_rss_mb"],
        "peak_vs_reference": round(measured["peak_rss_mb"] / reference["peak_rss_mb"], 2),
        "message": measured["message"][:120],
    }
