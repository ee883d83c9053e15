"""`make bench`: run every benchmark module and print its results.

Each module in BENCHMARKS exposes `run() -> dict` and prints its own table; the combined
results are written to bench/out/results.json. `BENCH_ONLY=api,summaries` selects modules (`web`: the dashboard in Chromium;
`hostile`: peak RSS of refusing the hostile files beside a clean 1M-row file).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "PaidMediaDashboardBench")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

BENCHMARKS = ("ingestion", "hostile", "api", "summaries", "concurrency", "web", "pacing")
OUT = Path(__file__).parent / "out"


def main() -> int:
    selected = [n.strip() for n in os.environ.get("BENCH_ONLY", ",".join(BENCHMARKS)).split(",") if n.strip()]
    unknown = set(selected) - set(BENCHMARKS)
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}")
        return 2
    results: dict[str, Any] = {}
    failed = False
    for name in selected:
        print(f"\n#### benchmark: {name}", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        try:
            results[name] = module.run()
        except Exception as exc:  # noqa: BLE001 - report and continue with the others
            failed = True
            results[name] = {"error": repr(exc)}
            print(f"benchmark {name} failed: {exc!r}", file=sys.stderr)
        print(f"#### {name} finished in {time.perf_counter() - started:.0f}s", flush=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nresults written to {OUT / 'results.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
