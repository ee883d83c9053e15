"""EventBridge Scheduler schedules, in the reporting timezone (daylight saving handled by AWS)."""

from __future__ import annotations

from aws_cdk import Duration, TimeZone
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import DeploySettings

# What each schedule runs: (function, expression factory). Cron fields are minute hour
# day-of-month month day-of-week year, evaluated in the reporting timezone.
WEEKLY_CRON = {"minute": "0", "hour": "5", "week_day": "MON"}  # cron(0 5 ? * MON *)
MONTHLY_CRON = {"minute": "0", "hour": "5", "day": "1"}  # cron(0 5 1 * ? *)
PARTNER_SYNC_RATE = Duration.hours(1)


class Schedules(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        functions: dict[str, lambda_.IFunction],
        dead_letter_queue: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        zone = TimeZone.of(settings.reporting_timezone)

        def cron(**fields: str) -> scheduler.ScheduleExpression:
            return scheduler.ScheduleExpression.cron(time_zone=zone, **fields)

        plan: dict[str, scheduler.ScheduleExpression] = {
            "weekly_summary": cron(**WEEKLY_CRON),
            "monthly_summary": cron(**MONTHLY_CRON),
            "missing_file_check": cron(minute="0", hour=str(settings.missing_file_check_hour)),
        }
        if "partner_sync" in functions:
            plan["partner_sync"] = scheduler.ScheduleExpression.rate(PARTNER_SYNC_RATE)

        self.schedules: dict[str, scheduler.Schedule] = {}
        for name, expression in plan.items():
            # `scheduled_time` is when the run was due (not when it started), so a delayed or
            # retried delivery still summarises the right period; `id` is the correlation id.
            payload = scheduler.ScheduleTargetInput.from_object(
                {
                    "source": "aws.scheduler",
                    "detail-type": "Scheduled Event",
                    "id": scheduler.ContextAttribute.execution_id,
                    "scheduled_time": scheduler.ContextAttribute.scheduled_time,
                    "detail": {},
                }
            )
            self.schedules[name] = scheduler.Schedule(
                self,
                name,
                description=f"{name} ({settings.reporting_timezone})",
                schedule=expression,
                target=targets.LambdaInvoke(
                    functions[name],
                    input=payload,
                    dead_letter_queue=dead_letter_queue,
                    retry_attempts=2,
                    max_event_age=Duration.hours(1),
                ),
            )
