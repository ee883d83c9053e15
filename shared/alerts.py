"""Alert emails to the agency admin.

An alert that cannot be sent is logged and counted (metric `AlertSendFailed`) and never
raises: it must not hide or change the outcome it was reporting. Given a journal, every
attempt (sent or failed) is also recorded for the admin's alert log; a journal that fails
is logged and ignored for the same reason.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from uuid import UUID

from aws_lambda_powertools.metrics import MetricUnit

from shared.observability import logger, metrics
from shared.ports import AlertJournal, AlertRecord, EmailSender
from shared.settings import Settings

SUBJECT_PREFIX = "[Paid Media Dashboard]"


@dataclass(frozen=True)
class Alert:
    """One alert: a kind (for metrics and dedupe), a subject, a summary and detail lines."""

    kind: str
    subject: str
    summary: str
    details: list[tuple[str, str]] = field(default_factory=list)  # label, value
    lines: list[str] = field(default_factory=list)  # e.g. rejected rows
    # A heading with its own items (the digest: a client's headline and its insights).
    groups: list[tuple[str, list[str]]] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)  # "What to do": the exact fix, then how to re-run
    run_id: UUID | None = None  # the ingestion run it concerns (else read from a "Run" detail)
    client_id: UUID | None = None  # the client it concerns, when there is one

    def concerns_run(self) -> UUID | None:
        """The ingestion run this alert is about, if any."""
        if self.run_id is not None:
            return self.run_id
        for label, value in self.details:
            if label == "Run":
                try:
                    return UUID(value)
                except ValueError:
                    return None
        return None

    def text(self) -> str:
        parts = [self.summary, ""]
        parts += [f"{label}: {value}" for label, value in self.details]
        if self.lines:
            parts += ["", *self.lines]
        for heading, items in self.groups:
            parts += ["", heading, *(f"  - {item}" for item in items)]
        if self.todo:
            parts += ["", "What to do:", *(f"{number}. {step}" for number, step in enumerate(self.todo, 1))]
        return "\n".join(parts).rstrip() + "\n"

    def html(self) -> str:
        rows = "".join(
            f"<tr><th align='left'>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
            for label, value in self.details
        )
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.lines)
        items += "".join(
            f"<li>{html.escape(heading)}"
            + ("<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in group) + "</ul>" if group else "")
            + "</li>"
            for heading, group in self.groups
        )
        return (
            f"<html><body><p>{html.escape(self.summary)}</p>"
            + (f"<table>{rows}</table>" if rows else "")
            + (f"<ul>{items}</ul>" if items else "")
            + (
                "<h3>What to do</h3><ol>" + "".join(f"<li>{html.escape(step)}</li>" for step in self.todo) + "</ol>"
                if self.todo
                else ""
            )
            + "</body></html>"
        )


def send_alert(alert: Alert, *, settings: Settings, sender: EmailSender, journal: AlertJournal | None = None) -> bool:
    """Email `alert` to the admin recipients; return whether it was sent.

    With a `journal`, the attempt is recorded (subject, kind, recipients, sent/failed, run)."""
    sent = _deliver(alert, settings=settings, sender=sender)
    if journal is not None:
        _record(alert, sent=sent, settings=settings, journal=journal)
    return sent


def _record(alert: Alert, *, sent: bool, settings: Settings, journal: AlertJournal) -> None:
    configured = bool(settings.alert_sender and settings.alert_recipients)
    try:
        journal.record(
            AlertRecord(
                kind=alert.kind,
                subject=alert.subject[:500],
                status="sent" if sent else "failed",
                recipients_count=len(settings.alert_recipients) if configured else 0,
                error=None
                if sent
                else ("send failed (see logs)" if configured else "no sender or recipients configured"),
                run_id=alert.concerns_run(),
                client_id=alert.client_id,
            )
        )
    except Exception:  # noqa: BLE001 - the alert log must never change the outcome either
        logger.exception("alert not recorded", alert_kind=alert.kind)
        metrics.add_metric(name="AlertRecordFailed", unit=MetricUnit.Count, value=1)


def _deliver(alert: Alert, *, settings: Settings, sender: EmailSender) -> bool:
    if not settings.alert_sender or not settings.alert_recipients:
        logger.warning("alert not sent: no sender or recipients configured", alert_kind=alert.kind)
        metrics.add_metric(name="AlertSendFailed", unit=MetricUnit.Count, value=1)
        return False
    try:
        sender.send(
            sender=settings.alert_sender,
            recipients=settings.alert_recipients,
            subject=f"{SUBJECT_PREFIX} {alert.subject}",
            text=alert.text(),
            html=alert.html(),
        )
    except Exception:  # noqa: BLE001 - any failure to send is logged, counted and swallowed
        logger.exception("alert send failed", alert_kind=alert.kind)
        metrics.add_metric(name="AlertSendFailed", unit=MetricUnit.Count, value=1)
        return False
    logger.info("alert sent", alert_kind=alert.kind)
    metrics.add_metric(name="AlertSent", unit=MetricUnit.Count, value=1)
    return True
