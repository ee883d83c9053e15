"""The daily missing-file check: alert once per active client with no data for yesterday,
fail (with one alert) ingestion runs that were interrupted and left `running`, and alert
once per client per day on a low 7-day margin (`shared.admin.margin.check_margins`).

"Yesterday" is the previous day in the reporting timezone. A client counts as covered when
`daily_metrics` holds rows for it on that day: that is what a successful or partial load of
the day leaves behind, whichever file delivered it (a multi-day file, a restatement, an
admin retry). Each (client, day) alert is claimed in `alert_log` before it is sent, so a
re-run never repeats a sent alert; one whose email failed is retried by the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from aws_lambda_powertools.metrics import MetricUnit

from shared.admin.margin import check_margins
from shared.alert_journal import ConnectionAlertJournal, DatabaseAlertJournal
from shared.alerts import Alert, send_alert
from shared.db import QUERIES, Database, Tenant
from shared.ingestion import remedies
from shared.numbers import human
from shared.observability import logger, metrics
from shared.ports import EmailSender
from shared.settings import Settings

ALERT_KIND = "missing_file"
INTERRUPTED_KIND = "ingestion_interrupted"
# Longer than any invocation can last (Lambda's maximum is 15 minutes).
INTERRUPTED_AFTER_SECONDS = 30 * 60


@dataclass
class MissingFileReport:
    """What one check found and did."""

    day: date
    missing: list[UUID] = field(default_factory=list)
    alerted: list[UUID] = field(default_factory=list)
    already_alerted: list[UUID] = field(default_factory=list)
    interrupted_runs: list[UUID] = field(default_factory=list)
    margin_alerts: list[UUID] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "interrupted_runs": [str(r) for r in self.interrupted_runs],
            "day": self.day.isoformat(),
            "missing": [str(c) for c in self.missing],
            "alerted": [str(c) for c in self.alerted],
            "already_alerted": [str(c) for c in self.already_alerted],
            "margin_alerts": [str(c) for c in self.margin_alerts],
        }


def reporting_yesterday(settings: Settings, now: datetime | None = None) -> date:
    """The previous day in the reporting timezone."""
    current = now or datetime.now(settings.timezone)
    return current.astimezone(settings.timezone).date() - timedelta(days=1)


def check_missing_files(
    *, settings: Settings, db: Database, sender: EmailSender, now: datetime | None = None
) -> MissingFileReport:
    """Alert (once per client per day) for every active client with no data yesterday."""
    day = reporting_yesterday(settings, now)
    report = MissingFileReport(day=day)
    report.interrupted_runs = fail_interrupted_runs(settings=settings, db=db, sender=sender)
    with db.transaction(tenant=Tenant.every_client()) as conn:
        candidates = conn.execute(QUERIES["missing_file_candidates"], {"day": day}).fetchall()
    for client in candidates:
        client_id: UUID = client["client_id"]
        report.missing.append(client_id)
        subject = f"Missing daily file: {client['name']} has no data for {human.weekday(day)}"
        # Claim, send and record in one transaction: a concurrent run waits on the claim and
        # then finds it sent.
        with db.transaction(tenant=Tenant.every_client()) as conn:
            claim = conn.execute(
                QUERIES["missing_file_claim_alert"],
                {
                    "kind": ALERT_KIND,
                    "dedupe_key": f"{client_id}:{day.isoformat()}",
                    "client_id": client_id,
                    "subject": subject,
                },
            ).fetchone()
            if claim is None:
                report.already_alerted.append(client_id)
                continue
            sent = send_alert(
                Alert(
                    kind=ALERT_KIND,
                    subject=subject,
                    summary=f"No partner data was loaded for {client['name']} for {human.weekday(day)}.",
                    details=[
                        ("Client", f"{client['name']} ({client['slug']})"),
                        ("Day", f"{human.weekday(day)} ({day.isoformat()})"),
                    ],
                    todo=remedies.for_missing_file(client["name"], client["slug"], day.isoformat()),
                    client_id=client_id,
                ),
                settings=settings,
                sender=sender,
                journal=ConnectionAlertJournal(conn),
            )
            conn.execute(QUERIES["missing_file_mark_sent"], {"id": claim["id"], "sent": sent})
        report.alerted.append(client_id)
        metrics.add_metric(name="MissingFileAlerts", unit=MetricUnit.Count, value=1)
    # The same daily pass checks margins (SPEC §12): the 7 days to yesterday, once per client per day.
    report.margin_alerts = check_margins(settings=settings, db=db, sender=sender, day=day)
    logger.info(
        "missing file check done",
        day=day.isoformat(),
        missing=len(report.missing),
        alerted=len(report.alerted),
        already_alerted=len(report.already_alerted),
    )
    return report


def fail_interrupted_runs(*, settings: Settings, db: Database, sender: EmailSender) -> list[UUID]:
    """Mark runs left `running` by a killed or timed-out load as failed; one alert lists them."""
    with db.transaction(tenant=Tenant.every_client()) as conn:
        runs = conn.execute(
            QUERIES["ingest_fail_interrupted_runs"], {"older_than_seconds": INTERRUPTED_AFTER_SECONDS}
        ).fetchall()
        for run in runs:  # each run's page gives the steps the alert gives for it
            conn.execute(
                QUERIES["ingest_set_what_to_do"],
                {"run_id": run["id"], "what_to_do": remedies.for_interrupted([run["id"]])},
            )
    if runs:
        send_alert(
            Alert(
                kind=INTERRUPTED_KIND,
                subject=f"Ingestion interrupted: {human.count_of(len(runs), 'file')} not loaded",
                summary="These loads did not finish (timeout or crash); nothing from them was stored. "
                "Retry them from the admin portal.",
                lines=[
                    f"{run['file_name']} (run {run['id']}, started {run['started_at']:%Y-%m-%d %H:%M} UTC)"
                    for run in runs
                ],
                todo=remedies.for_interrupted([run["id"] for run in runs]),
            ),
            settings=settings,
            sender=sender,
            journal=DatabaseAlertJournal(db),
        )
        metrics.add_metric(name="IngestionRunsInterrupted", unit=MetricUnit.Count, value=len(runs))
        logger.warning("interrupted ingestion runs failed", runs=[str(run["id"]) for run in runs])
    return [run["id"] for run in runs]
