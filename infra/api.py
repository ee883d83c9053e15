"""API Gateway REST API: every prefix in `infra.constants.API_ROUTES` -> its function.

Each prefix becomes a resource with an ANY method plus a `{proxy+}` child with ANY (a prefix
matches itself and everything below it, like `api_function_for`). Requests reach the
functions as Lambda proxy events; authentication (JWT) happens in the functions.
"""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import DeploySettings
from infra.constants import API_ROUTES

# Binary for the PDF export and client logos. `*/*` would also make API Gateway base64-encode every JSON
# request body; with `application/pdf` a client downloading report.pdf must send
# `Accept: application/pdf` (a logo: `Accept: image/png` or `image/jpeg`; API Gateway matches the
# Accept header to decode the body).
BINARY_MEDIA_TYPES = ["application/pdf", "image/png", "image/jpeg"]
AUTH_THROTTLE_RATE = 10
AUTH_THROTTLE_BURST = 20
CORS_ALLOW_HEADERS = ["Authorization", "Content-Type", "X-Correlation-Id"]


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        functions: dict[str, lambda_.IFunction],
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(self, "AccessLogs", retention=log_retention)
        cors = (
            apigw.CorsOptions(
                allow_origins=list(settings.cors_origins),
                allow_methods=apigw.Cors.ALL_METHODS,
                allow_headers=CORS_ALLOW_HEADERS,
                allow_credentials=False,
            )
            if settings.cors_origins
            else None
        )
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=settings.stack_name,
            description="Paid media dashboard API",
            binary_media_types=BINARY_MEDIA_TYPES,
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=True,
            default_cors_preflight_options=cors,
            deploy_options=apigw.StageOptions(
                stage_name=settings.stage,
                throttling_rate_limit=settings.api_throttle_rate,
                throttling_burst_limit=settings.api_throttle_burst,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
                # Login/refresh get a tighter limit than the rest (password guessing, bcrypt CPU);
                # the application also locks an account out after repeated failures.
                method_options={
                    "/auth/{proxy+}/ANY": apigw.MethodDeploymentOptions(
                        throttling_rate_limit=AUTH_THROTTLE_RATE, throttling_burst_limit=AUTH_THROTTLE_BURST
                    )
                },
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # request/response bodies carry passwords and tokens
                metrics_enabled=True,
                tracing_enabled=True,
            ),
        )
        # API Gateway's own 4xx/5xx (unknown path, throttled) also carry the CORS header, so
        # the browser can read them.
        if len(settings.cors_origins) == 1:
            for response_type in (apigw.ResponseType.DEFAULT_4_XX, apigw.ResponseType.DEFAULT_5_XX):
                self.rest_api.add_gateway_response(
                    f"Cors{response_type.response_type}",
                    type=response_type,
                    response_headers={"Access-Control-Allow-Origin": f"'{settings.cors_origins[0]}'"},
                )

        self.integrations: dict[str, apigw.LambdaIntegration] = {}
        for prefix, function_name in API_ROUTES:
            integration = self.integrations.get(function_name)
            if integration is None:
                integration = apigw.LambdaIntegration(functions[function_name], proxy=True, allow_test_invoke=False)
                self.integrations[function_name] = integration
            resource = self.rest_api.root.resource_for_path(prefix)
            resource.add_method("ANY", integration)
            resource.add_resource("{proxy+}").add_method("ANY", integration)

    @property
    def url(self) -> str:
        return self.rest_api.url
