"""Powertools logger, tracer and metrics shared by every function.

Service name and metrics namespace come from the standard Powertools environment variables
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE) set per function by the CDK stack.
Logs are structured: a constant lowercase message with data as keyword fields.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

METRICS_NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "PaidMediaDashboard")


class LazyTracer:
    """A Powertools `Tracer` created on first use instead of at import.

    Constructing a Tracer imports the X-Ray SDK, which builds a botocore session (~200 ms on
    these machines, more than everything else an API handler imports). Deferring it keeps the
    import of every handler small, and a process with tracing disabled (tests, the local
    stack) never pays it. In AWS the SDK loads during the first invocation instead.
    """

    def __init__(self) -> None:
        self._tracer: Tracer | None = None

    @property
    def tracer(self) -> Tracer:
        if self._tracer is None:
            self._tracer = Tracer()
        return self._tracer

    def capture_lambda_handler(self, handler: Callable[..., Any] | None = None, **options: Any) -> Any:
        """Same as `Tracer.capture_lambda_handler`, wrapping the handler on its first call."""
        if handler is None:
            return functools.partial(self.capture_lambda_handler, **options)
        traced: Callable[..., Any] | None = None

        @functools.wraps(handler)
        def wrapper(event: Any, context: Any) -> Any:
            nonlocal traced
            if traced is None:
                traced = self.tracer.capture_lambda_handler(handler, **options)
            return traced(event, context)

        return wrapper

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tracer, name)


logger = Logger()
tracer = LazyTracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
