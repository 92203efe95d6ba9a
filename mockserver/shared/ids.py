"""Execution ids unique across workers and replicas, with no round trip to Redis.

``exec_`` + 24 hex characters of ``sha256(seed, a random UUID)``: 96 bits, so two
processes never mint the same id (a per-process counter would: two workers with one
seed would count alike and overwrite each other's executions). The trade-off: ids are
not reproducible from the seed, but everything the seed decides still is: the same
seed and request give the same documents, scores and outcome on every worker.
"""

from __future__ import annotations

import hashlib
import uuid

__all__ = ["RandomExecutionIds"]


class RandomExecutionIds:
    def __init__(self, seed: int) -> None:
        self._seed = seed

    def next(self) -> str:
        digest = hashlib.sha256(f"exec:{self._seed}:{uuid.uuid4().hex}".encode()).hexdigest()
        return "exec_" + digest[:24]
