"""One request and its answer, in the neutral form every rule reads.

Schemathesis checks build an :class:`Exchange` from ``(response, case)``; the workflows
build one from an ``httpx`` request/response. Rules never see either library.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Exchange", "Operation", "operation_of", "parse_json"]

Operation = Literal["execute", "get_execution", "other"]


def parse_json(content: bytes | str | None) -> Any:
    """The JSON value of a body, or ``None`` when it is empty or not JSON."""
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None


def operation_of(method: str, path: str) -> Operation:
    """Which operation of the contract ``method path`` calls (a path or its template)."""
    method = method.upper()
    parts = [part for part in path.split("?")[0].split("/") if part]
    if method == "POST" and len(parts) == 4 and parts[-1] == "execute":
        return "execute"
    if method == "GET" and len(parts) == 5 and parts[-2] == "executions":
        return "get_execution"
    return "other"


@dataclass(frozen=True, kw_only=True)
class Exchange:
    """A request (method, path, headers, JSON body) and its response (status, JSON body).

    The raw bytes, the query string and the response headers are kept too: the replay files
    (a pytest test, a HAR cassette) and the HTML report show exactly what was sent and answered.
    """

    method: str
    path: str
    request_headers: Mapping[str, str] = field(default_factory=dict)
    request_body: Any = None
    status_code: int
    body: Any = None
    content_type: str = ""
    path_parameters: Mapping[str, Any] = field(default_factory=dict)
    query: str = ""
    """The query string as sent, without ``?``."""
    request_content: bytes | None = None
    """The request body as sent (``None``: the JSON of ``request_body``, or no body)."""
    response_headers: Mapping[str, str] = field(default_factory=dict)
    response_content: bytes = b""
    schema_valid: bool = False
    """Whether the request keeps the spec's schemas (a positive case; every request of the
    workflows). Only such a request must not be refused but in a documented case."""
    elapsed: float = 0.0
    """Seconds the answer took."""

    @property
    def operation(self) -> Operation:
        return operation_of(self.method, self.path)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.request_headers.items():
            if key.lower() == lowered:
                return value
        return None

    @property
    def namespace(self) -> str | None:
        return self.header("X-Namespace")

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def execution(self) -> dict[str, Any] | None:
        """The execution answered, when this is a 2xx JSON answer of one of the two operations."""
        if self.ok and self.operation != "other" and isinstance(self.body, dict):
            return self.body
        return None

    @property
    def requested_execution_id(self) -> str | None:
        value = self.path_parameters.get("execution_id")
        if value is None and self.operation == "get_execution":
            value = self.path.split("?")[0].rstrip("/").split("/")[-1]
        return value if isinstance(value, str) else None
