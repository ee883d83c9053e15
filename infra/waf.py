"""A WAF rate-based rule on `/auth/login`, on the API Gateway stage (setting `loginWaf`).

Why on the stage (a REGIONAL web ACL) and not on CloudFront: the stage is the one place every
login passes — through CloudFront (`<DashboardUrl>/api/auth/login`) and directly
(`<ApiUrl>auth/login`, what scripts use). A CloudFront web ACL would leave the direct URL
unprotected, and it can only be created in us-east-1, while this stack deploys anywhere.

The address a limit counts: a request from our CloudFront carries the origin-verify secret
and `x-viewer-ip`, which the `/api/*` viewer-request function sets from the viewer's address
(overwriting whatever the viewer sent); those are counted per viewer. Every other request is
counted per source address — a direct caller's own, since a spoofed `x-viewer-ip` without
the secret is ignored. At the stage, CloudFront's requests come from its edge servers, which
many viewers share: counting them per source address would let one viewer use up the budget
of everyone behind the same edge.

Over the limit (requests per 5 minutes per address), a login answers 429 with the API's JSON
error format, before any function runs (no bcrypt CPU, no database work).

Every blocked request is logged to the CloudWatch log group `aws-waf-logs-<stack>` (WAF only
delivers to groups with that prefix), kept as long as the functions' logs. Allowed requests
are dropped by the logging filter: the metrics count them, and logging every API call would
cost more than it tells. The headers that carry credentials are redacted before a record is
written: `authorization` (the access token), `cookie` (the refresh token) and the
origin-verify secret CloudFront adds.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.constants import LOGIN_PATH, ORIGIN_VERIFY_HEADER, VIEWER_IP_HEADER

WINDOW_SECONDS = 300
RETRY_AFTER_SECONDS = 60
BLOCKED_BODY_KEY = "too-many-logins"
BLOCKED_BODY = '{"message": "too many login attempts from this address: retry in a few minutes"}'
_PATH_TRANSFORMS = ("URL_DECODE", "NORMALIZE_PATH", "LOWERCASE")
LOG_GROUP_PREFIX = "aws-waf-logs-"  # the only log groups WAF delivers to
REDACTED_HEADERS = ("authorization", "cookie", ORIGIN_VERIFY_HEADER)


def _login_path() -> wafv2.CfnWebACL.StatementProperty:
    # CONTAINS after decoding and normalising: "/prod/auth/login", "//auth/./login/", "/auth/%6Cogin".
    return wafv2.CfnWebACL.StatementProperty(
        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
            positional_constraint="CONTAINS",
            search_string=LOGIN_PATH,
            text_transformations=[
                wafv2.CfnWebACL.TextTransformationProperty(priority=i, type=kind)
                for i, kind in enumerate(_PATH_TRANSFORMS)
            ],
        )
    )


def _from_cloudfront(origin_secret: str) -> wafv2.CfnWebACL.StatementProperty:
    return wafv2.CfnWebACL.StatementProperty(
        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            # single_header is untyped JSON in the L1: the key must be CloudFormation's "Name".
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(single_header={"Name": ORIGIN_VERIFY_HEADER}),
            positional_constraint="EXACTLY",
            search_string=origin_secret,
            text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
        )
    )


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


class LoginRateLimit(Construct):
    """A REGIONAL web ACL on the API stage: two rate-based rules on `/auth/login`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: apigw.Stage,
        limit: int,
        origin_secret: str,
        name_prefix: str,
        log_name: str,
        log_retention: logs.RetentionDays,
        retain_logs: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        block = wafv2.CfnWebACL.RuleActionProperty(
            block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=429,
                    custom_response_body_key=BLOCKED_BODY_KEY,
                    response_headers=[
                        wafv2.CfnWebACL.CustomHTTPHeaderProperty(name="Retry-After", value=str(RETRY_AFTER_SECONDS))
                    ],
                )
            )
        )
        via_cloudfront = wafv2.CfnWebACL.RuleProperty(
            name="LoginPerViewerViaCloudFront",
            priority=1,
            action=block,
            visibility_config=_visibility(f"{name_prefix}LoginPerViewer"),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=limit,
                    evaluation_window_sec=WINDOW_SECONDS,
                    aggregate_key_type="CUSTOM_KEYS",
                    custom_keys=[
                        wafv2.CfnWebACL.RateBasedStatementCustomKeyProperty(
                            header=wafv2.CfnWebACL.RateLimitHeaderProperty(
                                name=VIEWER_IP_HEADER,
                                text_transformations=[
                                    wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                                ],
                            )
                        )
                    ],
                    scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                        and_statement=wafv2.CfnWebACL.AndStatementProperty(
                            statements=[_login_path(), _from_cloudfront(origin_secret)]
                        )
                    ),
                )
            ),
        )
        direct = wafv2.CfnWebACL.RuleProperty(
            name="LoginPerSourceAddress",
            priority=2,
            action=block,
            visibility_config=_visibility(f"{name_prefix}LoginPerSource"),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=limit,
                    evaluation_window_sec=WINDOW_SECONDS,
                    aggregate_key_type="IP",
                    scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                        and_statement=wafv2.CfnWebACL.AndStatementProperty(
                            statements=[
                                _login_path(),
                                wafv2.CfnWebACL.StatementProperty(
                                    not_statement=wafv2.CfnWebACL.NotStatementProperty(
                                        statement=_from_cloudfront(origin_secret)
                                    )
                                ),
                            ]
                        )
                    ),
                )
            ),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            description="Rate limit on /auth/login per viewer via CloudFront, else per source address",
            custom_response_bodies={
                BLOCKED_BODY_KEY: wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON", content=BLOCKED_BODY
                )
            },
            rules=[via_cloudfront, direct],
            visibility_config=_visibility(f"{name_prefix}Api"),
        )
        self.association = wafv2.CfnWebACLAssociation(
            self, "StageAssociation", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn
        )
        self.log_group = logs.LogGroup(
            self,
            "BlockedRequests",
            log_group_name=f"{LOG_GROUP_PREFIX}{log_name}",
            retention=log_retention,
            # Prod keeps its security log when the stack goes (its fixed name must then be freed
            # by hand before the stack is created again); dev deletes it with the stack.
            removal_policy=RemovalPolicy.RETAIN if retain_logs else RemovalPolicy.DESTROY,
        )
        # WAF wants the group's ARN without the ":*" suffix that the LogGroup's Arn attribute has.
        log_arn = Stack.of(self).format_arn(
            service="logs",
            resource="log-group",
            resource_name=self.log_group.log_group_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.logging = wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[log_arn],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": header})
                for header in REDACTED_HEADERS
            ],
            # Untyped JSON in the L1, like single_header: CloudFormation's own key names.
            logging_filter={
                "DefaultBehavior": "DROP",
                "Filters": [
                    {
                        "Behavior": "KEEP",
                        "Requirement": "MEETS_ANY",
                        "Conditions": [{"ActionCondition": {"Action": "BLOCK"}}],
                    }
                ],
            },
        )
        self.logging.node.add_dependency(self.log_group)
