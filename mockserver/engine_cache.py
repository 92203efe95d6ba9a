"""A small bounded LRU of engine results, so repeating a request skips the scoring.

:func:`mixpeek_toolkit.mockserver.engine.run_retriever` is pure: given the retriever, the collections,
the request (minus its paging fields: the fingerprint), the stage count and the rng
seeded from the fingerprint, it answers the same :class:`EngineResult`, which is
immutable (documents are shaped only when read). So a result is kept under the
request fingerprint and the stage count, together with the exact retriever and
collection objects it was computed from: a hit must find those same objects. A world
change (documents or a retriever added, ``PUT /_mock/world``) builds new objects, so
an earlier result is never answered for a changed world; it just ages out.

This is also the result cache the API reports: an answer from a kept result says
``cache_hit: true`` (``X-Cache: HIT``) and ``cached_at``, the time the kept result
was computed; ``skip_cache`` runs the engine afresh and leaves the cache alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from .bounded import BoundedDict
from .engine import EngineResult
from .world import CollectionSpec, RetrieverSpec

__all__ = ["ENGINE_CACHE_SIZE", "CachedResult", "EngineResultCache"]

ENGINE_CACHE_SIZE = 256
"""Engine results kept per app (each holds references to stored documents and scores)."""

_Key = tuple[str, int | None, int, tuple[int, ...]]


class CachedResult(NamedTuple):
    """An engine result, whether it came from the cache, and when it was computed."""

    result: EngineResult
    hit: bool
    computed_at: float


class EngineResultCache:
    """At most ``max_size`` results; the least recently used one is forgotten first."""

    def __init__(self, max_size: int = ENGINE_CACHE_SIZE) -> None:
        self._items: BoundedDict[
            _Key, tuple[RetrieverSpec, tuple[CollectionSpec, ...], CachedResult]
        ] = BoundedDict(max_size, evict="least_recent")

    def get_or_run(
        self,
        fingerprint: str,
        stage_count: int | None,
        retriever: RetrieverSpec,
        collections: Sequence[CollectionSpec],
        run: Callable[[], EngineResult],
        *,
        now: float = 0.0,
        use_cache: bool = True,
    ) -> CachedResult:
        """The result kept for exactly these inputs (a hit), or ``run()``'s (then kept).

        ``now`` is when a fresh result is computed; ``use_cache=False`` (``skip_cache``)
        always runs and keeps nothing.
        """
        if not use_cache:
            return CachedResult(run(), False, now)
        sources = tuple(collections)
        key = (fingerprint, stage_count, id(retriever), tuple(id(c) for c in sources))
        kept = self._items.get(key)
        if (
            kept is not None
            and kept[0] is retriever
            and len(kept[1]) == len(sources)
            and all(a is b for a, b in zip(kept[1], sources, strict=True))
        ):
            return kept[2]._replace(hit=True)
        fresh = CachedResult(run(), False, now)  # run() raises InvalidFilter: nothing is kept
        self._items.put(key, (retriever, sources, fresh))
        return fresh

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
