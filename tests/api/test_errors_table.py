"""The error table maps every domain error to a 4xx or a deliberate 5xx with a safe message."""

from __future__ import annotations

import importlib
import pkgutil
from http import HTTPStatus

import shared
from shared import errors
from shared.api.errors import STATUS_BY_ERROR, domain_error_response
from shared.aws.lambda_invoke import LambdaIngestionDispatcher  # noqa: F401 - imported for its errors
from shared.summaries.service import SummaryRunFailed


def _all_subclasses(kind: type) -> set[type]:
    found = set(kind.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_domain_error_in_shared_is_in_the_table() -> None:
    for module in pkgutil.walk_packages(shared.__path__, "shared."):
        importlib.import_module(module.name)
    for kind in _all_subclasses(errors.DomainError):
        assert any(issubclass(kind, mapped) for mapped in STATUS_BY_ERROR if mapped is not errors.DomainError) or (
            kind in (SummaryRunFailed,)
        ), f"{kind.__module__}.{kind.__name__} is not mapped explicitly"


def test_a_summaries_partial_failure_is_a_deliberate_500_with_a_safe_message() -> None:
    response = domain_error_response(SummaryRunFailed("1 of 3 weekly summaries failed", failed=[]))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert response.body == '{"message":"internal error"}' or "internal error" in str(response.body)


def test_a_failed_lambda_invoke_is_a_502_that_says_to_retry() -> None:
    response = domain_error_response(
        errors.UpstreamUnavailable("the ingestion function could not be invoked, retry later")
    )
    assert response.status_code == HTTPStatus.BAD_GATEWAY
    assert "retry later" in str(response.body)


def test_unsupported_media_type_is_415() -> None:
    assert domain_error_response(errors.UnsupportedMediaType("json only")).status_code == 415
