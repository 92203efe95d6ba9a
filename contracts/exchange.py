"""One request and its answer, in the neutral form every rule reads.

Schemathesis checks build an :class:`Exchange` from ``(response, case)``; the workflows
build one from an ``httpx`` request/response. Rules never see either library.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Exchange", "Operation", "parse_json"]

Operation = Literal["execute", "get_execution", "other"]


def parse_json(content: bytes | str | None) -> Any:
    """The JSON value of a body, or ``None`` when it is empty or not JSON."""
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None


def _operation(method: str, path: str) -> Operation:
    parts = [part for part in path.split("?")[0].split("/") if part]
    if method == "POST" and len(parts) == 4 and parts[-1] == "execute":
        return "execute"
    if method == "GET" and len(parts) == 5 and parts[-2] == "executions":
        return "get_execution"
    return "other"


@dataclass(frozen=True, kw_only=True)
class Exchange:
    """A request (method, path, headers, JSON body) and its response (status, JSON body)."""

    method: str
    path: str
    request_headers: Mapping[str, str] = field(default_factory=dict)
    request_body: Any = None
    status_code: int
    body: Any = None
    content_type: str = ""
    path_parameters: Mapping[str, Any] = field(default_factory=dict)

    @property
    def operation(self) -> Operation:
        return _operation(self.method.upper(), self.path)

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
