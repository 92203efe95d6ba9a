"""A thread-safe mapping that holds at most ``max_size`` entries.

Every store and cache of the mock is one of these, so its state stays bounded however
long it runs. ``evict="oldest"`` forgets entries in insertion order (updating an entry
keeps its place); ``evict="least_recent"`` forgets the entry least recently read or
written.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Literal, TypeVar

__all__ = ["BoundedDict"]

K = TypeVar("K")
V = TypeVar("V")


class BoundedDict(Generic[K, V]):
    def __init__(self, max_size: int, *, evict: Literal["oldest", "least_recent"]) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1.")
        self._max_size = max_size
        self._touch = evict == "least_recent"
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None and self._touch:
                self._items.move_to_end(key)
            return value

    def peek(self, key: K) -> V | None:
        """The value of ``key``, without counting as a use."""
        return self._items.get(key)

    def get_or_put(self, key: K, make: Callable[[], V]) -> V:
        """The value of ``key``; when absent, ``make()``'s, stored (``make`` runs unlocked)."""
        value = self.get(key)
        if value is not None:
            return value
        fresh = make()
        with self._lock:
            value = self._items.setdefault(key, fresh)
            if self._touch:
                self._items.move_to_end(key)
            self._evict()
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            if self._touch:
                self._items.move_to_end(key)
            self._evict()

    def _evict(self) -> None:
        while len(self._items) > self._max_size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
