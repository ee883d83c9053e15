"""The dashboard web app: a private bucket behind CloudFront, with the API on the same origin.

- S3: private (block public access, TLS only, bucket-owner objects), read by CloudFront
  through origin access control only; server access logs to the stack's log bucket.
- CloudFront, default behavior → the bucket: HTTPS (HTTP redirects), compressed, cached;
  a viewer-request function rewrites extension-less paths to `/index.html` (deep links).
  The rewrite is on this behavior only: mapping 403/404 to index.html for the whole
  distribution would turn the API's JSON errors into an HTML 200.
- `/api/*` → the REST API's stage, `/api` stripped by a function (what the local web origin
  does), caching disabled, every viewer header but Host forwarded (Authorization, the
  refresh cookie, Accept for the PDF), HTTPS only.
- One response-headers policy on both behaviors: the strict CSP (connect-src also allows
  the landing bucket's S3 origins, for the admin's presigned uploads), HSTS, nosniff,
  frame-ancestors/X-Frame-Options deny, referrer policy (`infra.constants`).
- `BucketDeployment` of `web/dist`: `assets/*` (content-hashed) with a one-year immutable
  Cache-Control and never pruned (an open tab with the previous index.html still finds its
  chunks); everything else `no-store`, pruned, plus the runtime `config.json`. Without a
  build the placeholder page (`infra/web_placeholder`) is deployed, with a synth warning.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Annotations, Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.config import DeploySettings
from infra.constants import (
    ORIGIN_VERIFY_HEADER,
    WEB_API_PREFIX,
    WEB_FRESH_CACHE,
    WEB_HSTS_SECONDS,
    WEB_IMMUTABLE_CACHE,
    WEB_IMMUTABLE_PREFIX,
    WEB_RUNTIME_CONFIG,
    web_content_security_policy,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
WEB_DIST = REPO_ROOT / "web" / "dist"
PLACEHOLDER_DIR = Path(__file__).resolve().parent / "web_placeholder"
FUNCTIONS_DIR = Path(__file__).resolve().parent / "web_functions"
ASSETS_DIR = WEB_IMMUTABLE_PREFIX.strip("/")  # "assets"
CONFIG_FILE = "config.json"
DEPLOYMENT_MEMORY_MB = 512  # the handler unzips the build in memory; 128 MB is tight for a few MB of JS
MISSING_BUILD_WARNING = (
    "web/dist is missing (run `make web` before deploying): the dashboard is deployed as a placeholder page"
)


def function_code(name: str) -> str:
    """The JavaScript of a CloudFront Function (`infra/web_functions/<name>.js`)."""
    return (FUNCTIONS_DIR / f"{name}.js").read_text(encoding="utf-8")


def is_built(dist: Path) -> bool:
    return (dist / "index.html").is_file()


class Web(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        rest_api: apigw.RestApi,
        access_logs: s3.IBucket,
        log_retention: logs.RetentionDays,
        origin_secret: str,
        dist: Path = WEB_DIST,
        upload_origins: tuple[str, ...] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.built = is_built(dist)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="web/",
            # Only build output lives here (reproducible with `make web`), but a bucket with
            # objects cannot be deleted by CloudFormation: keep it and say so in the guide.
            removal_policy=RemovalPolicy.RETAIN,
        )

        security_headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Strict CSP, HSTS and friends for the dashboard and its API",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=web_content_security_policy(upload_origins), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.seconds(WEB_HSTS_SECONDS), include_subdomains=True, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
                ),
            ),
        )
        spa_rewrite = cloudfront.Function(
            self,
            "SpaRewrite",
            code=cloudfront.FunctionCode.from_inline(function_code("spa_rewrite")),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Extension-less paths are routes of the web app: serve index.html",
        )
        strip_api = cloudfront.Function(
            self,
            "StripApiPrefix",
            code=cloudfront.FunctionCode.from_inline(function_code("strip_api_prefix")),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="The API is served under /api on this origin and at the stage root by API Gateway",
        )

        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{settings.stack_name} dashboard",
            default_root_object="index.html",
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix="cloudfront/",
            log_includes_cookies=False,  # the refresh cookie is a credential
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=security_headers,
                compress=True,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=spa_rewrite, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={
                f"{WEB_API_PREFIX}/*": cloudfront.BehaviorOptions(
                    # The secret header marks requests that came through us (shared.api.viewer);
                    # CloudFront replaces a header of that name sent by the viewer.
                    origin=origins.RestApiOrigin(rest_api, custom_headers={ORIGIN_VERIFY_HEADER: origin_secret}),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    # Every viewer header but Host, plus CloudFront's own headers, among them
                    # CloudFront-Viewer-Address (the login throttle's address).
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy=security_headers,
                    compress=True,
                    function_associations=[
                        cloudfront.FunctionAssociation(
                            function=strip_api, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                        )
                    ],
                )
            },
        )

        if not self.built:
            Annotations.of(self).add_warning_v2("@paid-media/web:notBuilt", MISSING_BUILD_WARNING)
        files = dist if self.built else PLACEHOLDER_DIR
        runtime_config = {**WEB_RUNTIME_CONFIG, "stage": settings.stage}
        deployment_logs = logs.LogGroup(self, "DeploymentLogs", retention=log_retention)
        # Hashed chunks first, and never pruned: an open tab still on the previous
        # index.html finds its chunks; the new index.html goes live only after them.
        self.assets_deployment: s3deploy.BucketDeployment | None = None
        if self.built and (dist / ASSETS_DIR).is_dir():
            self.assets_deployment = s3deploy.BucketDeployment(
                self,
                "Assets",
                destination_bucket=self.bucket,
                destination_key_prefix=f"{ASSETS_DIR}/",
                sources=[s3deploy.Source.asset(str(dist / ASSETS_DIR))],
                prune=False,
                cache_control=[s3deploy.CacheControl.from_string(WEB_IMMUTABLE_CACHE)],
                log_group=deployment_logs,
                memory_limit=DEPLOYMENT_MEMORY_MB,
            )
        # The app shell: index.html and the other unhashed files, plus config.json; no-store.
        # `exclude` keeps this deployment's prune away from assets/.
        self.files_deployment = s3deploy.BucketDeployment(
            self,
            "Files",
            destination_bucket=self.bucket,
            sources=[
                s3deploy.Source.asset(str(files), exclude=[ASSETS_DIR, CONFIG_FILE]),
                s3deploy.Source.json_data(CONFIG_FILE, runtime_config),
            ],
            exclude=[f"{ASSETS_DIR}/*"],
            prune=True,
            cache_control=[s3deploy.CacheControl.from_string(WEB_FRESH_CACHE)],
            distribution=self.distribution,
            distribution_paths=["/index.html", f"/{CONFIG_FILE}"],
            log_group=deployment_logs,
            memory_limit=DEPLOYMENT_MEMORY_MB,
        )
        if self.assets_deployment is not None:
            self.files_deployment.node.add_dependency(self.assets_deployment)

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"
