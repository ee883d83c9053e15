"""The API's strict input layer, applied the same way by every router (SPEC §8 "Bad input
never answers 5xx").

`check_request` runs for every matched route after authentication and before Powertools'
own validation (see `shared.api.security.SecurityFirst`):

- query parameters: only the route's own names (an unknown one is a 400 that names it and
  lists the allowed ones), each value short and free of control characters;
- a JSON body (routes that take one): only with a JSON content type (415 otherwise), at most
  `MAX_BODY_BYTES`, valid UTF-8, nesting at most `MAX_JSON_DEPTH` deep and no number literal
  longer than `MAX_NUMBER_CHARS` — checked on the text, before parsing — then valid JSON
  whose strings hold no NUL byte or lone surrogate.

Scalar values are parsed by `shared.validation` (ASCII digits, bounded integers, dates
between `MIN_DATA_DATE` and a year ahead, text without control characters): the clients
router calls it through `shared.dashboard.params`, the admin and auth routers through the
annotated types below. Every fault is an `InvalidInput` (400) naming the field, or
`UnsupportedMediaType` (415).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import AfterValidator, BeforeValidator

from shared import validation
from shared.api import deps
from shared.errors import InvalidInput, UnsupportedMediaType

MAX_BODY_BYTES = 262_144
MAX_JSON_DEPTH = 32
MAX_NUMBER_CHARS = 64
MAX_QUERY_VALUE_CHARS = 2048
_CLIP = 40

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_LONG_NUMBER = re.compile(r"[-+0-9.eE]{%d,}" % (MAX_NUMBER_CHARS + 1))  # noqa: UP031 - a regex quantifier


def date_bounds() -> validation.DateBounds:
    """The dates any request may name: `MIN_DATA_DATE` to a year after today."""
    return validation.DateBounds.around(deps.settings().min_data_date)


def _clip(text: str) -> str:
    """A caller's text, safe to echo: escaped (repr) and short."""
    shown = ascii(text[:_CLIP])
    return shown + ("..." if len(text) > _CLIP else "")


def _header(event: dict[str, Any], name: str) -> str:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value or "")
    return ""


# ---------------------------------------------------------------- the request guard


def check_query(event: dict[str, Any], allowed: set[str]) -> None:
    """Only `allowed` names, each value bounded and free of control characters."""
    values: dict[str, list[str]] = {}
    for name, items in (event.get("multiValueQueryStringParameters") or {}).items():
        values.setdefault(name, []).extend(items or [])
    for name, item in (event.get("queryStringParameters") or {}).items():
        values.setdefault(name, []).append(item)
    for name in sorted(values):
        if name not in allowed:
            listed = ", ".join(sorted(allowed)) if allowed else "none"
            raise InvalidInput(f"unknown query parameter {_clip(name)}; allowed: {listed}")
        for value in values[name]:
            if value is None:
                continue
            if len(value) > MAX_QUERY_VALUE_CHARS:
                raise InvalidInput(f"{name} is longer than {MAX_QUERY_VALUE_CHARS} characters")
            validation.check_text(value, field=name)


def check_media_type(event: dict[str, Any]) -> None:
    """A JSON content type (`application/json` or `application/*+json`, in any letter case)
    in UTF-8, else `UnsupportedMediaType` (415)."""
    media, _, parameters = _header(event, "content-type").partition(";")
    media = media.strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise UnsupportedMediaType("the request body must be JSON (Content-Type: application/json)")
    charset = next(
        (p.split("=", 1)[1].strip().strip('"').lower() for p in parameters.split(";") if "=" in p and
         p.split("=", 1)[0].strip().lower() == "charset"),
        "utf-8",
    )  # fmt: skip
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType("the request body must be UTF-8 JSON (charset=utf-8)")


def body_text(event: dict[str, Any]) -> str:
    """The request body as checked text (content type, size, encoding, shape before parsing)."""
    check_media_type(event)
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("the request body is not valid base64") from None
        if len(data) > MAX_BODY_BYTES:
            raise InvalidInput(f"the request body is larger than {MAX_BODY_BYTES} bytes")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"the request body is not valid UTF-8 (byte {exc.start})") from None
    else:
        text = raw
        if len(text) > MAX_BODY_BYTES:
            raise InvalidInput(f"the request body is larger than {MAX_BODY_BYTES} bytes")
    _check_shape(text)
    return text


def _check_shape(text: str) -> None:
    """Depth and number-size limits on the raw text: json.loads recurses per level and
    converts a 100,000-digit integer slowly (or refuses it with a ValueError)."""
    outside_strings = _JSON_STRING.sub('""', text)
    depth = deepest = 0
    for match in _BRACKETS.finditer(outside_strings):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            raise InvalidInput(f"the request body nests deeper than {MAX_JSON_DEPTH} levels")
    if _LONG_NUMBER.search(outside_strings):
        raise InvalidInput(f"a number in the request body is longer than {MAX_NUMBER_CHARS} characters")


def _refuse_constant(name: str) -> Any:
    raise InvalidInput(f"the request body is not valid JSON ({name} is not a number)")


def parse_body(text: str) -> Any:
    """Strict JSON (no NaN/Infinity), every string storable; faults name the field."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"the request body is not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError):
        raise InvalidInput("the request body is not valid JSON") from None
    _check_strings(value, "body")
    return value


def _check_strings(value: Any, path: str) -> None:
    if isinstance(value, str):
        validation.check_storable(value, field=path)
    elif isinstance(value, dict):
        for key, item in value.items():
            validation.check_storable(key, field=f"{path} key {_clip(key)}")
            _check_strings(item, key if path == "body" else f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_strings(item, f"{path}[{index}]")


def check_request(app: Any, route: Any) -> None:
    """The guard `SecurityFirst` runs for the matched route (see the module docstring)."""
    event = app.current_event.raw_event
    dependant = route.dependant
    check_query(event, {field.alias for field in dependant.query_params})
    if dependant.body_params and event.get("body"):
        parse_body(body_text(event))


# ---------------------------------------------------------------- typed parameters


def strict_int(field: str, *, minimum: int, maximum: int) -> BeforeValidator:
    """A typed integer parameter parsed by `shared.validation.parse_int` (not pydantic's
    lenient coercion, which accepts "+5", " 5", "5.0" and JSON numbers of any size)."""

    def parse(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum:
            return value
        return validation.parse_int(str(value) if isinstance(value, str) else "x", field=field, minimum=minimum,
                                    maximum=maximum)  # fmt: skip

    return BeforeValidator(parse)


def strict_decimal(field: str) -> BeforeValidator:
    """A typed decimal body field: a JSON number, or a string `shared.validation.parse_decimal`
    accepts (pydantic's Decimal takes Arabic-Indic and full-width digits and "1_000"); range and places are
    then the field's own constraints."""

    def parse(value: Any) -> Any:
        if value is None:
            return None  # an optional field's null: the field's type decides
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Decimal(str(value))  # JSON has no NaN or Infinity here (`parse_body`)
        if isinstance(value, str):
            return validation.parse_decimal(value, field=field)
        raise InvalidInput(f'{field} must be a decimal number (e.g. "4.25")')

    return BeforeValidator(parse)


def strict_date(field: str) -> BeforeValidator:
    """A typed date (query or body): `YYYY-MM-DD` text between `MIN_DATA_DATE` and a year ahead
    (pydantic alone would take 0001-01-01, 9999-12-31 and Unix timestamps)."""

    def parse(value: Any) -> date:
        if not isinstance(value, str):
            raise InvalidInput(f"{field} must be a date in YYYY-MM-DD format")
        return validation.parse_date(value, field=field, bounds=date_bounds())

    return BeforeValidator(parse)


def plain_text(field: str) -> AfterValidator:
    """A name, email or label: no control characters (NUL included), no lone surrogates."""

    def check(value: str) -> str:
        return validation.check_text(value, field=field)

    return AfterValidator(check)
