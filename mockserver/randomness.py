"""Deterministic randomness and execution ids.

Every random choice is drawn from ``random.Random(sha256(seed, namespace, retriever,
canonical request, purpose))``: the same request answers the same documents
whatever came before, and two servers started with one seed agree.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import threading

__all__ = ["ExecutionIds", "derive_rng"]


def derive_rng(seed: int, *parts: str) -> random.Random:
    digest = hashlib.sha256("\x1f".join([str(seed), *parts]).encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


class ExecutionIds:
    """``exec_`` + 24 hex characters; a counter mixed into the hash so ids never repeat."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._counter = itertools.count()
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            n = next(self._counter)
        digest = hashlib.sha256(f"exec:{self._seed}:{n}".encode()).hexdigest()
        return "exec_" + digest[:24]
