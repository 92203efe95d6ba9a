"""What the shared store keeps, as JSON: executions, queued scenarios, journal entries.

An :class:`~mixpeek_toolkit.mockserver.executions.Execution` is stored as its immutable
part (everything but ``step`` and ``completed_at``, written once) beside the two fields a
read moves, so advancing an execution rewrites two small fields, not the record.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

import pydantic_core

from ...generated.models import KnownExecutionStatus
from ..executions import Execution
from ..journal import JournalEntry
from ..scenarios import ErrorKind, Outcome, QueuedScenario, Scenario

__all__ = [
    "decode_execution",
    "decode_journal_entry",
    "decode_queued",
    "encode_execution",
    "encode_journal_fields",
    "encode_queued",
]

_MOVING = frozenset({"step", "completed_at"})
_FIELDS = tuple(f.name for f in dataclasses.fields(Execution) if f.name not in _MOVING)
_TUPLES = frozenset(
    f.name
    for f in dataclasses.fields(Execution)
    if f.name not in _MOVING and str(f.type).startswith("tuple")
)
_SCENARIO_ENUMS: dict[str, type[enum.Enum]] = {"outcome": Outcome, "error_kind": ErrorKind}


def _json(data: Any) -> bytes:
    return pydantic_core.to_json(data, inf_nan_mode="constants")


def encode_execution(execution: Execution) -> bytes:
    """The immutable part of the record."""
    data = {name: getattr(execution, name) for name in _FIELDS}
    data["final_status"] = execution.final_status.value
    return _json(data)


def decode_execution(raw: bytes, step: int, completed_at: float | None) -> Execution:
    data = pydantic_core.from_json(raw)
    for name in _TUPLES:
        data[name] = tuple(data[name])
    data["extras"] = tuple((key, value) for key, value in data["extras"])
    data["final_status"] = KnownExecutionStatus(data["final_status"])
    return Execution(**data, step=step, completed_at=completed_at)


def encode_time(value: float | None) -> str:
    return "" if value is None else repr(value)


def decode_time(raw: bytes | str | None) -> float | None:
    return float(raw) if raw else None


def encode_queued(item: QueuedScenario) -> bytes:
    scenario = {
        field.name: value.value if isinstance(value, enum.Enum) else value
        for field in dataclasses.fields(Scenario)
        if (value := getattr(item.scenario, field.name)) is not None
    }
    return _json({"n": item.namespace, "r": item.retriever, "s": scenario})


def decode_queued(raw: bytes) -> Scenario:
    values = pydantic_core.from_json(raw)["s"]
    for name, kind in _SCENARIO_ENUMS.items():
        if name in values:
            values[name] = kind(values[name])
    return Scenario(**values)


def encode_journal_fields(fields: dict[str, Any]) -> bytes:
    """A journal entry without its ``seq`` (Redis numbers it as it appends)."""
    return _json(fields)


def decode_journal_entry(raw: bytes) -> JournalEntry:
    return JournalEntry(**pydantic_core.from_json(raw))
