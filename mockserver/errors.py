"""One exception tree, and the one place that turns it into the error envelope.

Every error the mock answers on purpose is an :class:`ApiError` (a scripted
``Prefer: status=500`` included); :func:`error_response` is the only code that renders
one (FACTS.md's envelope ``{"success": false, "status": N, "error": {"type", "message",
"code"?, "details"?}}``). Anything else that escapes a handler is a bug of the mock, and
so is a strict-mode :class:`ContractViolation` (``is_bug``): it still answers
``500 InternalServerError``, and is recorded in the app's
:class:`~mixpeek_toolkit.mockserver.bugs.BugLog` (logged with its traceback, raised in
the test that caused it by the testing engine).

::

    MockServerError
    └── ApiError                      (status, message, code, details, headers)
        ├── BadRequest                400 BadRequestError
        │   ├── InvalidJson           400  the body is not JSON
        │   ├── NamespaceRequired     400  X-Namespace missing or malformed
        │   ├── InvalidPreference     400  a known Prefer preference with a bad value
        │   └── InvalidCursorError    400  a forged / altered / foreign cursor
        ├── Unauthorized              401 UnauthorizedError
        ├── Forbidden                 403 ForbiddenError
        ├── NotFound                  404 NotFoundError
        ├── MethodNotAllowed          405 (BadRequestError type; the spec has no 405 type)
        ├── Conflict                  409 AlreadyExistsError
        ├── RequestValidationFailed   422 ValidationError (details.validation_errors)
        │   └── BodyTooLarge          422  the body is over Settings.max_body_bytes
        ├── TooManyRequests           429 TooManyRequestsError (Retry-After, details)
        ├── InternalError             500 InternalServerError
        │   └── ContractViolation     500  strict mode: a response broke the spec (a bug)
        └── ServiceUnavailable        503 ServiceUnavailableError (Retry-After)
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import Response

from .. import spec
from ..generated.models import ErrorDetail, ErrorDetails, ErrorResponse, KnownErrorType
from .bugs import BugLog

__all__ = [
    "ApiError",
    "BadRequest",
    "BodyTooLarge",
    "Conflict",
    "ContractViolation",
    "Forbidden",
    "InternalError",
    "InvalidCursorError",
    "InvalidJson",
    "InvalidPreference",
    "MethodNotAllowed",
    "MockServerError",
    "NamespaceRequired",
    "NotFound",
    "RequestValidationFailed",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "error_for_status",
    "error_response",
    "is_bug",
]

_TYPE_BY_STATUS: Mapping[int, KnownErrorType] = {
    int(status): KnownErrorType(kind)
    for status, kind in spec.load_openapi()["components"]["schemas"]["KnownErrorType"][
        "x-type-by-status"
    ].items()
}


class MockServerError(Exception):
    """Root of every error the mock raises on purpose."""


class ApiError(MockServerError):
    """An error answered with the envelope. Subclasses fix ``status``; ``error_type``
    follows from it (the spec's ``x-type-by-status``) unless a subclass sets its own."""

    status: int = 500
    error_type: KnownErrorType = _TYPE_BY_STATUS[500]
    default_code: str | None = None
    is_bug: bool = False
    """True for an answer the mock gives because it went wrong (recorded as a bug)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "error_type" not in cls.__dict__:
            cls.error_type = _TYPE_BY_STATUS[cls.status]

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = dict(details) if details else None
        self.headers = dict(headers) if headers else {}


class BadRequest(ApiError):
    status = 400


class InvalidJson(BadRequest):
    default_code = "invalid_json"


class HeadersTooLarge(BadRequest):
    """The request's headers are over the size limit (``Settings.max_header_bytes``)."""

    default_code = "headers_too_large"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"The request headers take {size} bytes, more than the limit of {limit} bytes."
        )


class NamespaceRequired(BadRequest):
    default_code = "namespace_required"


class InvalidPreference(BadRequest):
    default_code = "invalid_preference"


class InvalidCursorError(BadRequest):
    default_code = "invalid_cursor"


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class MethodNotAllowed(ApiError):
    status = 405
    error_type = KnownErrorType.BAD_REQUEST_ERROR  # the spec names no type for 405
    default_code = "method_not_allowed"


class Conflict(ApiError):
    status = 409


class RequestValidationFailed(ApiError):
    """422 with ``details.validation_errors``: a list of ``{type, location, message}``."""

    status = 422

    def __init__(
        self,
        issues: Sequence[Mapping[str, Any]],
        message: str = "The request is invalid.",
        *,
        code: str | None = None,
    ) -> None:
        self.issues = [dict(issue) for issue in issues]
        super().__init__(message, code=code, details={"validation_errors": self.issues})


class BodyTooLarge(RequestValidationFailed):
    """The body is over the size limit (422: the spec documents no 413)."""

    def __init__(self, limit: int) -> None:
        message = f"The request body is larger than the limit of {limit} bytes."
        super().__init__(
            [{"type": "too_large", "location": ["body"], "message": message}],
            message,
            code="body_too_large",
        )


class TooManyRequests(ApiError):
    status = 429

    def __init__(self, *, limit: int, window: int, retry_after: int, message: str | None = None):
        super().__init__(
            message or f"Rate limit exceeded. Retry after {retry_after} seconds.",
            details={"limit": limit, "window": window, "retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


class InternalError(ApiError):
    status = 500


class ContractViolation(InternalError):
    """Strict mode: the mock was about to answer something the spec forbids."""

    default_code = "response_contract_violation"
    is_bug = True


class ServiceUnavailable(ApiError):
    status = 503


_BY_STATUS: dict[int, type[ApiError]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        RequestValidationFailed,
        TooManyRequests,
        InternalError,
        ServiceUnavailable,
    )
}


def error_for_status(
    status: int,
    message: str,
    *,
    retry_after: int = 1,
    rate_limit: int = 0,
    window: int = 1,
) -> ApiError:
    """The error a forced ``status=CODE`` scenario answers."""
    if status == 429:
        return TooManyRequests(
            limit=rate_limit, window=window, retry_after=retry_after, message=message
        )
    if status == 422:
        issue = {"type": "forced", "location": ["body"], "message": message}
        return RequestValidationFailed([issue], message, code="forced_by_scenario")
    error = _BY_STATUS[status](message, code="forced_by_scenario")
    if status == 503:
        error.headers["Retry-After"] = str(retry_after)
    return error


def envelope(error: ApiError) -> dict[str, Any]:
    """The error envelope of ``error``, built from the generated models."""
    details = None
    if error.details is not None:
        details = ErrorDetails.model_validate(error.details)
    detail = ErrorDetail(type=error.error_type, message=error.message)
    if error.code is not None:
        detail.code = error.code
    if details is not None:
        detail.details = details
    body = ErrorResponse(success=False, status=error.status, error=detail)
    return body.model_dump(mode="json", exclude_unset=True)


def is_bug(error: BaseException) -> bool:
    """Whether ``error`` is a bug of the mock rather than an answer it means to give."""
    return not isinstance(error, ApiError) or error.is_bug


def error_response(
    error: BaseException, *, bugs: BugLog | None = None, where: str = "a request"
) -> tuple[Response, dict[str, Any]]:
    """Render any exception as the envelope.

    A bug (:func:`is_bug`) is recorded in ``bugs`` (which logs it with its traceback;
    without ``bugs`` it is only logged) and answered as a 500 that names no detail.
    """
    if is_bug(error):
        (bugs if bugs is not None else BugLog()).record(error, where=where)
        if not isinstance(error, ApiError):
            error = InternalError(
                f"An unexpected error occurred inside the mock ({type(error).__name__}); "
                "it is logged with its traceback.",
                code="unexpected_error",
            )
    body = envelope(error)
    response = Response(
        json.dumps(body, separators=(",", ":")).encode(),
        status_code=error.status,
        headers=error.headers,
        media_type="application/json",
    )
    return response, body
