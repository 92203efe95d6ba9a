"""A stateful mock of the Mixpeek retriever execution API.

::

    from mockserver import Settings, create_app
    app = create_app(Settings(seed=42, strict=True))   # a Starlette app; all state lives in it
"""

from mockserver.app import create_app
from mockserver.errors import (
    ApiError,
    BadRequest,
    Conflict,
    ContractViolation,
    Forbidden,
    InternalError,
    MockServerError,
    NotFound,
    RequestValidationFailed,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)
from mockserver.scenarios import ErrorKind, Outcome, Scenario
from mockserver.settings import Settings
from mockserver.store import ExecutionStore, InMemoryExecutionStore

__all__ = [
    "ApiError",
    "BadRequest",
    "Conflict",
    "ContractViolation",
    "ErrorKind",
    "ExecutionStore",
    "Forbidden",
    "InMemoryExecutionStore",
    "InternalError",
    "MockServerError",
    "NotFound",
    "Outcome",
    "RequestValidationFailed",
    "Scenario",
    "ServiceUnavailable",
    "Settings",
    "TooManyRequests",
    "Unauthorized",
    "create_app",
]
