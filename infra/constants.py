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
