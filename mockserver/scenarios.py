"""Scenarios: what a request asks of the mock, parsed once at the edge.

A scenario comes from the standard ``Prefer`` header (RFC 7240) or from the queue
filled through ``POST /_mock/scenarios``; a ``Prefer`` header wins over the queue.
Handlers only ever see the typed, frozen :class:`Scenario`.

Grammar (comma-separated, several ``Prefer`` headers allowed, unknown preferences
and ``;parameters`` ignored as RFC 7240 says)::

    respond-async     (start in flight, pending; combine with outcome=failed or
                       outcome=degraded to end that way)
    outcome=completed|failed|degraded|pending|processing
    error="<message>"
    error-kind=collection_not_found|budget_exceeded|stage_error|timeout
    stages=N          (1..20)
    latency=MS        (0..10000)
    status=CODE       (an error status the operation declares: 400 401 403 404 422 429 500 503)
    retry-after=SECONDS (0..3600)
    fault=drop|truncate (close the connection without an answer / in the middle of the
                       body; see :mod:`.faults`)

A known preference with a malformed value is refused with ``400`` (code
``invalid_preference``) rather than silently ignored: a test that asked for a
scenario must not pass because the mock misread it.
"""

from __future__ import annotations

import enum
import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from .digits import is_ascii_number
from .errors import InvalidPreference, RequestValidationFailed

__all__ = ["ErrorKind", "Fault", "Outcome", "Scenario", "ScenarioParser", "ScenarioQueue"]

STAGES_RANGE = (1, 20)
LATENCY_RANGE = (0, 10_000)
RETRY_AFTER_RANGE = (0, 3600)


class Outcome(enum.Enum):
    """What the execution ends as (``pending``/``processing`` start it in flight).

    ``degraded`` ends it finished but with something skipped (listed in ``degraded``):
    terminal, not an error, its documents usable.
    """

    COMPLETED = "completed"
    FAILED = "failed"
    DEGRADED = "degraded"
    PENDING = "pending"
    PROCESSING = "processing"

    @property
    def in_flight(self) -> bool:
        return self in (Outcome.PENDING, Outcome.PROCESSING)


class ErrorKind(enum.Enum):
    """Canned failure messages."""

    COLLECTION_NOT_FOUND = "collection_not_found"
    BUDGET_EXCEEDED = "budget_exceeded"
    STAGE_ERROR = "stage_error"
    TIMEOUT = "timeout"

    @property
    def message(self) -> str:
        return _ERROR_MESSAGES[self]


class Fault(enum.Enum):
    """A transport fault: the answer is prepared (and journaled) but never arrives whole.

    ``drop`` closes the connection without sending anything; ``truncate`` sends the
    status, the headers (with the full ``Content-Length``) and half of the body, then
    closes the connection.
    """

    DROP = "drop"
    TRUNCATE = "truncate"


_ERROR_MESSAGES = {
    ErrorKind.COLLECTION_NOT_FOUND: "Retriever execution failed: Collection not found",
    ErrorKind.BUDGET_EXCEEDED: "Budget exceeded: Maximum credits limit reached",
    ErrorKind.STAGE_ERROR: "Retriever execution failed: Stage 'rerank' raised an error",
    ErrorKind.TIMEOUT: "Retriever execution failed: Stage 'rerank' timed out",
}
DEFAULT_FAILURE_MESSAGE = ErrorKind.TIMEOUT.message


@dataclass(frozen=True)
class Scenario:
    """A request's wishes. ``None`` everywhere means: behave normally."""

    outcome: Outcome | None = None
    respond_async: bool | None = None
    error: str | None = None
    error_kind: ErrorKind | None = None
    stages: int | None = None
    latency_ms: int | None = None
    status: int | None = None
    retry_after: int | None = None
    fault: Fault | None = None

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    @property
    def failure_message(self) -> str:
        if self.error is not None:
            return self.error
        if self.error_kind is not None:
            return self.error_kind.message
        return DEFAULT_FAILURE_MESSAGE

    @property
    def starts_in_flight(self) -> bool:
        return bool(self.respond_async) or (self.outcome is not None and self.outcome.in_flight)

    @property
    def ends_failed(self) -> bool:
        return self.outcome is Outcome.FAILED or (
            self.outcome is None and (self.error is not None or self.error_kind is not None)
        )

    @property
    def ends_degraded(self) -> bool:
        return self.outcome is Outcome.DEGRADED

    def merged_over(self, other: Scenario | None) -> Scenario:
        """This scenario, falling back to ``other`` field by field."""
        if other is None:
            return self
        values = {
            f.name: getattr(self, f.name)
            if getattr(self, f.name) is not None
            else getattr(other, f.name)
            for f in fields(self)
        }
        return Scenario(**values)


# RFC 7240: preference = token [ BWS "=" BWS word ] *( OWS ";" [ OWS parameter ] )
# Possessive quantifiers and an atomic params group keep matching linear: a failing
# element (an unclosed quote after many "; " pieces) must not backtrack exponentially.
_ELEMENT = re.compile(
    r"""\s*+(?P<name>[!#$%&'*+.^_`|~0-9A-Za-z-]+)
        (?:\s*+=\s*+(?P<value>"(?:[^"\\]|\\.)*"|[^,;"\s]*))?
        (?P<params>(?>(?:\s*;\s*[^,;"]*(?:"(?:[^"\\]|\\.)*")?)*))
        \s*+(?:,|$)""",
    re.VERBOSE,
)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def split_preferences(headers: Iterable[str]) -> dict[str, str | None]:
    """``{name: value}`` of every preference (first occurrence wins, names lower-cased)."""
    found: dict[str, str | None] = {}
    for header in headers:
        position = 0
        while position < len(header):
            match = _ELEMENT.match(header, position)
            if match is None or match.end() == position:
                # Unparseable remainder: skip to the next comma and carry on (lenient).
                comma = header.find(",", position)
                if comma == -1:
                    break
                position = comma + 1
                continue
            name = match.group("name").lower()
            value = match.group("value")
            found.setdefault(name, None if value is None else _unquote(value))
            position = match.end()
    return found


class ScenarioParser:
    """Parses ``Prefer`` headers and control-API scenario objects into :class:`Scenario`."""

    def __init__(self, allowed_statuses: Iterable[int]) -> None:
        self.allowed_statuses = tuple(sorted(set(allowed_statuses)))

    def from_prefer(self, headers: Iterable[str]) -> Scenario | None:
        prefs = split_preferences(headers)
        if not prefs:
            return None
        values: dict[str, Any] = {}
        if "respond-async" in prefs:
            values["respond_async"] = True
        if "outcome" in prefs:
            values["outcome"] = _enum(Outcome, "outcome", prefs["outcome"], InvalidPreference)
        if "error" in prefs:
            values["error"] = _text("error", prefs["error"], InvalidPreference)
        if "error-kind" in prefs:
            values["error_kind"] = _enum(
                ErrorKind, "error-kind", prefs["error-kind"], InvalidPreference
            )
        if "stages" in prefs:
            values["stages"] = _bounded("stages", prefs["stages"], STAGES_RANGE, InvalidPreference)
        if "latency" in prefs:
            values["latency_ms"] = _bounded(
                "latency", prefs["latency"], LATENCY_RANGE, InvalidPreference
            )
        if "status" in prefs:
            values["status"] = self._status("status", prefs["status"], InvalidPreference)
        if "retry-after" in prefs:
            values["retry_after"] = _bounded(
                "retry-after", prefs["retry-after"], RETRY_AFTER_RANGE, InvalidPreference
            )
        if "fault" in prefs:
            values["fault"] = _enum(Fault, "fault", prefs["fault"], InvalidPreference)
        scenario = Scenario(**values)
        return None if scenario.is_empty else scenario

    def from_mapping(self, raw: Any, index: int) -> Scenario:
        """One scenario of ``POST /_mock/scenarios`` (422 on a bad field)."""

        def invalid(message: str, key: str | None = None):
            location = ["body", "scenarios", index] + ([key] if key else [])
            return RequestValidationFailed(
                [{"type": "value_error", "location": location, "message": message}]
            )

        if not isinstance(raw, Mapping):
            raise invalid("A scenario is a JSON object.")
        known = {f.name for f in fields(Scenario)}
        for key in raw:
            if key not in known:
                raise invalid(f"Unknown scenario field {key!r}; known: {sorted(known)}.", key)

        def error_class(key: str):
            def build(message: str):
                return invalid(message, key)

            return build

        values: dict[str, Any] = {}
        for key, value in raw.items():
            if value is None:
                continue
            raise_ = error_class(key)
            text = value if isinstance(value, str) else None
            if key == "respond_async":
                if not isinstance(value, bool):
                    raise raise_("respond_async must be true or false.")
                values[key] = value
                continue
            if key in ("stages", "latency_ms", "status", "retry_after") and (
                isinstance(value, bool) or not isinstance(value, int)
            ):
                raise raise_(f"{key} must be an integer.")
            if key == "outcome":
                values[key] = _enum(Outcome, key, text, raise_)
            elif key == "error_kind":
                values[key] = _enum(ErrorKind, key, text, raise_)
            elif key == "fault":
                values[key] = _enum(Fault, key, text, raise_)
            elif key == "error":
                values[key] = _text(key, text, raise_)
            elif key == "stages":
                values[key] = _bounded(key, str(value), STAGES_RANGE, raise_)
            elif key == "latency_ms":
                values[key] = _bounded(key, str(value), LATENCY_RANGE, raise_)
            elif key == "retry_after":
                values[key] = _bounded(key, str(value), RETRY_AFTER_RANGE, raise_)
            elif key == "status":
                values[key] = self._status(key, str(value), raise_)
        return Scenario(**values)

    def _status(self, name: str, raw: str | None, error) -> int:
        if raw is None or not is_ascii_number(raw) or int(raw) not in self.allowed_statuses:
            allowed = ", ".join(map(str, self.allowed_statuses))
            raise error(f"Preference {name} must be one of {allowed}, got {raw!r}.")
        return int(raw)


def _enum(kind: type[enum.Enum], name: str, raw: str | None, error):
    try:
        return kind(raw)
    except ValueError:
        allowed = "|".join(member.value for member in kind)
        raise error(f"Preference {name} must be one of {allowed}, got {raw!r}.") from None


def _text(name: str, raw: str | None, error) -> str:
    if not raw:
        raise error(f'Preference {name} needs a non-empty value, e.g. {name}="Stage failed".')
    return raw


def _bounded(name: str, raw: str | None, bounds: tuple[int, int], error) -> int:
    low, high = bounds
    if raw is None or not is_ascii_number(raw) or not low <= int(raw) <= high:
        raise error(f"Preference {name} must be an integer between {low} and {high}, got {raw!r}.")
    return int(raw)


@dataclass(frozen=True)
class QueuedScenario:
    scenario: Scenario
    namespace: str | None
    retriever: str | None


class ScenarioQueue:
    """First-in-first-out scenarios for clients that cannot set headers."""

    def __init__(self, max_size: int = 10_000) -> None:
        self._items: deque[QueuedScenario] = deque()
        self._max_size = max_size
        self._lock = threading.Lock()

    def push(self, items: Iterable[QueuedScenario]) -> int:
        items = list(items)
        with self._lock:
            if len(self._items) + len(items) > self._max_size:
                raise RequestValidationFailed(
                    [
                        {
                            "type": "too_long",
                            "location": ["body", "scenarios"],
                            "message": f"At most {self._max_size} scenarios may be queued; "
                            "DELETE /_mock/scenarios first.",
                        }
                    ]
                )
            self._items.extend(items)
            return len(self._items)

    def take(self, namespace: str, retriever_keys: Iterable[str]) -> Scenario | None:
        """The oldest scenario meant for this namespace and retriever (removed from the queue)."""
        keys = set(retriever_keys)
        with self._lock:
            for index, item in enumerate(self._items):
                if item.namespace not in (None, namespace):
                    continue
                if item.retriever is not None and item.retriever not in keys:
                    continue
                del self._items[index]
                return item.scenario
        return None

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
