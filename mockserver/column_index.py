"""Indexes over a field column, built once per column and kept with it.

A column's ``groups`` pair each distinct value with its positions. A :class:`Lookup`
answers the positions of the values with a given key (equality, membership); an
:class:`Ordering` those of the values whose key is below or above a bound (``gt``,
``lte``...). Both answer :mod:`~mixpeek_toolkit.mockserver.bitsets` sets, at a cost
that does not grow with the number of positions they hold: the sets of the largest
keys are built in advance (at most :data:`KEPT_SETS` of them), and an ordering keeps
the set of every :data:`CHECKPOINTS`-th prefix of its positions.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any

from .bitsets import bits_of

__all__ = ["CHECKPOINTS", "KEPT_SETS", "Lookup", "Ordering"]

KEPT_SETS = 256
"""A lookup keeps the set of each key holding at least 1/KEPT_SETS of the positions."""
CHECKPOINTS = 64
"""Prefix sets an ordering keeps (so a range costs at most size/CHECKPOINTS steps)."""

Groups = Sequence[tuple[Any, Sequence[int]]]


class Lookup:
    """Positions by ``key(value)``, for the values whose key is not None."""

    __slots__ = ("_entries", "_size")

    def __init__(self, groups: Groups, size: int, key: Callable[[Any], Hashable | None]) -> None:
        found: dict[Any, list[int]] = {}
        for value, positions in groups:
            k = key(value)
            if k is not None:
                found.setdefault(k, []).extend(positions)
        large = max(64, size // KEPT_SETS)
        self._size = size
        self._entries: dict[Any, int | list[int]] = {
            k: bits_of(positions, size) if len(positions) >= large else positions
            for k, positions in found.items()
        }

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._entries)

    def bits(self, key: Any) -> int:
        """The positions of ``key`` (none when no value has it)."""
        entry = self._entries.get(key, 0)
        return entry if isinstance(entry, int) else bits_of(entry, self._size)


class Ordering:
    """The positions of the values whose ``key(value)`` is not None, in ascending key
    order; ``keys`` (one per position) is what :mod:`bisect` searches."""

    __slots__ = ("_all", "_prefixes", "_size", "_step", "keys", "positions")

    def __init__(self, groups: Groups, size: int, key: Callable[[Any], Any]) -> None:
        keyed = [(k, p) for value, p in groups if (k := key(value)) is not None]
        keyed.sort(key=lambda pair: pair[0])
        self.keys: list[Any] = []
        self.positions: list[int] = []
        for k, positions in keyed:
            self.keys += [k] * len(positions)
            self.positions += positions
        self._size = size
        self._step = max(256, -(-len(self.positions) // CHECKPOINTS))
        data = bytearray((size + 7) >> 3)
        self._prefixes = [0]  # _prefixes[j]: the set of positions[: j * step]
        for index, position in enumerate(self.positions, 1):
            data[position >> 3] |= 1 << (position & 7)
            if index % self._step == 0:
                self._prefixes.append(int.from_bytes(data, "little"))
        self._all = int.from_bytes(data, "little")

    def below(self, index: int) -> int:
        """The set of ``positions[:index]``."""
        checkpoint = index // self._step
        rest = self.positions[checkpoint * self._step : index]
        return self._prefixes[checkpoint] | bits_of(rest, self._size)

    def from_(self, index: int) -> int:
        """The set of ``positions[index:]``."""
        return self._all ^ self.below(index)
