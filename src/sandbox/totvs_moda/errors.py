"""Error responses in the shapes TOTVS Moda uses (contract §10).

A 400 ``DomainNotificationMessage`` comes back as an object ``{code, message, detailedMessage}``, a
JSON array of such objects, or ``{messages: [{code, message, severity}]}``. The server picks the
shape from :class:`ErrorShape`; ``rotate`` cycles through all three, one per error.
"""

from __future__ import annotations

import enum
import itertools
from typing import Any

from sandbox.totvs_moda.wire import encode


class ErrorShape(enum.StrEnum):
    ROTATE = "rotate"
    OBJECT = "object"
    ARRAY = "array"
    MESSAGES = "messages"


class ApiError(Exception):
    """A business or validation failure the ERP reports as a ``DomainNotificationMessage``."""

    def __init__(
        self, message: str, *, code: str = "parameterValueField", status: int = 400
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class BadRequest(ApiError):
    pass


class NotFound(ApiError):
    """An unknown code in a request; TOTVS fails the whole request with 400 ``NotFound``."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="NotFound")


class ErrorBodies:
    def __init__(self, shape: ErrorShape = ErrorShape.ROTATE) -> None:
        self.shape = shape
        self._cycle = itertools.cycle((ErrorShape.OBJECT, ErrorShape.ARRAY, ErrorShape.MESSAGES))

    def render(self, error: ApiError) -> bytes:
        shape = next(self._cycle) if self.shape is ErrorShape.ROTATE else self.shape
        notification = {
            "code": error.code,
            "message": error.message,
            "detailedMessage": f"{error.code}: {error.message}",
        }
        body: Any
        if shape is ErrorShape.OBJECT:
            body = notification
        elif shape is ErrorShape.ARRAY:
            body = [notification]
        else:
            body = {
                "messages": [{"code": error.code, "message": error.message, "severity": "Error"}]
            }
        return encode(body)
