"""JSON answers of executions, rendered once: a terminal execution never changes.

:func:`render_json` serializes plain data with pydantic-core's serializer (the one
the generated models use: same number formatting, non-finite floats as ``null``)
without building a model first. :class:`RenderedExecutions` keeps the rendered
bytes of the most recently answered terminal executions, so reading one back is a
lookup; an entry is answered only for the very record it was rendered from, so a
record replaced in the store (or a store cleared by reset) is rendered afresh.
"""

from __future__ import annotations

from typing import Any

import pydantic_core

from .bounded import BoundedDict
from .executions import Execution

__all__ = ["RENDERED_EXECUTIONS_SIZE", "RenderedExecutions", "render_json"]

RENDERED_EXECUTIONS_SIZE = 512
"""Rendered answers of terminal executions kept per app (a page of 20 is ~10 KiB)."""


def render_json(body: Any) -> bytes:
    """Compact JSON of plain data, as the generated models would serialize it."""
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
