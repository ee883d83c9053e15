"""The commands `make demo` prints, as one list: the banner prints it, the e2e test runs it.

Every command works verbatim from the repository root on a fresh machine: only `make`,
`curl` and what `make install` installs (no aws cli, no jq, no activated venv).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

REPORT_DAYS = 28  # the last 4 weeks: a whole-weekday period whose comparison has data too


@dataclass(frozen=True)
class PrintedCommand:
    text: str
    note: str = ""
    kind: str = "api"  # login | api | upload | invoke | psql: what a successful run looks like


def report_range(stack: dict[str, Any]) -> tuple[date, date] | None:
    """The last 28 days of the demo data (the previous 28, the comparison, are in it too)."""
    period = stack.get("demo_period")
    if not period:
        return None
    end = date.fromisoformat(period["to"])
    return end - timedelta(days=REPORT_DAYS - 1), end


def printed_commands(stack: dict[str, Any]) -> list[PrintedCommand]:
    """What to try, for the stack described by `stack` (the content of stack.json)."""
    api = stack["api_url"]
    auth = '-H "Authorization: Bearer $TOKEN"'
    commands = [
        PrintedCommand(
            "export TOKEN=$(make -s token)", "an admin access token (EMAIL=<client user> for theirs)", "login"
        ),
        PrintedCommand(f"curl -sf {api}/admin/clients {auth}"),
        PrintedCommand(f"curl -sf '{api}/admin/ingestions?limit=5' {auth}"),
    ]
    clients = stack.get("demo_clients") or {}
    span = report_range(stack)
    if clients and span is not None:
        client_id = next(iter(clients.values()))
        period = f"from={span[0]}&to={span[1]}"
        base = f"{api}/clients/{client_id}"
        commands += [
            PrintedCommand(f"curl -sf '{base}/overview?{period}' {auth}", "the last 28 days against the 28 before"),
            PrintedCommand(f"curl -sf '{base}/insights?{period}' {auth}"),
            PrintedCommand(f"curl -sf '{base}/campaigns?{period}&sort=spend&order=desc' {auth}"),
            PrintedCommand(f"curl -sf '{base}/summaries/weekly' {auth}"),
            PrintedCommand(
                f"curl -sf '{base}/report.pdf?{period}' -H 'Accept: application/pdf' {auth} -o report.pdf",
                "a deployed API Gateway needs the Accept header for the PDF",
            ),
        ]
    commands.append(PrintedCommand(f"curl -sf {api}/openapi.json -o openapi.json"))
    if stack.get("demo_period"):
        commands.append(
            PrintedCommand(
                "make upload",
                "a sample partner file (yesterday's Acme Outdoor rows): ingested like the S3 trigger; FILE=... for yours",
                "upload",
            )
        )
    commands += [
        PrintedCommand(
            "make invoke FN=weekly_summary",
            "a scheduled function now (or FN=monthly_summary, missing_file_check, partner_sync)",
            "invoke",
        ),
        PrintedCommand("make psql", "the database, as its owner", "psql"),
    ]
    return commands
