"""Names shared by the CDK stack, its tests and the local stack. Plain Python: no CDK imports.

Each Lambda lives in `functions/<directory>/handler.py` and exposes `lambda_handler`.
"""

from __future__ import annotations

SERVICE_NAME = "paid-media-dashboard"
METRICS_NAMESPACE = "PaidMediaDashboard"

# Function directory -> what it does.
FUNCTIONS: dict[str, str] = {
    "ingest": "S3 ObjectCreated -> load a partner CSV into daily_metrics",
    "missing_file_check": "daily: alert for active clients with no successful load yesterday",
    "partner_sync": "scheduled: copy new objects from the partner bucket into the landing bucket",
    "weekly_summary": "Monday 05:00 (reporting timezone): weekly summaries and the digest email",
    "monthly_summary": "1st of the month 05:00: monthly summaries",
    "api_auth": "API: /health, /openapi.json, /auth/*, /me*",
    "api_admin": "API: /admin/*",
    "api_clients": "API: /clients*",
    "migrate": "CloudFormation custom resource: apply the SQL migrations on every deploy",
}

# API path prefixes -> the function that serves them. The first matching prefix wins;
# a prefix matches the path itself and anything below it.
API_ROUTES: tuple[tuple[str, str], ...] = (
    ("/health", "api_auth"),
    ("/openapi.json", "api_auth"),
    ("/auth", "api_auth"),
    ("/me", "api_auth"),
    ("/admin", "api_admin"),
    ("/clients", "api_clients"),
)


def api_function_for(path: str) -> str | None:
    """The function directory serving `path`, or None for an unknown path."""
    for prefix, function in API_ROUTES:
        if path == prefix or path.startswith(prefix + "/"):
            return function
    return None


# ---------------------------------------------------------------- the web app (SPEC §11)
# Same origin: the browser reaches the API under this prefix; CloudFront (and the local
# stack) strip it before the request reaches API Gateway.
WEB_API_PREFIX = "/api"
# The browser-visible path of the refresh-token cookie (the API's REFRESH_COOKIE_PATH).
REFRESH_COOKIE_PATH = WEB_API_PREFIX + "/auth"
REFRESH_REUSE_GRACE_SECONDS = 30
# The web app's runtime `config.json` (deployed beside the built files; the local origin
# serves the same with stage "local"). Read by the app at start-up.
WEB_RUNTIME_CONFIG: dict[str, str] = {"apiBaseUrl": WEB_API_PREFIX}
# Behind CloudFront (shared.api.viewer, infra.waf): CloudFront adds the origin-verify header,
# whose value is a generated secret, to every request to the API; the /api/* viewer-request
# function sets the viewer's IP (no port) in VIEWER_IP_HEADER for the WAF's per-viewer count.
# The API reads the same lowercase names.
ORIGIN_VERIFY_HEADER = "x-origin-verify"
VIEWER_IP_HEADER = "x-viewer-ip"
LOGIN_PATH = "/auth/login"
# Built files that carry a content hash in their name: cached for a year, never revalidated.
WEB_IMMUTABLE_PREFIX = "/assets/"
WEB_IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
# Everything else (index.html, config.json, favicon): always fetched fresh.
WEB_FRESH_CACHE = "no-store"


# Strict CSP: scripts and connections only from our own origin (no inline script, no eval).
# Inline *style attributes* are allowed: React and Recharts set element styles, which a
# style-src without 'unsafe-inline' would break, and styles cannot run code.
def web_content_security_policy(upload_origins: tuple[str, ...] = ()) -> str:
    """The CSP; `upload_origins` may also be connected to: the landing bucket's S3 origins,
    where the admin portal posts browser uploads with a presigned POST (moto locally)."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            " ".join(("connect-src 'self'", *upload_origins)),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


WEB_CONTENT_SECURITY_POLICY = web_content_security_policy()
WEB_REFERRER_POLICY = "strict-origin-when-cross-origin"
# HSTS: two years, subdomains (only meaningful over HTTPS, so the local stack omits it).
WEB_HSTS_SECONDS = 63_072_000
# Security headers every web response carries (CloudFront's response-headers policy and
# the local stack's web server, from this one table).
WEB_SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": WEB_CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": WEB_REFERRER_POLICY,
}
