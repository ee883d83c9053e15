"""Powertools logger, tracer and metrics shared by every function.

Service name and metrics namespace come from the standard Powertools environment variables
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE) set per function by the CDK stack.
Logs are structured: a constant lowercase message with data as keyword fields.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer

METRICS_NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "PaidMediaDashboard")

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
