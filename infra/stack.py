"""The whole deployment in one stack: network, database, storage, functions, API, schedules."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.api import Api
from infra.config import DeploySettings
from infra.constants import SERVICE_NAME
from infra.database import Database
from infra.functions import RETENTION, Functions
from infra.layer import shared_layer
from infra.monitoring import Monitoring
from infra.network import Network
from infra.schedules import Schedules
from infra.waf import LoginRateLimit
from infra.web import WEB_DIST, Web

UNTAGGABLE_RESOURCE_TYPE = "AWS::RDS::DBProxyTargetGroup"


class DashboardStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        allow_missing_functions: bool = False,
        web_dist: Path = WEB_DIST,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.settings = settings
        # CDK's L1 for the RDS Proxy target group is taggable, but CloudFormation's resource
        # type has no Tags property and refuses the template ("extraneous key [Tags]").
        untaggable = [UNTAGGABLE_RESOURCE_TYPE]
        Tags.of(self).add("service", SERVICE_NAME, exclude_resource_types=untaggable)
        Tags.of(self).add("stage", settings.stage, exclude_resource_types=untaggable)
        prod = settings.is_production
        retain = RemovalPolicy.RETAIN

        self.network = Network(self, "Network", settings=settings)
        self.database = Database(self, "Database", settings=settings, network=self.network)

        # Storage: the landing bucket and its server access logs.
        self.access_logs_bucket = s3.Bucket(
            self,
            "AccessLogsBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
            removal_policy=retain,
        )
        self.landing_bucket = s3.Bucket(
            self,
            "LandingBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="landing/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="age-out-partner-files",
                    # Files stay re-ingestible (admin retry) for the retention period, then go.
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS, transition_after=Duration.days(30)
                        )
                    ],
                    expiration=Duration.days(settings.landing_retention_days),
                    noncurrent_version_expiration=Duration.days(30),
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                ),
            ],
            removal_policy=retain,
            # The admin portal's browser uploads (presigned POST). The signed policy is what
            # authorises an upload; CORS only lets the page read S3's answer. "*" because the
            # dashboard's CloudFront domain cannot be referenced here (the distribution
            # depends on the API, whose functions depend on this bucket: a cycle).
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.POST],
                    allowed_origins=["*"],
                    allowed_headers=["*"],
                    exposed_headers=["ETag", "Location"],
                    max_age=3000,
                )
            ],
        )

        if settings.partner_writer_arns:
            # The partner uploads straight into the landing bucket from its own account. The
            # bucket enforces bucket-owner object ownership, so its objects become ours.
            self.landing_bucket.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="PartnerUploads",
                    principals=[
                        iam.AccountPrincipal(a) if a.isdigit() else iam.ArnPrincipal(a)
                        for a in settings.partner_writer_arns
                    ],
                    actions=["s3:PutObject"],
                    resources=[self.landing_bucket.arn_for_objects("*")],
                )
            )

        # Failed async ingest events, and failed schedule deliveries, land here.
        self.ingest_dlq = sqs.Queue(
            self,
            "IngestDlq",
            retention_period=Duration.days(14),
            enforce_ssl=True,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
        )
        self.schedules_dlq = sqs.Queue(
            self,
            "SchedulesDlq",
            retention_period=Duration.days(14),
            enforce_ssl=True,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
        )

        self.jwt_secret = secretsmanager.Secret(
            self,
            "JwtSigningKey",
            description="HS256 signing key of the API's access tokens",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
            removal_policy=retain if prod else RemovalPolicy.DESTROY,
        )

        # CloudFront sends this value in the origin-verify header; the API trusts the viewer
        # address only with it, and the WAF tells CloudFront's requests from direct ones by it.
        # The template holds a {{resolve:secretsmanager:...}} reference, never the value.
        self.origin_secret = secretsmanager.Secret(
            self,
            "OriginVerifySecret",
            description="Sent by CloudFront to the API in the origin-verify header",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=48, exclude_punctuation=True, include_space=False
            ),
            removal_policy=RemovalPolicy.DESTROY,
        )

        self.email_identity: ses.EmailIdentity | None = None
        if settings.alert_sender:
            # Creating the identity sends AWS's verification email to the sender address.
            self.email_identity = ses.EmailIdentity(
                self, "AlertSender", identity=ses.Identity.email(settings.alert_sender)
            )

        self.layer = shared_layer(self, "SharedLayer")
        self.functions = Functions(
            self,
            "Functions",
            settings=settings,
            network=self.network,
            database=self.database,
            layer=self.layer,
            landing_bucket=self.landing_bucket,
            jwt_secret=self.jwt_secret,
            origin_secret=self.origin_secret,
            ingest_dlq=self.ingest_dlq,
            allow_missing=allow_missing_functions,
        ).functions

        ingest = self.functions["ingest"]
        # Every object, no suffix filter: S3 filters are case-sensitive (`UPPER.CSV` would
        # be silent), and an object that is not a partner file must become a failed run
        # with an alert, never silence. The function matches the suffix case-insensitively.
        self.landing_bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(ingest))

        # Migrations: the migrate function as a CloudFormation custom resource.
        provider_logs = logs.LogGroup(self, "MigrationsProviderLogs", retention=RETENTION[settings.log_retention_days])
        self.migrations_provider = cr.Provider(
            self, "MigrationsProvider", on_event_handler=self.functions["migrate"], log_group=provider_logs
        )
        self.migrations = self.database.add_migrations(
            self, "Migrations", provider_token=self.migrations_provider.service_token
        )
        for endpoint in self.network.interface_endpoints:
            self.migrations.node.add_dependency(endpoint)
        # The other functions start after the schema exists (first deploy).
        for name, function in self.functions.items():
            if name != "migrate":
                function.node.add_dependency(self.migrations)

        self.api = Api(
            self,
            "Api",
            settings=settings,
            functions=dict(self.functions),
            log_retention=RETENTION[settings.log_retention_days],
        )
        self.web = Web(
            self,
            "Web",
            settings=settings,
            rest_api=self.api.rest_api,
            access_logs=self.access_logs_bucket,
            log_retention=RETENTION[settings.log_retention_days],
            origin_secret=self.origin_secret.secret_value.unsafe_unwrap(),
            dist=web_dist,
            # boto3 presigns POSTs to the global or the regional virtual-hosted bucket URL.
            upload_origins=(
                f"https://{self.landing_bucket.bucket_domain_name}",
                f"https://{self.landing_bucket.bucket_regional_domain_name}",
            ),
        )
        self.login_waf: LoginRateLimit | None = None
        if settings.use_login_waf:
            self.login_waf = LoginRateLimit(
                self,
                "LoginWaf",
                stage=self.api.rest_api.deployment_stage,
                limit=settings.login_waf_limit,
                origin_secret=self.origin_secret.secret_value.unsafe_unwrap(),
                name_prefix=settings.stack_name.replace("-", ""),
                log_name=settings.stack_name,
                log_retention=RETENTION[settings.log_retention_days],
                retain_logs=prod,
            )
        self.schedules = Schedules(
            self, "Schedules", settings=settings, functions=dict(self.functions), dead_letter_queue=self.schedules_dlq
        )
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            settings=settings,
            functions=self.functions,
            queues={"IngestDlq": self.ingest_dlq, "SchedulesDlq": self.schedules_dlq},
            rest_api=self.api.rest_api,
        )

        CfnOutput(self, "DashboardUrl", value=self.web.url, description="The web app (the API is under /api)")
        CfnOutput(self, "WebBucketName", value=self.web.bucket.bucket_name)
        CfnOutput(self, "ApiUrl", value=self.api.url)
        CfnOutput(self, "LandingBucketName", value=self.landing_bucket.bucket_name)
        CfnOutput(self, "MigrateFunctionName", value=self.functions["migrate"].function_name)
        # Invoked once with {"bootstrap_admin": {"email": ...}} to create the first admin.
        CfnOutput(self, "ApiAdminFunctionName", value=self.functions["api_admin"].function_name)
        CfnOutput(self, "AlarmTopicArn", value=self.monitoring.topic.topic_arn)
        if "partner_sync" in self.functions:
            role = self.functions["partner_sync"].role
            assert role is not None
            CfnOutput(self, "PartnerSyncRoleArn", value=role.role_arn)
