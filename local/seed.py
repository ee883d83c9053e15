"""Loads the demo data the way an agency would: through the real admin API and the bucket.

Clients, advertiser names, rate cards and a client user are created with admin API calls;
the generated partner files are uploaded to the landing bucket (the notifier ingests them);
then the weekly and monthly summaries of the period are generated with the backfill route.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from local.api_client import ApiClient, ApiError
from local.datagen import DemoData


@dataclass
class SeedReport:
    clients: dict[str, str] = field(default_factory=dict)  # slug -> client id
    users: list[dict[str, str]] = field(default_factory=list)  # client users: email, password, client
    files: int = 0
    weekly: int = 0
    monthly: int = 0
    problems: list[str] = field(default_factory=list)


def _weeks(start: date, end: date) -> list[date]:
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    weeks = []
    while monday + timedelta(days=6) <= end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _months(start: date, end: date) -> list[date]:
    months = []
    first = start.replace(day=1)
    while True:
        following = (first + timedelta(days=32)).replace(day=1)
        if following - timedelta(days=1) > end:
            break
        months.append(first)
        first = following
    return months


DEMO_BUY_COST_SHARE = Decimal("0.72")  # the demo's buy CPM: 72% of the sell CPM (a 28% margin)
DEMO_TARGET_ROAS = Decimal("3")


def create_clients(api: ApiClient, data: DemoData, report: SeedReport, say: Callable[[str], None]) -> None:
    for client in data.clients:
        try:
            created = api.post("/admin/clients", {"name": client.name, "slug": client.slug})
            client_id = str(created["id"])
            report.clients[client.slug] = client_id
            api.put(f"/admin/clients/{client_id}/advertisers", {"advertisers": list(client.advertisers)})
            for effective, cpm in client.rates:
                api.post(
                    f"/admin/clients/{client_id}/cpm",
                    {"cpm": str(cpm), "effective_date": effective.isoformat(), "preview": False},
                )
            # The margin ledger (admin only): the partner charges the agency a share of each
            # rate from the same date, and the client has a target ROAS (break-even CPM).
            for effective, cpm in client.rates:
                api.post(
                    f"/admin/clients/{client_id}/buy-cost",
                    {
                        "cpm": str((cpm * DEMO_BUY_COST_SHARE).quantize(Decimal("0.0001"))),
                        "effective_date": effective.isoformat(),
                    },
                )
            api.put(f"/admin/clients/{client_id}/target-roas", {"target_roas": str(DEMO_TARGET_ROAS)})
            if client.monthly_budget is not None:
                api.request("PATCH", f"/admin/clients/{client_id}", {"monthly_budget": str(client.monthly_budget)})
            email = f"viewer@{client.slug}.example.com"
            password = secrets.token_urlsafe(12)
            api.post("/admin/users", {"email": email, "role": "client", "client_id": client_id, "password": password})
            report.users.append({"email": email, "password": password, "client": client.name})
            rates = ", ".join(f"${cpm} from {effective}" for effective, cpm in client.rates)
            budget = f"; monthly budget ${client.monthly_budget:,}" if client.monthly_budget is not None else ""
            say(
                f"  client {client.name} ({client.slug}): advertisers {', '.join(client.advertisers)}; CPM {rates}{budget}"
            )
        except (ApiError, KeyError) as exc:
            report.problems.append(f"creating {client.slug}: {exc}")
            say(f"  ! could not create {client.slug}: {exc}")


def upload_files(s3: Any, bucket: str, data: DemoData, report: SeedReport) -> None:
    for partner_file in data.files:
        s3.put_object(Bucket=bucket, Key=partner_file.key, Body=partner_file.body, ContentType="text/csv")
        report.files += 1


def generate_summaries(api: ApiClient, data: DemoData, report: SeedReport, say: Callable[[str], None]) -> None:
    for kind, periods in (("weekly", _weeks(data.start, data.end)), ("monthly", _months(data.start, data.end))):
        for period_start in periods:
            try:
                api.post("/admin/summaries", {"kind": kind, "period_start": period_start.isoformat()})
            except ApiError as exc:
                report.problems.append(f"{kind} summary {period_start}: {exc}")
                say(f"  ! {kind} summary {period_start}: {exc}")
                continue
            if kind == "weekly":
                report.weekly += 1
            else:
                report.monthly += 1
