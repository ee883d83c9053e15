"""The web benchmark (SPEC §11): the client dashboard in the real browser on the demo data.

Starts the local stack (`local.demo`, demo data, free ports, its own state dir), builds
web/dist first when it is missing, then runs `web/scripts/bench.mjs` in Playwright + the
system Chromium, which measures, each as a median of BENCH_WEB_REPEAT runs (default 7):
- navigation (full load, session restored from the refresh cookie) to the KPI values on
  screen, against the API calls that screen waits for (refresh, clients, overview) alone,
  from the same browser in the same run;
- a drill-down click to the new level's rows, against the strategies call alone;
- the gzipped JavaScript the first screen loads (with and without the lazy chart chunk).
Targets: KPIs within 1 s, drill-down within 300 ms, JS under 250 KB gzipped.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import print_table

REPO = Path(__file__).resolve().parent.parent
WEB = REPO / "web"


def _start_stack(state: Path) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    env = {**os.environ, "LOCAL_STATE_DIR": str(state), "API_PORT": "0", "WEB_PORT": "0", "S3_PORT": "0"}
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.Popen(
        [sys.executable, "-m", "local.demo"], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    stack_file = state / "stack.json"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"local.demo exited with {proc.returncode}")
        if stack_file.exists():
            try:
                stack = json.loads(stack_file.read_text())
            except ValueError:
                stack = {}
            if stack.get("web_url") and stack.get("demo_users"):
                return proc, stack
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("local.demo did not publish web_url and demo users within 300 s")


def run() -> dict[str, Any]:
    if not (WEB / "dist" / "index.html").exists():
        subprocess.run(["make", "web"], cwd=REPO, check=True)
    with tempfile.TemporaryDirectory(prefix="web-bench-") as tmp:
        proc, stack = _start_stack(Path(tmp))
        try:
            out = subprocess.run(
                ["node", str(WEB / "scripts" / "bench.mjs")],
                cwd=WEB,
                env={**os.environ, "STACK_JSON": json.dumps(stack)},
                check=True,
                capture_output=True,
                text=True,
                timeout=600,
            )
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    nav, nav_api = result["navigation_to_kpis_ms"], result["navigation_api_alone_ms"]
    drill, drill_api = result["drilldown_click_to_rows_ms"], result["drilldown_api_alone_ms"]
    js_kb = result["first_screen_js_gzip_bytes"] / 1024
    js_kb_lean = result["first_screen_js_gzip_without_chart_bytes"] / 1024
    result["navigation_ratio"] = round(nav / max(nav_api, 1), 2)
    result["drilldown_ratio"] = round(drill / max(drill_api, 1), 2)
    print_table(
        f"web (median of {result['repeat']}, Chromium, demo data)",
        [
            {
                "measure": "navigation -> KPI cards",
                "browser": f"{nav} ms",
                "API calls alone": f"{nav_api} ms",
                "ratio": result["navigation_ratio"],
                "target": "< 1000 ms",
            },
            {
                "measure": "drill-down click -> rows",
                "browser": f"{drill} ms",
                "API calls alone": f"{drill_api} ms",
                "ratio": result["drilldown_ratio"],
                "target": "< 300 ms",
            },
            {
                "measure": "first screen JS (gzip)",
                "browser": f"{js_kb:.1f} KiB ({result['first_screen_js_gzip_bytes'] / 1000:.1f} kB)",
                "API calls alone": f"{js_kb_lean:.1f} KiB before the chart chunk",
                "ratio": "",
                "target": "< 250 KB",
            },
        ],
    )
    return result
