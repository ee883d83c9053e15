"""Smoke run of the concurrency benchmark (bench/concurrency.py) at a tiny size: it loads
every file in both phases, reads while loading, and its end-of-run check finds the stored
totals exact. Speed itself is only reported by `make bench`, never asserted here."""

from __future__ import annotations

import pytest

from bench import common, concurrency


def test_the_concurrency_benchmark_runs_and_finds_exact_totals(
    pg_admin_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BENCH_DATABASE_URL", pg_admin_url)
    common.admin_url.cache_clear()
    for name, value in {"CLIENTS": 3, "DAYS": 2, "CREATIVES": 12, "LOADERS": 3, "USERS": 3, "REQUESTS": 3}.items():
        monkeypatch.setattr(concurrency, name, value)
    try:
        result = concurrency.run()
    finally:
        common.admin_url.cache_clear()
    assert result["checks"]["ok"], result["checks"]
    assert result["checks"]["runs_by_status"] == {"success": 9}
    for phase in ("serial", "parallel"):
        assert result[phase]["files"] == 3 and result[phase]["reads"] == 9 and result[phase]["errors"] == 0
