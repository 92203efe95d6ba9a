"""The request journal: a bounded record of every ``/v1`` request, newest last.

It never holds a secret: ``api_key`` is the caller's key redacted (``sk_test_…ab12``),
and no header but ``Prefer`` is kept. ``status_code`` is ``None`` for a request whose
connection was dropped (``fault: "drop"``): the client got no answer.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Journal", "JournalEntry"]


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    at: str
    method: str
    path: str
    namespace: str | None
    status_code: int | None
    execution_id: str | None
    body: Any
    prefer: str | None
    api_key: str | None = None
    fault: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    """Keeps the last ``size`` entries; sequence numbers never repeat, even across clears."""

    def __init__(self, size: int) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=size)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, **fields: Any) -> JournalEntry:
        with self._lock:
            entry = JournalEntry(seq=next(self._seq), **fields)
            self._entries.append(entry)
        return entry

    def entries(self, limit: int | None = None) -> list[JournalEntry]:
        items = list(self._entries)
        return items if limit is None else items[len(items) - limit :] if limit else []

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
