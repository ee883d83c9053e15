"""CDK assertions on the synthesized template: each resource and its wiring."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.constants import API_ROUTES, FUNCTIONS, METRICS_NAMESPACE
from tests.infra.conftest import FULL_CONTEXT, Synth

WORKER_FUNCTIONS = ("ingest", "missing_file_check", "partner_sync", "weekly_summary", "monthly_summary")
API_FUNCTIONS = ("api_auth", "api_admin", "api_clients")


def ref(value: Any) -> str | None:
    """The logical id a Ref / Fn::GetAtt points at."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def refs_in(value: Any) -> set[str]:
    """Every logical id referenced anywhere inside a template value."""
    found: set[str] = set()
    if isinstance(value, dict):
        target = ref(value)
        if target:
            found.add(target)
        for inner in value.values():
            found |= refs_in(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= refs_in(inner)
    return found


def function_id(synth: Synth, name: str) -> str:
    return synth.logical_id(synth.stack.functions[name])


def function_props(synth: Synth, name: str) -> dict[str, Any]:
    return synth.template["Resources"][function_id(synth, name)]["Properties"]


def policy_statements(synth: Synth, name: str) -> list[dict[str, Any]]:
    """Every statement of the inline policies attached to a function's role."""
    role_id = ref(function_props(synth, name)["Role"])
    statements: list[dict[str, Any]] = []
    for policy in synth.resources("AWS::IAM::Policy").values():
        if role_id in refs_in(policy["Properties"]["Roles"]):
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def actions_of(statements: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for statement in statements:
        value = statement["Action"]
        actions |= {value} if isinstance(value, str) else set(value)
    return actions


# ------------------------------------------------------------------ landing bucket and ingestion


def test_landing_bucket_is_private_encrypted_versioned_tls_only_with_lifecycle(full: Synth) -> None:
    bucket_id = full.logical_id(full.stack.landing_bucket)
    props = full.template["Resources"][bucket_id]["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    rule = props["LifecycleConfiguration"]["Rules"][0]
    assert rule["ExpirationInDays"] == 400 and rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert "LoggingConfiguration" in props
    policies = [
        p for p in full.resources("AWS::S3::BucketPolicy").values() if ref(p["Properties"]["Bucket"]) == bucket_id
    ]
    statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    denies = [s for s in statements if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    # The partner's uploader may put objects, nothing else.
    (partner,) = [s for s in statements if s.get("Sid") == "PartnerUploads"]
    assert partner["Principal"] == {"AWS": "arn:aws:iam::210987654321:role/partner-uploader"}
    assert partner["Action"] == "s3:PutObject"


def test_no_partner_upload_grant_unless_configured(minimal: Synth) -> None:
    policies = json.dumps(list(minimal.resources("AWS::S3::BucketPolicy").values()))
    assert "PartnerUploads" not in policies


def test_object_created_notifications_target_ingest_for_every_object(full: Synth) -> None:
    (notifications,) = full.resources("Custom::S3BucketNotifications").values()
    props = notifications["Properties"]
    assert ref(props["BucketName"]) == full.logical_id(full.stack.landing_bucket)
    # One configuration, no key filter: S3 filters are case-sensitive, so `UPPER.CSV` and
    # `report.xlsx` must reach the function too (the one a load, the other a failed run).
    (config,) = props["NotificationConfiguration"]["LambdaFunctionConfigurations"]
    assert config["Events"] == ["s3:ObjectCreated:*"]
    assert ref(config["LambdaFunctionArn"]) == function_id(full, "ingest")
    assert "Filter" not in config
    permissions = [
        p["Properties"]
        for p in full.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "s3.amazonaws.com"
    ]
    assert [ref(p["FunctionName"]) for p in permissions] == [function_id(full, "ingest")]


def test_ingest_is_sized_for_streaming_and_failed_events_go_to_the_dlq(full: Synth) -> None:
    props = function_props(full, "ingest")
    assert props["Timeout"] == 900
    assert props["MemorySize"] >= 1024
    assert props["ReservedConcurrentExecutions"] == FULL_CONTEXT["ingestReservedConcurrency"]
    (config,) = full.resources("AWS::Lambda::EventInvokeConfig").values()
    assert ref(config["Properties"]["FunctionName"]) == function_id(full, "ingest")
    assert config["Properties"]["MaximumRetryAttempts"] == 2
    destination = config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
    assert ref(destination) == full.logical_id(full.stack.ingest_dlq)


def test_reserved_concurrency_is_off_by_default_for_new_accounts(minimal: Synth) -> None:
    assert "ReservedConcurrentExecutions" not in function_props(minimal, "ingest")


# ------------------------------------------------------------------ schedules


def schedules_by_target(synth: Synth) -> dict[str, dict[str, Any]]:
    by_function = {function_id(synth, name): name for name in synth.stack.functions}
    result = {}
    for schedule in synth.resources("AWS::Scheduler::Schedule").values():
        props = schedule["Properties"]
        result[by_function[ref(props["Target"]["Arn"])]] = props  # type: ignore[index]
    return result


def test_schedules_run_in_the_reporting_timezone(full: Synth) -> None:
    schedules = schedules_by_target(full)
    assert set(schedules) == {"weekly_summary", "monthly_summary", "missing_file_check", "partner_sync"}
    assert schedules["weekly_summary"]["ScheduleExpression"] == "cron(0 5 ? * MON *)"
    assert schedules["monthly_summary"]["ScheduleExpression"] == "cron(0 5 1 * ? *)"
    assert schedules["missing_file_check"]["ScheduleExpression"] == "cron(0 10 * * ? *)"
    assert schedules["partner_sync"]["ScheduleExpression"] == "rate(1 hour)"
    for name in ("weekly_summary", "monthly_summary", "missing_file_check"):
        assert schedules[name]["ScheduleExpressionTimezone"] == "America/New_York", name
    for props in schedules.values():
        assert props["State"] == "ENABLED"
        target = props["Target"]
        assert ref(target["DeadLetterConfig"]["Arn"]) == full.logical_id(full.stack.schedules_dlq)
        payload = json.loads(target["Input"])
        # The summaries take the period from the scheduled time (shared.summaries.schedule.ScheduleEvent).
        assert payload["scheduled_time"] == "<aws.scheduler.scheduled-time>"
        assert payload["id"] == "<aws.scheduler.execution-id>"


def test_without_a_partner_bucket_there_is_no_partner_sync(minimal: Synth) -> None:
    assert "partner_sync" not in minimal.stack.functions
    schedules = schedules_by_target(minimal)
    assert set(schedules) == {"weekly_summary", "monthly_summary", "missing_file_check"}
    assert schedules["weekly_summary"]["ScheduleExpressionTimezone"] == "UTC"
    assert schedules["missing_file_check"]["ScheduleExpression"] == "cron(0 9 * * ? *)"


# ------------------------------------------------------------------ API


def api_paths(synth: Synth) -> dict[str, str]:
    """Full path of every API resource -> its logical id."""
    resources = synth.resources("AWS::ApiGateway::Resource")
    rest_api_id = synth.logical_id(synth.stack.api.rest_api)
    paths: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        props = resources[logical_id]["Properties"]
        parent = props["ParentId"]
        parent_path = "" if ref(parent) == rest_api_id else path_of(ref(parent))  # type: ignore[arg-type]
        return f"{parent_path}/{props['PathPart']}"

    for logical_id in resources:
        paths[path_of(logical_id)] = logical_id
    return paths


def integration_target(synth: Synth, resource_id: str, http_method: str = "ANY") -> str | None:
    for method in synth.resources("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        if ref(props["ResourceId"]) == resource_id and props["HttpMethod"] == http_method:
            assert props["Integration"]["Type"] == "AWS_PROXY"
            targets = refs_in(props["Integration"]["Uri"])
            (target,) = targets
            return target
    return None


@pytest.mark.parametrize(("prefix", "function"), API_ROUTES)
def test_every_api_route_prefix_maps_to_its_function(full: Synth, prefix: str, function: str) -> None:
    paths = api_paths(full)
    expected = function_id(full, function)
    # The prefix itself and everything below it (like infra.constants.api_function_for).
    assert integration_target(full, paths[prefix]) == expected
    assert integration_target(full, paths[f"{prefix}/{{proxy+}}"]) == expected


def test_api_has_no_route_that_is_not_in_the_route_table(full: Synth) -> None:
    prefixes = {prefix for prefix, _ in API_ROUTES}
    for path in api_paths(full):
        assert path.removesuffix("/{proxy+}") in prefixes, path
    invoked = {
        ref(p["Properties"]["FunctionName"])
        for p in full.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    }
    assert invoked == {function_id(full, name) for name in API_FUNCTIONS}


def test_api_stage_throttles_logs_traces_and_serves_pdf(full: Synth) -> None:
    (api,) = full.resources("AWS::ApiGateway::RestApi").values()
    # the PDF and the client logos only: */* would base64-encode every JSON body
    assert api["Properties"]["BinaryMediaTypes"] == ["application/pdf", "image/png", "image/jpeg"]
    (stage,) = full.resources("AWS::ApiGateway::Stage").values()
    props = stage["Properties"]
    assert props["StageName"] == "prod"
    assert props["TracingEnabled"] is True
    assert "DestinationArn" in props["AccessLogSetting"]
    assert json.loads(props["AccessLogSetting"]["Format"])["status"] == "$context.status"
    by_path = {(m["ResourcePath"], m["HttpMethod"]): m for m in props["MethodSettings"]}
    stage_wide = by_path[("/*", "*")]
    assert stage_wide["ThrottlingRateLimit"] == 50 and stage_wide["ThrottlingBurstLimit"] == 100
    assert stage_wide["LoggingLevel"] == "ERROR"
    assert stage_wide["DataTraceEnabled"] is False  # bodies carry passwords and tokens
    auth = by_path[("/~1auth~1{proxy+}", "ANY")]
    assert auth["ThrottlingRateLimit"] == 10 and auth["ThrottlingBurstLimit"] == 20


def test_cors_preflight_only_for_the_configured_origin(full: Synth, minimal: Synth) -> None:
    options = [
        m for m in full.resources("AWS::ApiGateway::Method").values() if m["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    assert options
    for method in options:
        headers = method["Properties"]["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
        assert headers["method.response.header.Access-Control-Allow-Origin"] == "'https://dashboard.agency.example'"
    assert not [
        m for m in minimal.resources("AWS::ApiGateway::Method").values() if m["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    for name in API_FUNCTIONS:
        assert (
            function_props(full, name)["Environment"]["Variables"]["CORS_ORIGINS"] == "https://dashboard.agency.example"
        )


# ------------------------------------------------------------------ network and database


def test_database_is_private_encrypted_and_protected_in_production(full: Synth) -> None:
    (instance,) = full.resources("AWS::RDS::DBInstance").values()
    props = instance["Properties"]
    assert props["PubliclyAccessible"] is False
    assert props["StorageEncrypted"] is True
    assert props["Engine"] == "postgres" and props["EngineVersion"].count(".") == 1  # a full version, e.g. 17.6
    assert props["MultiAZ"] is True
    assert props["DeletionProtection"] is True
    assert props["BackupRetentionPeriod"] >= 7
    assert instance["DeletionPolicy"] == "Snapshot"
    (subnet_group,) = full.resources("AWS::RDS::DBSubnetGroup").values()
    subnets = {ref(s) for s in subnet_group["Properties"]["SubnetIds"]}
    isolated = {full.stack.get_logical_id(s.node.default_child) for s in full.stack.network.vpc.isolated_subnets}
    assert subnets == isolated and len(subnets) == 2


def test_database_parameters_force_tls_and_size_the_wal_buffers_for_loads(full: Synth, minimal: Synth) -> None:
    for synth in (full, minimal):
        (group,) = synth.resources("AWS::RDS::DBParameterGroup").values()
        parameters = group["Properties"]["Parameters"]
        assert parameters["rds.force_ssl"] == "1"
        assert parameters["wal_buffers"] == "2048"  # 8 kB pages: 16 MB


def test_database_outside_production_can_be_torn_down(minimal: Synth) -> None:
    (instance,) = minimal.resources("AWS::RDS::DBInstance").values()
    assert instance["Properties"]["DeletionProtection"] is False
    assert instance["Properties"]["MultiAZ"] is False
    assert instance["DeletionPolicy"] == "Delete"
    assert instance["Properties"]["PubliclyAccessible"] is False


def test_only_the_functions_and_the_proxy_reach_the_database(full: Synth) -> None:
    db_sg = full.logical_id(full.stack.database.security_group)
    function_sg = full.logical_id(full.stack.network.function_sg)
    ingress = [
        r["Properties"]
        for r in full.resources("AWS::EC2::SecurityGroupIngress").values()
        if ref(r["Properties"]["GroupId"]) == db_sg
    ]
    proxy_sg = full.logical_id(full.stack.database.node.find_child("ProxySg"))
    assert {ref(rule["SourceSecurityGroupId"]) for rule in ingress} == {function_sg, proxy_sg}
    assert len(ingress) == 2
    instance_id = full.stack.get_logical_id(full.stack.database.instance.node.default_child)
    for rule in ingress:
        assert ref(rule["FromPort"]) == ref(rule["ToPort"]) == instance_id  # the instance's port
    proxy_ingress = [
        r["Properties"]
        for r in full.resources("AWS::EC2::SecurityGroupIngress").values()
        if ref(r["Properties"]["GroupId"]) == proxy_sg
    ]
    assert [ref(rule["SourceSecurityGroupId"]) for rule in proxy_ingress] == [function_sg]
    assert full.template["Resources"][instance_id]["Properties"]["Port"] == "5432"
    inline = full.template["Resources"][db_sg]["Properties"].get("SecurityGroupIngress", [])
    assert inline == []
    for props in (function_props(full, name) for name in full.stack.functions):
        assert [ref(g) for g in props["VpcConfig"]["SecurityGroupIds"]] == [function_sg]


def test_vpc_has_explicit_zones_no_internet_path_and_the_needed_endpoints(full: Synth) -> None:
    subnets = full.resources("AWS::EC2::Subnet").values()
    assert {s["Properties"]["AvailabilityZone"] for s in subnets} == {"eu-west-1a", "eu-west-1b"}
    assert all(s["Properties"]["MapPublicIpOnLaunch"] is False for s in subnets)
    assert not full.resources("AWS::EC2::InternetGateway")
    assert not full.resources("AWS::EC2::NatGateway")
    endpoints = list(full.resources("AWS::EC2::VPCEndpoint").values())
    services = set()
    for endpoint in endpoints:
        name = endpoint["Properties"]["ServiceName"]
        services.add(name if isinstance(name, str) else json.dumps(name))
        if endpoint["Properties"].get("VpcEndpointType") == "Interface":
            assert endpoint["Properties"]["PrivateDnsEnabled"] is True
    assert any(s.endswith(".s3") or "s3" in s for s in services)
    for service in ("secretsmanager", "email", "lambda"):
        assert any(s.endswith(f".{service}") for s in services), service
    interface = [e for e in endpoints if e["Properties"].get("VpcEndpointType") == "Interface"]
    assert len(interface) == 3
    assert all(len(e["Properties"]["SubnetIds"]) == 2 for e in interface)  # production: one per AZ


def test_outside_production_interface_endpoints_use_one_zone(minimal: Synth) -> None:
    interface = [
        e
        for e in minimal.resources("AWS::EC2::VPCEndpoint").values()
        if e["Properties"].get("VpcEndpointType") == "Interface"
    ]
    assert len(interface) == 3
    assert all(len(e["Properties"]["SubnetIds"]) == 1 for e in interface)


# ------------------------------------------------------------------ functions


def test_every_function_has_the_layer_runtime_tracing_and_powertools_env(full: Synth) -> None:
    layer_id = full.logical_id(full.stack.layer)
    assert set(full.stack.functions) == set(FUNCTIONS)
    for name in FUNCTIONS:
        props = function_props(full, name)
        assert [ref(layer) for layer in props["Layers"]] == [layer_id], name
        assert props["Runtime"] == "python3.12" and props["Architectures"] == ["arm64"], name
        assert props["Handler"] == "handler.lambda_handler", name
        assert props["TracingConfig"] == {"Mode": "Active"}, name
        env = props["Environment"]["Variables"]
        assert env["POWERTOOLS_SERVICE_NAME"] == name
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == METRICS_NAMESPACE
        assert env["POWERTOOLS_LOG_LEVEL"] == "INFO"
        assert env["PYDANTIC_DISABLE_PLUGINS"] == "__all__"  # no entry-point scan at cold start
        assert env["STAGE"] == "prod" and env["REPORTING_TIMEZONE"] == "America/New_York"
        # statements end before Lambda kills the process, and a 1M-row load (~1 min) fits
        assert int(env["DB_STATEMENT_TIMEOUT_MS"]) < props["Timeout"] * 1000, name
        log_group = full.template["Resources"][ref(props["LoggingConfig"]["LogGroup"])]
        assert log_group["Properties"]["RetentionInDays"] == 30
    layer = full.template["Resources"][layer_id]  # (the others are BucketDeployment's aws cli)
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.12"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]


def test_each_function_connects_with_its_own_roles_secret(full: Synth) -> None:
    database = full.stack.database
    expected = {
        **{name: (database.role_secrets["worker"], "dash_worker") for name in WORKER_FUNCTIONS},
        **{name: (database.role_secrets["api"], "dash_api") for name in API_FUNCTIONS},
    }
    for name, (secret, user) in expected.items():
        env = function_props(full, name)["Environment"]["Variables"]
        assert ref(env["DATABASE_SECRET_ARN"]) == full.logical_id(secret), name
        assert env["DB_USER"] == user
    migrate_env = function_props(full, "migrate")["Environment"]["Variables"]
    master = full.stack.get_logical_id(database.master_secret.node.default_child)
    assert ref(migrate_env["DATABASE_SECRET_ARN"]) == master
    assert ref(migrate_env["API_ROLE_SECRET_ARN"]) == full.logical_id(database.role_secrets["api"])
    assert ref(migrate_env["WORKER_ROLE_SECRET_ARN"]) == full.logical_id(database.role_secrets["worker"])
    # The role secrets carry the instance's endpoint, so Database.from_settings can connect.
    secret = full.template["Resources"][full.logical_id(database.role_secrets["api"])]
    generate = secret["Properties"]["GenerateSecretString"]
    assert generate["GenerateStringKey"] == "password"
    template_refs = refs_in(generate["SecretStringTemplate"])
    assert template_refs == {full.stack.get_logical_id(database.instance.node.default_child)}
    for field in ('\\"username\\":\\"dash_api\\"', '\\"dbname\\":\\"dashboard\\"'):
        assert field in json.dumps(generate["SecretStringTemplate"])


def test_settings_reach_the_functions_that_use_them(full: Synth) -> None:
    for name in ("ingest", "missing_file_check", "weekly_summary", "monthly_summary"):
        env = function_props(full, name)["Environment"]["Variables"]
        assert env["ALERT_SENDER"] == "alerts@agency.example"
        assert env["ALERT_RECIPIENTS"] == "ops@agency.example,lead@agency.example"
        assert ref(env["LANDING_BUCKET"]) == full.logical_id(full.stack.landing_bucket)
    partner = function_props(full, "partner_sync")["Environment"]["Variables"]
    assert ref(partner["LANDING_BUCKET"]) == full.logical_id(full.stack.landing_bucket)
    assert "ALERT_SENDER" not in partner
    assert (partner["PARTNER_BUCKET"], partner["PARTNER_PREFIX"]) == ("partner-drop-bucket", "agency/daily/")
    assert function_props(full, "missing_file_check")["Environment"]["Variables"]["MISSING_FILE_CHECK_HOUR"] == "10"
    assert int(function_props(full, "ingest")["Environment"]["Variables"]["DB_STATEMENT_TIMEOUT_MS"]) >= 600_000
    admin = function_props(full, "api_admin")["Environment"]["Variables"]
    assert ref(admin["INGEST_FUNCTION_NAME"]) == function_id(full, "ingest")
    for name in API_FUNCTIONS:
        env = function_props(full, name)["Environment"]["Variables"]
        assert ref(env["JWT_SECRET_ARN"]) == full.logical_id(full.stack.jwt_secret)
        assert "ALERT_SENDER" not in env
        # tokens and temporary passwords must not end up in X-Ray trace metadata
        assert env["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"


# What each function may do, beyond reading its own database secret and writing X-Ray traces.
EXPECTED_EXTRA_ACTIONS = {
    # sqs: the on-failure destination (the ingest DLQ).
    # GetObjectVersion: it reads the version its event announces.
    "ingest": {"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "ses:SendEmail", "ses:SendRawEmail"}
    | {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"},
    "missing_file_check": {"ses:SendEmail", "ses:SendRawEmail"},
    # GetObject/ListBucket on the partner prefix, PutObject on the landing bucket (CopyObject).
    "partner_sync": {"s3:GetObject", "s3:PutObject", "s3:ListBucket"},
    "weekly_summary": {"ses:SendEmail", "ses:SendRawEmail"},
    "monthly_summary": {"ses:SendEmail", "ses:SendRawEmail"},
    "api_auth": set(),
    # PutObject: the presigned browser uploads are signed with this role (upload prefixes only).
    "api_admin": {"lambda:InvokeFunction", "s3:PutObject"},
    "api_clients": set(),
    "migrate": set(),
}
BASE_ACTIONS = {
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_EXTRA_ACTIONS))
def test_each_function_has_only_the_permissions_it_needs(full: Synth, name: str) -> None:
    statements = policy_statements(full, name)
    assert actions_of(statements) == BASE_ACTIONS | EXPECTED_EXTRA_ACTIONS[name]
    for statement in statements:
        assert statement["Effect"] == "Allow"
        if statement["Resource"] == "*":
            # Only X-Ray lacks resource-level permissions.
            assert actions_of([statement]) <= {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
    secrets = {
        target
        for statement in statements
        if actions_of([statement]) & {"secretsmanager:GetSecretValue"}
        for target in refs_in(statement["Resource"])
    }
    database = full.stack.database
    master = full.stack.get_logical_id(database.master_secret.node.default_child)
    api, worker = full.logical_id(database.role_secrets["api"]), full.logical_id(database.role_secrets["worker"])
    jwt = full.logical_id(full.stack.jwt_secret)
    expected_secrets = {
        "migrate": {master, api, worker},
        **{n: {api, jwt} for n in API_FUNCTIONS},
        **{n: {worker} for n in WORKER_FUNCTIONS},
    }[name]
    if name == "api_auth":  # the login throttle trusts CloudFront's viewer address with it
        expected_secrets = expected_secrets | {full.logical_id(full.stack.origin_secret)}
    # Secret ARNs are referenced directly (Ref); anything else would be a broader grant.
    assert secrets == expected_secrets


def test_s3_and_ses_grants_are_scoped(full: Synth) -> None:
    landing = full.logical_id(full.stack.landing_bucket)
    for statement in policy_statements(full, "ingest"):
        if actions_of([statement]) & {"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"}:
            assert refs_in(statement["Resource"]) == {landing}
    partner_statements = policy_statements(full, "partner_sync")
    partner_resources = json.dumps([s["Resource"] for s in partner_statements])
    assert "partner-drop-bucket/agency/daily/*" in partner_resources
    landing_actions = actions_of([s for s in partner_statements if landing in refs_in(s["Resource"])])
    assert landing_actions == {"s3:PutObject"}  # it never reads the landing bucket
    (list_partner,) = [
        s for s in partner_statements if s["Action"] == "s3:ListBucket" and "partner-drop-bucket" in json.dumps(s)
    ]
    assert list_partner["Condition"] == {"StringLike": {"s3:prefix": ["agency/daily/*"]}}
    (dlq,) = [s for s in policy_statements(full, "ingest") if "sqs:SendMessage" in actions_of([s])]
    assert refs_in(dlq["Resource"]) == {full.logical_id(full.stack.ingest_dlq)}
    (ses_statement,) = [s for s in policy_statements(full, "ingest") if "ses:SendEmail" in actions_of([s])]
    assert ses_statement["Condition"] == {"StringEquals": {"ses:FromAddress": "alerts@agency.example"}}
    identities = json.dumps(ses_statement["Resource"])
    for identity in ("identity/alerts@agency.example", "identity/agency.example", "identity/ops@agency.example"):
        assert identity in identities
    assert "identity/*" not in identities
    (invoke,) = [s for s in policy_statements(full, "api_admin") if "lambda:InvokeFunction" in actions_of([s])]
    assert refs_in(invoke["Resource"]) == {function_id(full, "ingest")}


def test_admin_uploads_may_only_put_under_the_upload_prefixes(full: Synth) -> None:
    landing = full.logical_id(full.stack.landing_bucket)
    (put,) = [s for s in policy_statements(full, "api_admin") if "s3:PutObject" in actions_of([s])]
    assert actions_of([put]) == {"s3:PutObject"}
    assert refs_in(put["Resource"]) == {landing}
    resources = json.dumps(put["Resource"])
    assert "/uploads/*" in resources and "/clients/*/uploads/*" in resources
    # never the whole bucket: a presigned POST must not overwrite partner files
    assert '"/*"' not in resources
    for name in ("api_auth", "api_clients"):
        assert not {a for a in actions_of(policy_statements(full, name)) if a.startswith("s3:")}, name


def test_without_a_sender_no_function_may_send_email(minimal: Synth) -> None:
    assert not minimal.resources("AWS::SES::EmailIdentity")
    for name in minimal.stack.functions:
        assert not {a for a in actions_of(policy_statements(minimal, name)) if a.startswith("ses:")}, name


# ------------------------------------------------------------------ migrations, SES, alarms


def test_migrations_custom_resource_reruns_when_a_migration_changes(full: Synth) -> None:
    from infra.database import migrations_hash

    (resource_id, resource), *rest = full.resources("Custom::DatabaseMigrations").items()
    assert not rest
    props = resource["Properties"]
    assert props["MigrationsHash"] == migrations_hash()
    provider_functions = {ref(props["ServiceToken"])}
    assert provider_functions  # the provider framework's onEvent function
    framework = full.template["Resources"][ref(props["ServiceToken"])]
    assert function_id(full, "migrate") in refs_in(framework["Properties"]["Environment"])
    depends = resource.get("DependsOn", [])
    assert full.stack.get_logical_id(full.stack.database.instance.node.default_child) in depends
    # Every other function waits for the schema on the first deploy.
    ingest = full.template["Resources"][function_id(full, "ingest")]
    assert resource_id in ingest["DependsOn"]


def test_migrations_hash_changes_with_the_files(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import infra.database as database

    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    monkeypatch.setattr(database, "MIGRATIONS_DIR", tmp_path)
    before = database.migrations_hash()
    (tmp_path / "0002_b.sql").write_text("SELECT 2;")
    assert database.migrations_hash() != before


def test_ses_identity_for_the_sender(full: Synth) -> None:
    (identity,) = full.resources("AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == "alerts@agency.example"


def test_alarms_notify_the_admins_by_email(full: Synth) -> None:
    topic_id = full.logical_id(full.stack.monitoring.topic)
    subscriptions = {
        s["Properties"]["Endpoint"]
        for s in full.resources("AWS::SNS::Subscription").values()
        if ref(s["Properties"]["TopicArn"]) == topic_id and s["Properties"]["Protocol"] == "email"
    }
    assert subscriptions == {"ops@agency.example", "lead@agency.example"}
    alarms = list(full.resources("AWS::CloudWatch::Alarm").values())
    for alarm in alarms:
        assert [ref(a) for a in alarm["Properties"]["AlarmActions"]] == [topic_id]

    def alarm_on(metric_name: str) -> list[dict[str, Any]]:
        return [a["Properties"] for a in alarms if a["Properties"].get("MetricName") == metric_name]

    (failed,) = alarm_on("IngestionRunsFailed")
    assert failed["Namespace"] == METRICS_NAMESPACE
    assert failed["Dimensions"] == [{"Name": "service", "Value": "ingest"}]
    depth = alarm_on("ApproximateNumberOfMessagesVisible")
    assert {ref(a["Dimensions"][0]["Value"]) for a in depth} == {
        full.logical_id(full.stack.ingest_dlq),
        full.logical_id(full.stack.schedules_dlq),
    }
    (api_5xx,) = alarm_on("5XXError")
    assert api_5xx["Namespace"] == "AWS/ApiGateway"
    errors = alarm_on("Errors")
    assert {ref(a["Dimensions"][0]["Value"]) for a in errors} == {function_id(full, n) for n in FUNCTIONS}


@pytest.mark.parametrize("shape", ["full", "minimal"])
def test_the_api_alarm_counts_only_server_errors(shape: str, request: pytest.FixtureRequest) -> None:
    # Bad input is a 4xx (SPEC §8) and must never page anyone: the one API alarm is on API
    # Gateway's 5XXError (the functions' 5xx, plus their crashes and timeouts), never on
    # 4XXError, request counts or the application's ApiClientErrors.
    synth: Synth = request.getfixturevalue(shape)
    alarms = [a["Properties"] for a in synth.resources("AWS::CloudWatch::Alarm").values()]
    (api_alarm,) = [a for a in alarms if a.get("Namespace") == "AWS/ApiGateway"]
    assert api_alarm["MetricName"] == "5XXError"
    assert api_alarm["Statistic"] == "Sum" and api_alarm["Period"] == 300 and api_alarm["Threshold"] == 5
    assert api_alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert api_alarm["Dimensions"] == [{"Name": "ApiName", "Value": synth.stack.settings.stack_name}]
    client_side = {"4XXError", "Count", "ApiClientErrors", "ApiResponses"}
    assert not [a for a in alarms if a.get("MetricName") in client_side]


def test_no_alarm_email_without_recipients(minimal: Synth) -> None:
    assert not minimal.resources("AWS::SNS::Subscription")
    assert minimal.resources("AWS::CloudWatch::Alarm")


def test_every_function_environment_variable_is_a_setting_and_validates(full: Synth) -> None:
    from shared.settings import Settings

    fields = {name.upper() for name in Settings.model_fields}
    for name in FUNCTIONS:
        env = function_props(full, name)["Environment"]["Variables"]
        # POWERTOOLS_* and PYDANTIC_* are read by those libraries themselves, not by Settings.
        unknown = {key for key in env if key not in fields and not key.startswith(("POWERTOOLS_", "PYDANTIC_"))}
        assert unknown == set(), f"{name}: {unknown} are not Settings fields (typo?)"
        # CloudFormation references become placeholder strings; the rest must validate as-is.
        resolved = {key: value if isinstance(value, str) else f"resolved-{key.lower()}" for key, value in env.items()}
        settings = Settings.from_env(resolved)
        assert settings.stage == "prod" and settings.reporting_timezone == "America/New_York"
        if "ALERT_RECIPIENTS" in env:
            assert settings.alert_recipients == ["ops@agency.example", "lead@agency.example"]


# ------------------------------------------------------------------ RDS Proxy


def test_production_puts_rds_proxy_in_front_of_the_application_roles(full: Synth) -> None:
    (proxy,) = full.resources("AWS::RDS::DBProxy").values()
    props = proxy["Properties"]
    assert props["RequireTLS"] is True and props["EngineFamily"] == "POSTGRESQL"
    secrets = {ref(auth["SecretArn"]) for auth in props["Auth"]}
    database = full.stack.database
    assert secrets == {full.logical_id(database.role_secrets[k]) for k in ("api", "worker")}
    (proxy_id,) = full.resources("AWS::RDS::DBProxy")
    for name in ("api_clients", "ingest"):
        host = function_props(full, name)["Environment"]["Variables"]["DB_HOST"]
        assert host == {"Fn::GetAtt": [proxy_id, "Endpoint"]}, name
    # the migrations connect as the master user, directly to the instance
    assert "DB_HOST" not in function_props(full, "migrate")["Environment"]["Variables"]


def test_no_proxy_and_no_reserved_concurrency_outside_production(minimal: Synth) -> None:
    assert not minimal.resources("AWS::RDS::DBProxy")
    assert "DB_HOST" not in function_props(minimal, "ingest")["Environment"]["Variables"]


def test_production_limits_ingest_concurrency_by_default() -> None:
    from infra.config import PROD_INGEST_CONCURRENCY, DeploySettings

    assert DeploySettings(stage="prod").ingest_concurrency == PROD_INGEST_CONCURRENCY
    assert DeploySettings(stage="prod", ingest_reserved_concurrency=2).ingest_concurrency == 2
    assert DeploySettings(stage="dev").ingest_concurrency is None
    assert DeploySettings(stage="prod").use_db_proxy and not DeploySettings(stage="dev").use_db_proxy
    assert DeploySettings(stage="dev", db_proxy=True).use_db_proxy
    assert DeploySettings(stage="prod", db_proxy=False).use_db_proxy is False


def test_the_proxy_target_group_carries_no_tags_cloudformation_would_refuse(full: Synth) -> None:
    (target_group,) = full.resources("AWS::RDS::DBProxyTargetGroup").values()
    assert "Tags" not in target_group["Properties"]
    # every other taggable resource still carries the stack's tags
    (proxy,) = full.resources("AWS::RDS::DBProxy").values()
    assert {"Key": "stage", "Value": "prod"} in proxy["Properties"]["Tags"]
    # Unique per stack (flag databaseProxyUniqueResourceName), so two stages can share an account.
    assert proxy["Properties"]["DBProxyName"] != "Proxy"
