"""Reading the mock's request journal: filters and assertions with clear failure messages.

Pure functions over the entries ``GET /_mock/journal`` answers (dicts with ``seq, at,
method, path, namespace, status_code, execution_id, body, prefer, api_key, fault``;
``api_key`` redacted, ``status_code`` None for a dropped connection).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["check_called", "check_executed", "describe", "executions_of", "outcome_of", "select"]

Entry = dict[str, Any]
"""One journal entry as ``GET /_mock/journal`` answers it (a plain dict)."""

CONTROL_PREFIX = "/_mock/"


def select(
    entries: Sequence[Entry],
    *,
    path_contains: str | None = None,
    method: str | None = None,
    status_code: int | None = None,
) -> list[Entry]:
    """API requests (never control calls), oldest first, matching every criterion given."""
    return [
        entry
        for entry in sorted(entries, key=lambda entry: entry.get("seq", 0))
        if not _path(entry).startswith(CONTROL_PREFIX)
        and (path_contains is None or path_contains in _path(entry))
        and (method is None or str(entry.get("method", "")).upper() == method.upper())
        and (status_code is None or entry.get("status_code") == status_code)
    ]


def executions_of(
    entries: Sequence[Entry],
    retriever_id: str | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> list[Entry]:
    """Execute requests (of ``retriever_id``, if given) whose inputs include ``inputs``."""
    return [
        entry
        for entry in select(entries, method="POST")
        if _path(entry).endswith("/execute")
        and (retriever_id is None or retriever_of(entry) == retriever_id)
        and _inputs_include(entry, inputs or {})
    ]


def check_called(
    entries: Sequence[Entry],
    *,
    path_contains: str | None = None,
    method: str | None = None,
    status_code: int | None = None,
    times: int | None = None,
) -> list[Entry]:
    """The matching requests; ``AssertionError`` unless there are ``times`` (or >= 1) of them."""
    matching = select(entries, path_contains=path_contains, method=method, status_code=status_code)
    if not _count_ok(matching, times):
        criteria = _describe_criteria(
            path_contains=path_contains, method=method, status_code=status_code
        )
        raise AssertionError(
            f"Expected {_expected(times)} request(s) {criteria} to the Mixpeek mock, saw "
            f"{len(matching)}.\n{describe(select(entries))}"
        )
    return matching


def check_executed(
    entries: Sequence[Entry],
    retriever_id: str | None = None,
    *,
    inputs: Mapping[str, Any] | None = None,
    times: int | None = None,
) -> list[Entry]:
    """The matching executions; ``AssertionError`` unless there are ``times`` (or >= 1)."""
    matching = executions_of(entries, retriever_id, inputs)
    if not _count_ok(matching, times):
        what = f"of retriever {retriever_id!r}" if retriever_id else "of any retriever"
        with_inputs = f" with inputs including {dict(inputs)!r}" if inputs else ""
        seen = "\n".join(
            f"  - {retriever_of(entry)!r} inputs={body_of(entry).get('inputs')!r} "
            f"-> {outcome_of(entry)}"
            for entry in executions_of(entries)
        )
        raise AssertionError(
            f"Expected {_expected(times)} execution(s) {what}{with_inputs}, saw "
            f"{len(matching)}.\nExecutions the mock saw:\n{seen or '  (none)'}"
        )
    return matching


def describe(entries: Sequence[Entry]) -> str:
    """One line per request: ``METHOD path -> status``."""
    if not entries:
        return "The mock saw no API request since the test began."
    lines = [
        f"  {entry.get('method')} {entry.get('path')} -> {outcome_of(entry)}" for entry in entries
    ]
    return "Requests the mock saw:\n" + "\n".join(lines)


def outcome_of(entry: Entry) -> str:
    """What the client got: the status, or the scripted fault (``connection dropped``...)."""
    fault = entry.get("fault")
    if fault == "drop":
        return "connection dropped"
    if fault == "truncate":
        return f"{entry.get('status_code')} (body truncated)"
    return str(entry.get("status_code"))


def body_of(entry: Entry) -> dict[str, Any]:
    """The request's JSON body as a dict (empty when absent or not an object)."""
    body = entry.get("body")
    if isinstance(body, str | bytes):
        try:
            body = json.loads(body)
        except ValueError:
            return {}
    return body if isinstance(body, dict) else {}


def retriever_of(entry: Entry) -> str:
    """The ``retriever_id`` path parameter of a ``/v1/retrievers/...`` request ("" otherwise)."""
    parts = _path(entry).strip("/").split("/")
    return parts[2] if len(parts) >= 4 and parts[:2] == ["v1", "retrievers"] else ""


def _path(entry: Entry) -> str:
    return str(entry.get("path", ""))


def _inputs_include(entry: Entry, expected: Mapping[str, Any]) -> bool:
    inputs = body_of(entry).get("inputs") or {}
    return all(key in inputs and inputs[key] == value for key, value in expected.items())


def _count_ok(matching: Sequence[Entry], times: int | None) -> bool:
    return bool(matching) if times is None else len(matching) == times


def _expected(times: int | None) -> str:
    return "at least 1" if times is None else str(times)


def _describe_criteria(**criteria: Any) -> str:
    given = [f"{name}={value!r}" for name, value in criteria.items() if value is not None]
    return f"with {', '.join(given)}" if given else "of any kind"
