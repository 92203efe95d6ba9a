"""A small bounded LRU of engine results, so repeating a request skips the scoring.

:func:`mixpeek_toolkit.mockserver.engine.run_retriever` is pure: given the retriever, the collections,
the request (minus its paging fields: the fingerprint), the stage count and the rng
seeded from the fingerprint, it answers the same :class:`EngineResult`, which is
immutable (documents are shaped only when read). So a result is kept under the
request fingerprint and the stage count, together with the exact retriever and
collection objects it was computed from: a hit must find those same objects. A world
change (documents or a retriever added, ``PUT /_mock/world``) builds new objects, so
an earlier result is never answered for a changed world; it just ages out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .bounded import BoundedDict
from .engine import EngineResult
from .world import CollectionSpec, RetrieverSpec

__all__ = ["ENGINE_CACHE_SIZE", "EngineResultCache"]

ENGINE_CACHE_SIZE = 256
"""Engine results kept per app (each holds references to stored documents and scores)."""

_Key = tuple[str, int | None, int, tuple[int, ...]]


class EngineResultCache:
    """At most ``max_size`` results; the least recently used one is forgotten first."""

    def __init__(self, max_size: int = ENGINE_CACHE_SIZE) -> None:
        self._items: BoundedDict[
            _Key, tuple[RetrieverSpec, tuple[CollectionSpec, ...], EngineResult]
        ] = BoundedDict(max_size, evict="least_recent")

    def get_or_run(
        self,
        fingerprint: str,
        stage_count: int | None,
        retriever: RetrieverSpec,
        collections: Sequence[CollectionSpec],
        run: Callable[[], EngineResult],
    ) -> EngineResult:
        """The result kept for exactly these inputs, or ``run()``'s (then kept)."""
        sources = tuple(collections)
        key = (fingerprint, stage_count, id(retriever), tuple(id(c) for c in sources))
        kept = self._items.get(key)
        if (
            kept is not None
            and kept[0] is retriever
            and len(kept[1]) == len(sources)
            and all(a is b for a, b in zip(kept[1], sources, strict=True))
        ):
            return kept[2]
        result = run()  # raises InvalidFilter for a bad filter: nothing is kept
        self._items.put(key, (retriever, sources, result))
        return result

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
