"""JSON answers of executions, rendered once: a terminal execution never changes.

:func:`render_json` serializes plain data to the bytes the generated models would give
(pydantic-core's serializer: same number formatting, non-finite floats as ``null``)
without building a model first. It asks orjson, four times faster on an answer of 10
documents, for JSON's own types (dicts with string keys, lists, tuples, strings, 64-bit
integers, floats, booleans, None), where the two write the same bytes
(tests/mockserver/test_rendering.py draws data to prove it); anything else (a set, a
huge integer, a date from a YAML fixture, a lone surrogate...) goes to pydantic-core.

:class:`RenderedExecutions` keeps the rendered bytes of the most recently answered
terminal executions, so reading one back is a lookup; an entry is answered only for the
very record it was rendered from, so a record replaced in the store (or a store cleared
by reset) is rendered afresh.
"""

from __future__ import annotations

from typing import Any

import orjson
import pydantic_core

from .bounded import BoundedDict
from .executions import Execution

__all__ = ["RENDERED_EXECUTIONS_SIZE", "RenderedExecutions", "render_json"]

RENDERED_EXECUTIONS_SIZE = 512
"""Rendered answers of terminal executions kept per app (a page of 20 is ~10 KiB)."""


_JSON_TYPES_ONLY = (
    orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)
"""orjson refuses whatever is not JSON's own type, so that pydantic-core renders it."""


def render_json(body: Any) -> bytes:
    """Compact JSON of plain data, as the generated models would serialize it."""
    try:
        return orjson.dumps(body, option=_JSON_TYPES_ONLY)
    except TypeError:  # orjson.JSONEncodeError: not JSON's own type
        return pydantic_core.to_json(body, inf_nan_mode="null")


class RenderedExecutions:
    """At most ``max_size`` rendered answers; the least recently used one is forgotten first."""

    def __init__(self, max_size: int = RENDERED_EXECUTIONS_SIZE) -> None:
        self._items: BoundedDict[str, tuple[Execution, bytes]] = BoundedDict(
            max_size, evict="least_recent"
        )

    def get(self, execution: Execution) -> bytes | None:
        """The answer rendered from this very record, if kept."""
        kept = self._items.get(execution.execution_id)
        return kept[1] if kept is not None and kept[0] is execution else None

    def keep(self, execution: Execution, content: bytes) -> None:
        """Keep ``content`` as the answer of ``execution`` when it is terminal."""
        if execution.is_terminal:
            self._items.put(execution.execution_id, (execution, content))

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
