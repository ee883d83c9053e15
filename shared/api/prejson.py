"""Responses whose long lists are already JSON text: the overview's daily series.

A route returns `PreSerialised(head, series=JsonText(...), ...)`: `head` is its response
model with those fields empty (`[]`, or None for a null one), and the keyword arguments
are those fields' JSON text, in the model's order and as its last fields. `create_resolver`
wraps Powertools' response validation with `PreSerialisedLast`: the head goes through the
same validation and serialisation as any response (so every other field is checked and
written exactly as before), then the pre-serialised text replaces the empty values. The
text comes from code proved equal to the validated path (`shared.dashboard.daily_json`
and its tests), so the body is the same bytes, without validating 730 day objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler.middlewares import BaseMiddlewareHandler, NextMiddleware

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response
    from pydantic import BaseModel

__all__ = ["PreSerialised", "PreSerialisedLast"]


class PreSerialised:
    """A response model whose last fields arrive as JSON text (None: JSON null)."""

    __slots__ = ("head", "tail")

    def __init__(self, head: BaseModel, **tail: str | None) -> None:
        self.head = head
        self.tail = tail

    def splice(self, head_json: str) -> str:
        """The full body: `head_json` (the head serialised, the tail fields last, empty) with
        each tail field's text in place of its empty value."""
        empty = "".join(f',"{name}":{"null" if text is None else "[]"}' for name, text in self.tail.items()) + "}"
        if not head_json.endswith(empty):
            raise ValueError(f"the serialised head does not end with its empty tail fields {list(self.tail)}")
        filled = "".join(f',"{name}":{"null" if text is None else text}' for name, text in self.tail.items())
        return head_json[: -len(empty)] + filled + "}"


class PreSerialisedLast(BaseMiddlewareHandler):
    """Powertools' response validation, except that a `PreSerialised` body has its head
    validated and serialised like any response, then its tail spliced in (see above)."""

    def __init__(self, validation: Any, serializer: Any) -> None:
        self._validation = validation
        self._serializer = serializer

    def handler(self, app: Any, next_middleware: NextMiddleware) -> Response:
        response = next_middleware(app)
        body = response.body
        if not isinstance(body, PreSerialised):
            return self._validation._handle_response(route=app.context["_route"], response=response)  # type: ignore[no-any-return]
        response.body = body.head
        response = self._validation._handle_response(route=app.context["_route"], response=response)
        response.body = body.splice(self._serializer(response.body))
        return response
