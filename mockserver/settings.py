"""The mock's configuration: one frozen value object, validated on construction.

Everything the app does is decided by a :class:`Settings` value passed to
``create_app(settings)``; nothing is read from the environment or module globals.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["Progression", "Settings"]

Progression = Literal["poll", "clock"]
PROGRESSIONS: tuple[str, ...] = ("poll", "clock")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """How one mock server behaves. Invalid values raise ``ValueError`` saying what to do."""

    seed: int = 0
    host: str = "127.0.0.1"
    port: int = 8080
    api_keys: frozenset[str] = field(default_factory=frozenset)
    namespaces: frozenset[str] = field(default_factory=frozenset)
    fixtures_path: Path | None = None
    credits_per_namespace: float = 1000.0
    latency_ms: int = 0
    failure_rate: float = 0.0
    in_flight_rate: float = 0.0
    progression: Progression = "poll"
    stage_duration_ms: int = 100
    max_executions: int = 10_000
    max_namespaces: int = 1_000
    journal_size: int = 1_000
    max_body_bytes: int = 1_048_576
    rate_limit: int = 600
    rate_limit_window_s: int = 60
    strict: bool = False
    cursor_secret: str | None = None

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
            if not name or len(name) > 64:
                raise ValueError(f"namespace names are 1 to 64 characters long, got {name!r}.")
        if self.fixtures_path is not None and not self.fixtures_path.is_file():
            raise ValueError(
                f"fixtures_path {str(self.fixtures_path)!r} is not a file; pass a world YAML "
                "file or None for the packaged default world."
            )
        if self.credits_per_namespace < 0:
            raise ValueError("credits_per_namespace must be >= 0.")
        if not 0 <= self.latency_ms <= 60_000:
            raise ValueError("latency_ms must be between 0 and 60000 milliseconds.")
        for name in ("failure_rate", "in_flight_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(
                    f"{name} is a probability: give a number between 0 and 1, got {rate}."
                )
        if self.failure_rate + self.in_flight_rate > 1.0:
            raise ValueError("failure_rate + in_flight_rate must not exceed 1.")
        if self.progression not in PROGRESSIONS:
            raise ValueError(
                f"progression must be 'poll' (advance on each read) or 'clock' (advance with "
                f"time), got {self.progression!r}."
            )
        positive = {
            "stage_duration_ms": self.stage_duration_ms,
            "max_executions": self.max_executions,
            "max_namespaces": self.max_namespaces,
            "journal_size": self.journal_size,
            "max_body_bytes": self.max_body_bytes,
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
