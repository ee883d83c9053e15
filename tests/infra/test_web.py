"""CDK assertions for the web app (`infra/web.py`), on the real synthesized templates.

`full` deploys a stand-in build (`tests/infra/web_build`), `minimal` has no build at all
(the placeholder page). The two CloudFront Functions are run in Node on the same paths the
local web origin is tested with, so AWS and `make demo` route alike.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.constants import (
    REFRESH_COOKIE_PATH,
    WEB_CONTENT_SECURITY_POLICY,
    WEB_FRESH_CACHE,
    WEB_HSTS_SECONDS,
    WEB_IMMUTABLE_CACHE,
    WEB_REFERRER_POLICY,
)
from infra.web import MISSING_BUILD_WARNING, PLACEHOLDER_DIR, function_code
from local.web import api_target
from shared.settings import Settings
from tests.infra.conftest import WEB_BUILD, Synth

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def _one(synth: Synth, type_name: str) -> tuple[str, dict[str, Any]]:
    resources = synth.resources(type_name)
    assert len(resources) == 1, list(resources)
    return next(iter(resources.items()))


def _distribution(synth: Synth) -> dict[str, Any]:
    return _one(synth, "AWS::CloudFront::Distribution")[1]["Properties"]["DistributionConfig"]


def _web_bucket_id(synth: Synth) -> str:
    return synth.logical_id(synth.stack.web.bucket)


def _function_ids(synth: Synth) -> dict[str, str]:
    return {
        resource["Properties"]["Name"]: logical_id
        for logical_id, resource in synth.resources("AWS::CloudFront::Function").items()
    }


def _function_id(synth: Synth, fragment: str) -> str:
    return next(logical_id for name, logical_id in _function_ids(synth).items() if fragment in name)


# ---------------------------------------------------------------- bucket


def test_the_web_bucket_is_private_tls_only_and_logged(full: Synth) -> None:
    bucket = full.template["Resources"][_web_bucket_id(full)]
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "WebsiteConfiguration" not in properties  # served by CloudFront through OAC, not as a website
    assert properties["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert properties["LoggingConfiguration"]["LogFilePrefix"] == "web/"
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }


def test_only_this_distribution_may_read_the_bucket(full: Synth) -> None:
    (policy,) = [
        p
        for p in full.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": _web_bucket_id(full)}
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    source_arn = json.dumps(allow["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert full.logical_id(full.stack.web.distribution) in source_arn
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )
    _id, oac = _one(full, "AWS::CloudFront::OriginAccessControl")
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    assert oac["Properties"]["OriginAccessControlConfig"]["OriginAccessControlOriginType"] == "s3"


# ---------------------------------------------------------------- distribution


def test_the_default_behavior_serves_the_bucket_with_the_deep_link_rewrite(full: Synth) -> None:
    config = _distribution(full)
    default = config["DefaultCacheBehavior"]
    s3_origin = next(o for o in config["Origins"] if "S3OriginConfig" in o)
    assert default["TargetOriginId"] == s3_origin["Id"]
    assert s3_origin["OriginAccessControlId"]
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert default["AllowedMethods"] == ["GET", "HEAD"]
    assert default["CachePolicyId"] == CACHING_OPTIMIZED
    assert default["Compress"] is True
    assert default["FunctionAssociations"] == [
        {
            "EventType": "viewer-request",
            "FunctionARN": {"Fn::GetAtt": [_function_id(full, "SpaRewrite"), "FunctionARN"]},
        }
    ]
    assert config["DefaultRootObject"] == "index.html"


def test_api_paths_go_to_the_rest_api_stage_uncached_with_the_prefix_stripped(full: Synth) -> None:
    config = _distribution(full)
    (api,) = config["CacheBehaviors"]
    assert api["PathPattern"] == "/api/*"
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert api["ViewerProtocolPolicy"] == "https-only"  # a redirect would turn a POST into a GET
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert api["FunctionAssociations"] == [
        {
            "EventType": "viewer-request",
            "FunctionARN": {"Fn::GetAtt": [_function_id(full, "StripApiPrefix"), "FunctionARN"]},
        }
    ]
    origin = next(o for o in config["Origins"] if o["Id"] == api["TargetOriginId"])
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    # The origin path is the stage, cut from the API's URL (https://<id>.execute-api.../prod/):
    # /api/auth/login -> /auth/login -> /prod/auth/login at API Gateway.
    (separator, (slash, select)) = origin["OriginPath"]["Fn::Join"]
    assert (separator, slash) == ("", "/")
    index, (split_on, url) = select["Fn::Select"][0], select["Fn::Select"][1]["Fn::Split"]
    assert (index, split_on) == (3, "/")
    assert full.logical_id(full.stack.api.rest_api) in json.dumps(url)
    assert full.stack.settings.stage == "prod" and "prod" in json.dumps(url)
    assert full.logical_id(full.stack.api.rest_api) in json.dumps(origin["DomainName"])


def test_errors_are_never_rewritten_to_the_app_for_the_whole_distribution(full: Synth, minimal: Synth) -> None:
    # A distribution-wide 403/404 -> index.html would answer the API's JSON errors with HTML 200.
    for synth in (full, minimal):
        assert "CustomErrorResponses" not in _distribution(synth)


def test_access_logs_never_record_the_refresh_cookie(full: Synth) -> None:
    logging = _distribution(full)["Logging"]
    assert logging["IncludeCookies"] is False
    assert logging["Prefix"] == "cloudfront/"
    assert full.logical_id(full.stack.access_logs_bucket) in json.dumps(logging["Bucket"])


def test_both_behaviors_send_the_strict_security_headers(full: Synth) -> None:
    policy_id, policy = _one(full, "AWS::CloudFront::ResponseHeadersPolicy")
    config = _distribution(full)
    for behavior in (config["DefaultCacheBehavior"], *config["CacheBehaviors"]):
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": policy_id}
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = headers["ContentSecurityPolicy"]
    assert csp["Override"] is True
    text = _joined(csp["ContentSecurityPolicy"])
    directives = dict(d.strip().split(" ", 1) for d in text.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    # the page itself, and the landing bucket's S3 origins (the admin's presigned uploads)
    landing = full.logical_id(full.stack.landing_bucket)
    assert directives["connect-src"] == f"'self' https://<{landing}.DomainName> https://<{landing}.RegionalDomainName>"
    assert text.replace(directives["connect-src"], "'self'") == WEB_CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert headers["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": WEB_HSTS_SECONDS,
        "IncludeSubdomains": True,
        "Override": True,
    }
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert headers["ReferrerPolicy"] == {"ReferrerPolicy": WEB_REFERRER_POLICY, "Override": True}


def test_the_dashboard_url_is_a_stack_output(full: Synth, minimal: Synth) -> None:
    for synth in (full, minimal):
        value = synth.template["Outputs"]["DashboardUrl"]["Value"]
        assert value == {
            "Fn::Join": [
                "",
                ["https://", {"Fn::GetAtt": [synth.logical_id(synth.stack.web.distribution), "DomainName"]}],
            ]
        }


# ---------------------------------------------------------------- the CloudFront Functions


def _run_function(name: str, uris: list[str]) -> list[str]:
    node = shutil.which("node")
    assert node, "node is needed for the CDK tests (and installed by make install)"
    script = (
        function_code(name)
        + "\nconst uris = JSON.parse(process.argv[1]);"
        + "\nconst viewer = {ip: '198.51.100.1'};"
        + "\nconsole.log(JSON.stringify(uris.map(u => handler({viewer, request: {uri: u, headers: {}}}).uri)));"
    )
    result = subprocess.run(
        [node, "-e", script, json.dumps(uris)], capture_output=True, text=True, timeout=30, check=True
    )
    return list(json.loads(result.stdout))


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("/", "/index.html"),
        ("/clients/c-1", "/index.html"),
        ("/clients/c-1/campaigns/k-2", "/index.html"),
        ("/admin/users/", "/index.html"),
        ("/index.html", "/index.html"),
        ("/assets/index-abc123.js", "/assets/index-abc123.js"),
        ("/config.json", "/config.json"),
        ("/favicon.svg", "/favicon.svg"),
        ("/assets/missing.js", "/assets/missing.js"),  # stays a file: S3's 403, never the app
    ],
)
def test_the_spa_rewrite_sends_routes_to_index_html_and_leaves_files_alone(uri: str, expected: str) -> None:
    assert _run_function("spa_rewrite", [uri]) == [expected]


@pytest.mark.parametrize(
    "uri",
    ["/api/auth/login", "/api/auth/refresh", "/api/clients/c-1/report.pdf", "/api/", "/api/openapi.json"],
)
def test_the_api_prefix_is_stripped_exactly_as_the_local_web_origin_strips_it(uri: str) -> None:
    # CloudFront gives the function the path only (the query string travels separately).
    assert _run_function("strip_api_prefix", [uri]) == [api_target(uri)]


def test_the_strip_function_only_strips_a_whole_segment() -> None:
    # /api/* is the only behavior it runs on; even so it never eats part of a segment.
    assert _run_function("strip_api_prefix", ["/api/apis/x", "/api/api"]) == ["/apis/x", "/api"]


# ---------------------------------------------------------------- deploying the files


def _deployments(synth: Synth) -> list[dict[str, Any]]:
    return [r["Properties"] for r in synth.resources("Custom::CDKBucketDeployment").values()]


def _asset_dir(synth: Synth, object_key: str) -> Path:
    return synth.assembly_dir / f"asset.{object_key.removesuffix('.zip')}"


def test_hashed_assets_are_immutable_and_never_pruned_the_shell_is_fresh(full: Synth) -> None:
    deployments = _deployments(full)
    assert len(deployments) == 2
    (assets,) = [d for d in deployments if d.get("DestinationBucketKeyPrefix") == "assets/"]
    (shell,) = [d for d in deployments if "DestinationBucketKeyPrefix" not in d]
    assert assets["SystemMetadata"] == {"cache-control": WEB_IMMUTABLE_CACHE}
    assert assets["Prune"] is False  # an open tab with the previous index.html still finds its chunks
    assert sorted(p.name for p in _asset_dir(full, assets["SourceObjectKeys"][0]).iterdir()) == ["index-T3STb1d.js"]
    assert shell["SystemMetadata"] == {"cache-control": WEB_FRESH_CACHE}
    assert shell["Prune"] is True
    assert shell["Exclude"] == ["assets/*"]  # the shell's prune leaves the assets alone
    assert shell["DistributionPaths"] == ["/index.html", "/config.json"]
    files, config = (_asset_dir(full, key) for key in shell["SourceObjectKeys"])
    assert sorted(p.name for p in files.iterdir()) == ["favicon.svg", "index.html"]  # no assets/, no build config
    assert (files / "index.html").read_bytes() == (WEB_BUILD / "index.html").read_bytes()
    assert json.loads((config / "config.json").read_text()) == {"apiBaseUrl": "/api", "stage": "prod"}


def test_the_shell_goes_live_only_after_the_assets(full: Synth) -> None:
    resources = full.resources("Custom::CDKBucketDeployment")
    shell_id = next(k for k, v in resources.items() if "DestinationBucketKeyPrefix" not in v["Properties"])
    assets_id = next(k for k, v in resources.items() if "DestinationBucketKeyPrefix" in v["Properties"])
    assert assets_id in resources[shell_id]["DependsOn"]


def _metadata(synth: Synth) -> list[dict[str, Any]]:
    """Every metadata entry of the stack artifact (warnings live in its metadata file)."""
    manifest = json.loads((synth.assembly_dir / "manifest.json").read_text())
    artifact = manifest["artifacts"][synth.stack.stack_name]
    metadata = dict(artifact.get("metadata") or {})
    if artifact.get("additionalMetadataFile"):
        metadata.update(json.loads((synth.assembly_dir / artifact["additionalMetadataFile"]).read_text()))
    return [entry for entries in metadata.values() for entry in entries]


def test_without_a_build_the_placeholder_is_deployed_with_a_warning(minimal: Synth) -> None:
    # given no web/dist at synth time: synthesis still works
    (shell,) = _deployments(minimal)
    files, config = (_asset_dir(minimal, key) for key in shell["SourceObjectKeys"])
    assert (files / "index.html").read_bytes() == (PLACEHOLDER_DIR / "index.html").read_bytes()
    assert b"make web" in (files / "index.html").read_bytes()
    assert json.loads((config / "config.json").read_text()) == {"apiBaseUrl": "/api", "stage": "dev"}
    # and the synth output says why the dashboard is a placeholder
    messages = [entry["data"] for entry in _metadata(minimal) if entry["type"] == "aws:cdk:warning"]
    assert any(MISSING_BUILD_WARNING in str(message) for message in messages), messages


def test_a_build_synthesizes_without_the_warning(full: Synth) -> None:
    assert not [entry for entry in _metadata(full) if MISSING_BUILD_WARNING in str(entry.get("data"))]


# ---------------------------------------------------------------- the API's cookie settings


def test_the_api_scopes_its_refresh_cookie_to_the_path_the_browser_sees(full: Synth) -> None:
    auth = full.template["Resources"][full.logical_id(full.stack.functions["api_auth"])]
    env = auth["Properties"]["Environment"]["Variables"]
    assert env["REFRESH_COOKIE_PATH"] == REFRESH_COOKIE_PATH == "/api/auth"
    cookie_settings = Settings.from_env({k: v for k, v in env.items() if k.startswith("REFRESH_")})
    assert cookie_settings.refresh_cookie_path == REFRESH_COOKIE_PATH
    assert cookie_settings.refresh_reuse_grace_seconds == int(env["REFRESH_REUSE_GRACE_SECONDS"]) == 30
    # the API's own default agrees, so a function without the variable behaves the same
    assert Settings().refresh_cookie_path == REFRESH_COOKIE_PATH


def _joined(value: object) -> str:
    """A template string value with Fn::Join flattened and Fn::GetAtt shown as <Id.Attr>."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_joined(part) for part in parts)
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        resource, attribute = value["Fn::GetAtt"]
        return f"<{resource}.{attribute}>"
    raise AssertionError(f"unexpected template value {value!r}")


def test_the_landing_bucket_accepts_browser_upload_posts_only(full: Synth) -> None:
    landing = full.template["Resources"][full.logical_id(full.stack.landing_bucket)]
    (rule,) = landing["Properties"]["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedMethods"] == ["POST"]  # no GET/PUT/DELETE from a browser
    assert rule["AllowedOrigins"] == ["*"]  # the signed POST policy is the authorisation
