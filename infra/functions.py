"""One Lambda per directory in `functions/`, each with the shared layer, in the VPC.

`FUNCTION_SPECS` says, per function, which database role it connects as, its size, and
what it may touch; `Functions` turns that into functions with exactly those grants.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import DeploySettings
from infra.constants import FUNCTIONS, METRICS_NAMESPACE, REFRESH_COOKIE_PATH, REFRESH_REUSE_GRACE_SECONDS
from infra.database import APP_ROLES, MASTER_USER, Database
from infra.layer import ARCHITECTURE, RUNTIME
from infra.network import Network
from layers.build import ROOT

FUNCTIONS_DIR = ROOT / "functions"
_ASSET_EXCLUDES = ["__pycache__", "*.pyc", "tests"]
RETENTION = {
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


@dataclass(frozen=True)
class FunctionSpec:
    db_role: str  # "api" | "worker" | "master"
    memory_mb: int
    timeout: Duration
    sends_email: bool = False
    reads_landing: bool = False
    writes_landing: bool = False
    reads_partner: bool = False
    signs_tokens: bool = False
    invokes_ingest: bool = False  # admin "retry ingestion" invokes the ingest function asynchronously
    signs_uploads: bool = False  # admin presigned POSTs: the browser uploads with this role's s3:PutObject
    trusts_viewer_address: bool = False  # login throttle: CloudFront's viewer address, with the origin secret


# Where admin browser uploads may land (shared.admin.uploads builds the keys).
UPLOAD_KEY_PATTERNS = ("uploads/*", "clients/*/uploads/*")


FUNCTION_SPECS: dict[str, FunctionSpec] = {
    # Streams files of up to 1 GiB; 1536 MB buys CPU for parsing (Lambda CPU scales with memory).
    "ingest": FunctionSpec("worker", 1536, Duration.minutes(15), sends_email=True, reads_landing=True),
    "missing_file_check": FunctionSpec("worker", 256, Duration.minutes(2), sends_email=True),
    # Lists the partner prefix and server-side copies new objects (CopyObject = read source + put).
    "partner_sync": FunctionSpec("worker", 512, Duration.minutes(15), writes_landing=True, reads_partner=True),
    "weekly_summary": FunctionSpec("worker", 1024, Duration.minutes(15), sends_email=True),
    "monthly_summary": FunctionSpec("worker", 1024, Duration.minutes(15), sends_email=True),
    # API Gateway gives up after 29 s; the PDF report wants more memory (CPU) than JSON routes.
    "api_auth": FunctionSpec("api", 512, Duration.seconds(29), signs_tokens=True, trusts_viewer_address=True),
    "api_admin": FunctionSpec(
        "api", 512, Duration.seconds(29), signs_tokens=True, invokes_ingest=True, signs_uploads=True
    ),
    "api_clients": FunctionSpec("api", 1024, Duration.seconds(29), signs_tokens=True),
    "migrate": FunctionSpec("master", 512, Duration.minutes(10)),
}
assert set(FUNCTION_SPECS) == set(FUNCTIONS), "every function in infra.constants needs a spec"


def function_code(name: str, *, allow_missing: bool) -> lambda_.Code:
    """The function's directory as an asset. A missing directory fails synth, unless
    `allow_missing` (context `allowMissingFunctions`, used while functions are being written)."""
    directory = FUNCTIONS_DIR / name
    if (directory / "handler.py").is_file():
        return lambda_.Code.from_asset(str(directory), exclude=_ASSET_EXCLUDES)
    if not allow_missing:
        raise FileNotFoundError(
            f"functions/{name}/handler.py does not exist (set -c allowMissingFunctions=true to stub it)"
        )
    return lambda_.Code.from_inline(
        "def lambda_handler(event, context):\n    raise NotImplementedError('function not yet written')\n"
    )


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        network: Network,
        database: Database,
        layer: lambda_.ILayerVersion,
        landing_bucket: s3.IBucket,
        jwt_secret: secretsmanager.ISecret,
        origin_secret: secretsmanager.ISecret,
        ingest_dlq: sqs.IQueue,
        allow_missing: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.settings = settings
        names = [n for n in FUNCTIONS if n != "partner_sync" or settings.partner_bucket]
        secrets = {
            "api": database.role_secrets["api"],
            "worker": database.role_secrets["worker"],
            "master": database.master_secret,
        }
        users = {"api": APP_ROLES["api"], "worker": APP_ROLES["worker"], "master": MASTER_USER}
        common_env = {
            "STAGE": settings.stage,
            "REPORTING_TIMEZONE": settings.reporting_timezone,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            "POWERTOOLS_LOG_LEVEL": "INFO",
            # No pydantic plugins are used: skip scanning every installed package's entry
            # points on the first model build (cold start).
            "PYDANTIC_DISABLE_PLUGINS": "__all__",
            "LANDING_BUCKET": landing_bucket.bucket_name,
        }
        self.functions: dict[str, lambda_.Function] = {}
        for name in names:
            spec = FUNCTION_SPECS[name]
            env = {
                **common_env,
                "POWERTOOLS_SERVICE_NAME": name,
                "DATABASE_SECRET_ARN": secrets[spec.db_role].secret_arn,
                "DB_USER": users[spec.db_role],
                # A statement may run for most of the invocation (a 1M-row load inserts for
                # about a minute) but must end before Lambda kills the process.
                "DB_STATEMENT_TIMEOUT_MS": str(int(spec.timeout.to_seconds() * 900)),
            }
            if database.proxy is not None and spec.db_role != "master":
                # The application roles go through RDS Proxy; the migrations talk to the instance.
                env["DB_HOST"] = database.proxy.endpoint
            if spec.sends_email:
                env["ALERT_SENDER"] = settings.alert_sender
                env["ALERT_RECIPIENTS"] = ",".join(settings.alert_recipients)
            if spec.signs_tokens:
                # Responses carry access/refresh tokens and temporary passwords: keep them out
                # of X-Ray (Powertools records handler responses as trace metadata by default).
                env["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] = "false"
                env["JWT_SECRET_ARN"] = jwt_secret.secret_arn
                env["CORS_ORIGINS"] = ",".join(settings.cors_origins)
                # The web app's session cookie: the path the browser sees on the CloudFront
                # origin (CloudFront strips /api before API Gateway).
                env["REFRESH_COOKIE_PATH"] = REFRESH_COOKIE_PATH
                env["REFRESH_REUSE_GRACE_SECONDS"] = str(REFRESH_REUSE_GRACE_SECONDS)
            if spec.trusts_viewer_address:
                env["ORIGIN_VERIFY_SECRET_ARN"] = origin_secret.secret_arn
            if name == "missing_file_check":
                env["MISSING_FILE_CHECK_HOUR"] = str(settings.missing_file_check_hour)
            if name == "migrate":
                env["API_ROLE_SECRET_ARN"] = database.role_secrets["api"].secret_arn
                env["WORKER_ROLE_SECRET_ARN"] = database.role_secrets["worker"].secret_arn
            if spec.invokes_ingest:
                env["INGEST_FUNCTION_NAME"] = self.functions["ingest"].function_name
            if spec.reads_partner:
                env["PARTNER_BUCKET"] = settings.partner_bucket
                env["PARTNER_PREFIX"] = settings.partner_prefix
            log_group = logs.LogGroup(self, f"{name}Logs", retention=RETENTION[settings.log_retention_days])
            function = lambda_.Function(
                self,
                name,
                description=FUNCTIONS[name][:256],
                runtime=RUNTIME,
                architecture=ARCHITECTURE,
                handler="handler.lambda_handler",
                code=function_code(name, allow_missing=allow_missing),
                layers=[layer],
                memory_size=spec.memory_mb,
                timeout=spec.timeout,
                environment=env,
                vpc=network.vpc,
                vpc_subnets=network.subnets,
                security_groups=[network.function_sg],
                tracing=lambda_.Tracing.ACTIVE,
                log_group=log_group,
                logging_format=lambda_.LoggingFormat.JSON,
                reserved_concurrent_executions=settings.ingest_concurrency if name == "ingest" else None,
                # S3 invokes ingest asynchronously: after Lambda's retries a failed event goes to the DLQ.
                on_failure=destinations.SqsDestination(ingest_dlq) if name == "ingest" else None,
                retry_attempts=2 if name == "ingest" else None,
                max_event_age=Duration.hours(6) if name == "ingest" else None,
            )
            secrets[spec.db_role].grant_read(function)
            if spec.signs_tokens:
                jwt_secret.grant_read(function)
            if spec.trusts_viewer_address:
                origin_secret.grant_read(function)
            if spec.reads_landing:
                self._grant_landing_read(function, landing_bucket)
            if spec.writes_landing:
                function.add_to_role_policy(
                    iam.PolicyStatement(actions=["s3:PutObject"], resources=[landing_bucket.arn_for_objects("*")])
                )
            if spec.invokes_ingest:
                self.functions["ingest"].grant_invoke(function)
            if spec.signs_uploads:
                # A presigned POST acts with the signer's permissions: PutObject under the
                # upload prefixes only (the policy pins the exact key and size per upload).
                function.add_to_role_policy(
                    iam.PolicyStatement(
                        actions=["s3:PutObject"],
                        resources=[landing_bucket.arn_for_objects(pattern) for pattern in UPLOAD_KEY_PATTERNS],
                    )
                )
            if spec.reads_partner:
                self._grant_partner_read(function)
            if spec.sends_email and settings.alert_sender:
                self._grant_send_email(function)
            self.functions[name] = function
        if "migrate" in self.functions:
            for secret in database.role_secrets.values():
                secret.grant_read(self.functions["migrate"])
        for function in self.functions.values():
            # Interface endpoints must exist before a function first talks to Secrets Manager/SES.
            for endpoint in network.interface_endpoints:
                function.node.add_dependency(endpoint)

    @staticmethod
    def _grant_landing_read(function: lambda_.Function, bucket: s3.IBucket) -> None:
        # Narrower than Bucket.grant_read (no GetObject*/List* wildcards). ListBucket makes a
        # missing object a clean 404 (NoSuchKey) instead of a 403. GetObjectVersion: the
        # ingestion reads the exact version its event announces (the bucket is versioned).
        function.add_to_role_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn]))
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:GetObjectVersion"], resources=[bucket.arn_for_objects("*")]
            )
        )

    def _grant_partner_read(self, function: lambda_.Function) -> None:
        bucket, prefix = self.settings.partner_bucket, self.settings.partner_prefix
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[f"arn:{Stack.of(self).partition}:s3:::{bucket}"],
                conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}} if prefix else None,
            )
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[f"arn:{Stack.of(self).partition}:s3:::{bucket}/{prefix}*"]
            )
        )

    def _grant_send_email(self, function: lambda_.Function) -> None:
        # The sender may be verified as an address or as its domain. In the SES sandbox, SES
        # also authorizes against each recipient's identity, so those are listed too;
        # FromAddress pins the sender either way.
        stack = Stack.of(self)
        sender_domain = self.settings.alert_sender.rsplit("@", 1)[1]
        identities = [self.settings.alert_sender, sender_domain, *self.settings.alert_recipients]
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail", "ses:SendRawEmail"],
                resources=[
                    stack.format_arn(service="ses", resource="identity", resource_name=identity)
                    for identity in dict.fromkeys(identities)
                ],
                conditions={"StringEquals": {"ses:FromAddress": self.settings.alert_sender}},
            )
        )
