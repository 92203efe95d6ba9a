"""The mock's configuration: one frozen value object, validated on construction.

Everything the app does is decided by a :class:`Settings` value passed to
``create_app(settings)``; nothing is read from the environment or module globals.

Each field documents itself with :func:`doc` metadata: its help text and, where the
flag is not ``--`` + the field name with dashes, the flag's name. The command line
(:mod:`mockserver.cli`) derives one flag per field from it, so a new field gets a flag
and a ``--help`` line by being declared here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["Progression", "ReadBack", "Settings", "doc"]

Progression = Literal["poll", "clock"]
PROGRESSIONS: tuple[str, ...] = ("poll", "clock")
ReadBack = Literal["retained", "statistics"]
READBACKS: tuple[str, ...] = ("retained", "statistics")


def doc(help: str, *, flag: str | None = None) -> dict[str, Any]:
    """Field metadata: the help text of a setting and, optionally, its flag's name."""
    return {"help": help, "flag": flag}


@dataclass(frozen=True, kw_only=True)
class Settings:
    """How one mock server behaves. Invalid values raise ``ValueError`` saying what to do."""

    seed: int = field(default=0, metadata=doc("seed of every random choice"))
    host: str = field(default="127.0.0.1", metadata=doc("interface to bind"))
    port: int = field(default=8080, metadata=doc("port to bind"))
    api_keys: frozenset[str] = field(
        default_factory=frozenset,
        metadata=doc(
            "accept only this API key (repeatable; default: any sk_ key)", flag="--api-key"
        ),
    )
    namespaces: frozenset[str] = field(
        default_factory=frozenset,
        metadata=doc("allow only this namespace (repeatable; default: any)", flag="--namespace"),
    )
    fixtures_path: Path | None = field(
        default=None,
        metadata=doc("world YAML/JSON file (default: the packaged world)", flag="--fixtures"),
    )
    credits_per_namespace: float = field(
        default=1000.0, metadata=doc("credits each namespace starts with")
    )
    latency_ms: int = field(default=0, metadata=doc("latency added to every /v1 answer"))
    failure_rate: float = field(
        default=0.0, metadata=doc("chaos: share of executions that fail (0..1)")
    )
    in_flight_rate: float = field(
        default=0.0, metadata=doc("chaos: share of executions that start in flight (0..1)")
    )
    degraded_rate: float = field(
        default=0.0,
        metadata=doc(
            "chaos: share of executions that end degraded (0..1; with failure_rate and "
            "in_flight_rate at most 1)"
        ),
    )
    progression: Progression = field(
        default="poll",
        metadata=doc("how in-flight executions advance: per poll or with the clock"),
    )
    stage_duration_ms: int = field(
        default=100, metadata=doc("one stage's time in clock progression")
    )
    max_executions: int = field(
        default=10_000, metadata=doc("executions kept (the oldest is forgotten first)")
    )
    max_namespaces: int = field(
        default=1_000, metadata=doc("namespaces kept (the least recently used is forgotten first)")
    )
    journal_size: int = field(default=1_000, metadata=doc("journal entries kept"))
    max_body_bytes: int = field(
        default=1_048_576,
        metadata=doc("largest request body read; a larger one gets 422 body_too_large"),
    )
    max_body_depth: int = field(
        default=32,
        metadata=doc("deepest nesting of a request body; a deeper one gets 422 body_too_deep"),
    )
    top_k_ceiling: int = field(
        default=1_000,
        metadata=doc(
            "largest inputs.top_k served; a larger one is clamped and reported in 'limits'"
        ),
    )
    readback: ReadBack = field(
        default="retained",
        metadata=doc(
            "what get-execution answers about documents: 'retained' (the documents the run "
            "returned, as the seeds describe) or 'statistics' (documents: [] and "
            "total_returned, as the API does since 0.82)"
        ),
    )
    rate_limit: int = field(default=600, metadata=doc("requests per window per API key"))
    rate_limit_window_s: int = field(default=60, metadata=doc("rate-limit window in seconds"))
    strict: bool = field(
        default=False,
        metadata=doc("check every answer against the spec (500 on a violation)"),
    )
    cursor_secret: str | None = field(
        default=None, metadata=doc("secret signing cursors (default: from the seed)")
    )

    def __post_init__(self) -> None:
        # Accept any iterable of keys/namespaces (a list from argparse, a set...).
        object.__setattr__(self, "api_keys", frozenset(self.api_keys))
        object.__setattr__(self, "namespaces", frozenset(self.namespaces))
        if self.fixtures_path is not None:
            object.__setattr__(self, "fixtures_path", Path(self.fixtures_path))
        self._check()

    def _check(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be an integer, got {self.seed!r}.")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {self.port}.")
        for key in self.api_keys:
            if not key.startswith("sk_") or len(key) < 4:
                raise ValueError(f"API keys start with 'sk_' (e.g. 'sk_test_ci'), got {key!r}.")
        for name in self.namespaces:
            if not isinstance(name, str) or not name:
                raise ValueError(
                    f"namespace names are non-empty strings (any characters), got {name!r}."
                )
        if self.fixtures_path is not None and not self.fixtures_path.is_file():
            raise ValueError(
                f"fixtures_path {str(self.fixtures_path)!r} is not a file; pass a world YAML "
                "file or None for the packaged default world."
            )
        if self.credits_per_namespace < 0:
            raise ValueError("credits_per_namespace must be >= 0.")
        if not 0 <= self.latency_ms <= 60_000:
            raise ValueError("latency_ms must be between 0 and 60000 milliseconds.")
        rates = ("failure_rate", "in_flight_rate", "degraded_rate")
        for name in rates:
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(
                    f"{name} is a probability: give a number between 0 and 1, got {rate}."
                )
        if sum(getattr(self, name) for name in rates) > 1.0:
            raise ValueError("failure_rate + in_flight_rate + degraded_rate must not exceed 1.")
        if self.progression not in PROGRESSIONS:
            raise ValueError(
                f"progression must be 'poll' (advance on each read) or 'clock' (advance with "
                f"time), got {self.progression!r}."
            )
        if self.readback not in READBACKS:
            raise ValueError(
                f"readback must be 'retained' (read-backs answer the documents) or "
                f"'statistics' (read-backs answer documents: [] and total_returned), "
                f"got {self.readback!r}."
            )
        positive = {
            "stage_duration_ms": self.stage_duration_ms,
            "max_executions": self.max_executions,
            "max_namespaces": self.max_namespaces,
            "journal_size": self.journal_size,
            "max_body_bytes": self.max_body_bytes,
            "max_body_depth": self.max_body_depth,
            "top_k_ceiling": self.top_k_ceiling,
            "rate_limit": self.rate_limit,
            "rate_limit_window_s": self.rate_limit_window_s,
        }
        for name, value in positive.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        if self.cursor_secret is not None and not self.cursor_secret:
            raise ValueError(
                "cursor_secret must be a non-empty string, or None to derive it from the seed."
            )

    @property
    def cursor_key(self) -> bytes:
        """The secret that signs pagination cursors (derived from the seed unless given)."""
        if self.cursor_secret is not None:
            return self.cursor_secret.encode()
        return hashlib.sha256(f"mixpeek-mock-cursor:{self.seed}".encode()).digest()
