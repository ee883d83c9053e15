"""cdk-nag AwsSolutions acknowledgements, each scoped as narrowly as the finding allows and
each with its reason. Anything not listed here fails `cdk synth` (and tests/infra)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Acknowledgment, Stack, Token, Validations
from constructs import IConstruct

from infra.functions import UPLOAD_KEY_PATTERNS

if TYPE_CHECKING:
    from infra.stack import DashboardStack

PACK = "AwsSolutions::AwsSolutions-"
MANAGED = "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"


def _ack(scope: IConstruct, rule: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=PACK + rule, reason=reason))


def acknowledge_findings(stack: DashboardStack) -> None:
    """Record every accepted AwsSolutions finding on the construct it concerns."""
    functions = stack.node.find_child("Functions")
    _ack(
        functions,
        f"IAM4[{MANAGED}AWSLambdaBasicExecutionRole]",
        "Lambda's standard logging policy; the log groups are created by the stack with a retention.",
    )
    _ack(
        functions,
        f"IAM4[{MANAGED}AWSLambdaVPCAccessExecutionRole]",
        "Required for a function in a VPC to create and delete its network interfaces.",
    )
    _ack(
        functions,
        "IAM5[Resource::*]",
        "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions "
        "(tests/infra checks that only X-Ray actions are granted on '*').",
    )
    _ack(
        functions,
        f"IAM5[Resource::<{_logical_id(stack.landing_bucket)}.Arn>/*]",
        "Partner files have arbitrary keys (clients/<slug>/...); access is limited to the objects of the one landing bucket.",
    )
    for pattern in UPLOAD_KEY_PATTERNS:
        _ack(
            functions,
            f"IAM5[Resource::<{_logical_id(stack.landing_bucket)}.Arn>/{pattern}]",
            "Admin browser uploads get a fresh key under this prefix each time; every presigned POST "
            "pins its exact key and size, the role only bounds where uploads may land.",
        )
    _ack(
        functions,
        "L1",
        "Pinned to python3.12: the shared layer is built for it (layers/build.py) and it is the "
        "version the dependency set is tested with; raise both together.",
    )
    _ack(
        functions,
        f"IAM5[Resource::<{_logical_id(stack.functions['ingest'])}.Arn>:*]",
        "The admin retry route may invoke versions of the ingest function (CDK grants Arn:*).",
    )
    if stack.settings.partner_bucket:
        prefix = stack.settings.partner_prefix
        _ack(
            functions,
            f"IAM5[Resource::arn:{_partition(stack)}:s3:::{stack.settings.partner_bucket}/{prefix}*]",
            "Partner sync reads the objects under the configured partner prefix only.",
        )

    api = stack.node.find_child("Api")
    _ack(
        api,
        "APIG2",
        "Requests are validated in the functions (pydantic models that reject unknown fields), "
        "which also produce the documented error bodies.",
    )
    if not stack.settings.use_login_waf:
        _ack(
            api,
            "APIG3",
            "The login WAF (infra/waf.py) is off: loginWaf=false, or outside prod by default (cost, ~$7/month); "
            "stage throttling and the application's login throttle still apply.",
        )
    for rule in ("APIG4", "COG4"):
        _ack(
            api,
            rule,
            "Authentication is the API's own JWT (HS256, verified in the functions with the key from "
            "Secrets Manager); /health, /openapi.json and /auth/login are public by design. A "
            "Cognito or Lambda authorizer would duplicate the verification.",
        )
    _ack(
        api,
        f"IAM4[{MANAGED}AmazonAPIGatewayPushToCloudWatchLogs]",
        "The account-level role API Gateway needs to write execution logs.",
    )

    database = stack.node.find_child("Database")
    _ack(
        database,
        "RDS11",
        "Default port: the database is in isolated subnets and its security group admits only the functions.",
    )
    if not stack.settings.is_production:
        _ack(database, "RDS3", "Single-AZ outside production (cost); production (stage prod) is Multi-AZ.")
        _ack(database, "RDS10", "Deletion protection only in production (stage prod), so dev stacks can be torn down.")
    _ack(
        database,
        "SMG4",
        "Role passwords are set on the database by the migrate function at deploy; rotation = put a new "
        "value and invoke the migrate function (docs/deploy.md). The master secret is used only by it.",
    )
    _ack(
        stack.jwt_secret,
        "SMG4",
        "Rotating the signing key ends every session; it is rotated by hand (docs/deploy.md).",
    )
    _ack(
        stack.origin_secret,
        "SMG4",
        "CloudFront and the WAF read it at deploy time: rotation = a new value and a deploy (docs/deploy.md).",
    )
    for queue in (stack.ingest_dlq, stack.schedules_dlq):
        _ack(queue, "SQS3", "This queue is itself a dead-letter queue.")

    provider = stack.migrations_provider
    _ack(
        provider,
        f"IAM4[{MANAGED}AWSLambdaBasicExecutionRole]",
        "CDK's custom-resource provider framework function (logging only).",
    )
    _ack(
        provider,
        f"IAM5[Resource::<{_logical_id(stack.functions['migrate'])}.Arn>:*]",
        "The framework may invoke versions of the migrate function.",
    )
    # EventBridge Scheduler's roles are created by CDK at the stack root, one per target.
    for name in stack.schedules.schedules:
        _ack(
            stack,
            f"IAM5[Resource::<{_logical_id(stack.functions[name])}.Arn>:*]",
            f"Scheduler may invoke the versions of {name} (CDK grants Arn:*).",
        )
    _acknowledge_web(stack)
    for child in stack.node.children:
        if child.node.id.startswith("BucketNotificationsHandler"):
            _ack(
                child,
                f"IAM4[{MANAGED}AWSLambdaBasicExecutionRole]",
                "CDK's bucket-notification custom resource (logging only).",
            )


def _acknowledge_web(stack: DashboardStack) -> None:
    web = stack.web
    distribution = web.distribution
    _ack(
        distribution,
        "CFR1",
        "No geo restriction: the agency's clients are wherever they are; access is by login.",
    )
    _ack(
        distribution,
        "CFR2",
        "The login WAF is on the API stage (infra/waf.py), which both the /api/* behavior and the direct "
        "API URL reach; a CloudFront web ACL would miss the direct URL and exists only in us-east-1. "
        "The distribution's default behavior serves static files only.",
    )
    _ack(
        distribution,
        "CFR4",
        "The default *.cloudfront.net certificate cannot pin a minimum TLS version; with a custom "
        "domain and ACM certificate set TLSv1.2_2021 (docs/deploy.md).",
    )
    # BucketDeployment's handler: one singleton function at the stack root, named by its memory.
    assets_bucket = f"arn:{_partition(stack)}:s3:::cdk-hnb659fds-assets-{_account(stack)}-{_region(stack)}/*"
    reasons = {
        f"IAM4[{MANAGED}AWSLambdaBasicExecutionRole]": "CDK's BucketDeployment handler (logging only).",
        "L1": "CDK's BucketDeployment handler: its runtime is chosen by aws-cdk-lib and moves with it.",
        "IAM5[Resource::*]": "CloudFront CreateInvalidation/GetInvalidation support no resource-level permissions.",
        f"IAM5[Resource::{assets_bucket}]": "The handler reads the build's zip from the CDK bootstrap assets bucket.",
        f"IAM5[Resource::<{_logical_id(web.bucket)}.Arn>/*]": "The handler writes and prunes the web app's files in its own bucket.",
    }
    for action in ("s3:GetBucket*", "s3:GetObject*", "s3:List*", "s3:Abort*", "s3:DeleteObject*"):
        reasons[f"IAM5[Action::{action}]"] = (
            "CDK's BucketDeployment grants (read the asset, sync and prune the web bucket), scoped to those buckets."
        )
    for child in stack.node.children:
        if child.node.id.startswith("Custom::CDKBucketDeployment"):
            for rule, reason in reasons.items():
                _ack(child, rule, reason)


def _account(stack: Stack) -> str:
    return "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account


def _region(stack: Stack) -> str:
    return "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region


def _logical_id(construct: IConstruct) -> str:
    child = construct.node.default_child
    assert child is not None
    return Stack.of(construct).get_logical_id(child)  # type: ignore[arg-type]


def _partition(stack: Stack) -> str:
    # With an account/region the partition is a literal ("aws"); env-agnostic, a pseudo parameter.
    return "<AWS::Partition>" if Token.is_unresolved(stack.partition) else stack.partition
