"""Alarms to an SNS topic that emails the admin recipients."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import DeploySettings
from infra.constants import METRICS_NAMESPACE
from infra.functions import FUNCTION_SPECS

# Business metrics emitted by the functions (Powertools EMF; dimension `service` = function).
FAILED_INGESTIONS_METRIC = "IngestionRunsFailed"
ALERTS_FAILED_METRIC = "AlertSendFailed"  # shared/alerts.py
FIVE_MINUTES = Duration.minutes(5)


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        functions: dict[str, lambda_.Function],
        queues: dict[str, sqs.IQueue],
        rest_api: apigw.RestApi,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "AlarmTopic", display_name="Paid media dashboard alarms", enforce_ssl=True)
        for recipient in settings.alert_recipients:
            self.topic.add_subscription(subscriptions.EmailSubscription(recipient))
        action = actions.SnsAction(self.topic)
        self.alarms: dict[str, cloudwatch.Alarm] = {}

        def alarm(name: str, metric: cloudwatch.IMetric, description: str, threshold: float = 1) -> None:
            created = cloudwatch.Alarm(
                self,
                name,
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=description,
            )
            created.add_alarm_action(action)
            self.alarms[name] = created

        alarm(
            "FailedIngestions",
            cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name=FAILED_INGESTIONS_METRIC,
                dimensions_map={"service": "ingest"},
                statistic="Sum",
                period=FIVE_MINUTES,
            ),
            "A partner file failed to ingest (see the alert email and /admin/ingestions).",
        )
        for queue_name, queue in queues.items():
            alarm(
                f"{queue_name}Depth",
                queue.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum"),
                f"Events are waiting in the {queue_name} dead-letter queue (processing failed after retries).",
            )
        alarm(
            "Api5xx",
            rest_api.metric_server_error(period=FIVE_MINUTES, statistic="Sum"),
            "The API answered with 5xx errors.",
            threshold=5,
        )
        # An alert email that could not be sent (SES sandbox, unverified sender): this SNS
        # email is then the only way the admin hears about it.
        senders = [name for name in functions if FUNCTION_SPECS[name].sends_email]
        if senders:
            alarm(
                "AlertEmailsFailed",
                cloudwatch.MathExpression(
                    expression="SUM([" + ",".join(f"m{i}" for i in range(len(senders))) + "])",
                    using_metrics={
                        f"m{i}": cloudwatch.Metric(
                            namespace=METRICS_NAMESPACE,
                            metric_name=ALERTS_FAILED_METRIC,
                            dimensions_map={"service": name},
                            statistic="Sum",
                            period=FIVE_MINUTES,
                        )
                        for i, name in enumerate(senders)
                    },
                    period=FIVE_MINUTES,
                    label="alert emails not sent",
                ),
                "An alert email could not be sent through SES (check the sender verification and the sandbox).",
            )
        for name, function in functions.items():
            alarm(
                f"{name}Errors",
                function.metric_errors(period=FIVE_MINUTES, statistic="Sum"),
                f"The {name} function failed (unhandled error or timeout).",
            )
