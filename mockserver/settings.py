"""The mock's configuration: one frozen value object, validated on construction.

Everything the app does is decided by a :class:`Settings` value passed to
``create_app(settings)``; nothing is read from the environment or module globals.

Each field keeps its user-facing help (and, when it is not ``--`` + the field name in
kebab case, its command-line flag) in its metadata, written with :func:`doc`: the
command line (:mod:`.cli`) derives one flag per field from them.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from .secrecy import redact_key

__all__ = ["Progression", "ReadBack", "Settings", "StoreUrl", "doc"]

Progression = Literal["poll", "clock"]
PROGRESSIONS: tuple[str, ...] = get_args(Progression)
ReadBack = Literal["retained", "statistics"]
READBACKS: tuple[str, ...] = get_args(ReadBack)
MIN_CONTROL_TOKEN = 16
TOKEN_CHARACTERS = frozenset(string.ascii_letters + string.digits + string.punctuation)
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class StoreUrl(str):
    """Where the state lives: ``memory`` or a Redis URL (``redis://HOST:PORT/DB``)."""

    __slots__ = ()

    def __new__(cls, value: str) -> StoreUrl:
        if value != "memory" and not str(value).startswith(REDIS_SCHEMES):
            raise ValueError(
                f"store must be 'memory' or a Redis URL such as redis://127.0.0.1:6379/0, "
                f"got {value!r}."
            )
        return super().__new__(cls, value)


def doc(help: str, *, flag: str | None = None) -> dict[str, str]:
    """The metadata of a :class:`Settings` field: its help sentence and optionally its flag.

    The help says what the setting does and in which unit; ``flag`` names the
    command-line flag when it is not ``--`` + the field name with ``_`` as ``-``.
    """
    return {"help": help} if flag is None else {"help": help, "flag": flag}


@dataclass(frozen=True, kw_only=True)
class Settings:
    """How one mock server behaves. Invalid values raise ``ValueError`` saying what to do."""

    seed: int = field(
        default=0,
        metadata=doc(
            "Seed of every random choice: the same seed and the same requests give the "
            "same answers."
        ),
    )
    host: str = field(
        default="127.0.0.1",
        metadata=doc(
            "Interface to listen on. Anything but a loopback address exposes the mock to "
            "the network: then protect the control API with control_token or turn it off."
        ),
    )
    port: int = field(default=8080, metadata=doc("TCP port to listen on (0 to 65535)."))
    api_keys: frozenset[str] = field(
        default=frozenset(),
        repr=False,  # secrets: never in a repr, a log or a report
        metadata=doc(
            "Accept only these API keys, each starting with 'sk_'; without any, every "
            "'sk_' key is accepted.",
            flag="--api-key",
        ),
    )
    namespaces: frozenset[str] = field(
        default=frozenset(),
        metadata=doc(
            "Allow only these namespaces (any non-empty names); another one gets 403. "
            "Without any, every namespace is allowed.",
            flag="--namespace",
        ),
    )
    fixtures_path: Path | None = field(
        default=None,
        metadata=doc(
            "World YAML/JSON file of collections, documents and retrievers (docs/world.md). "
            "Without it, the packaged default world.",
            flag="--fixtures",
        ),
    )
    credits_per_namespace: float = field(
        default=1000.0,
        metadata=doc(
            "Credits each namespace starts with; a completed execution costs its "
            "retriever's credits_per_execution."
        ),
    )
    latency_ms: int = field(
        default=0, metadata=doc("Latency added to every /v1 answer, in milliseconds (0 to 60000).")
    )
    failure_rate: float = field(
        default=0.0,
        metadata=doc(
            "Chaos: probability (0 to 1) that an execution fails, drawn from the seed so "
            "the same request always gets the same outcome."
        ),
    )
    in_flight_rate: float = field(
        default=0.0,
        metadata=doc(
            "Chaos: probability (0 to 1) that an execution starts in flight instead of "
            "completing at once; the three chaos rates together must not exceed 1."
        ),
    )
    degraded_rate: float = field(
        default=0.0,
        metadata=doc(
            "Chaos: probability (0 to 1) that an execution ends 'degraded': finished, with "
            "documents, but with something skipped and listed in 'degraded'."
        ),
    )
    progression: Progression = field(
        default="poll",
        metadata=doc(
            "How in-flight executions advance: 'poll' one step on each read, 'clock' one "
            "step per stage_duration_ms, whatever the reads."
        ),
    )
    stage_duration_ms: int = field(
        default=100,
        metadata=doc("Time one stage takes in the 'clock' progression, in milliseconds."),
    )
    max_executions: int = field(
        default=10_000, metadata=doc("Executions kept in the store; the oldest is evicted first.")
    )
    max_namespaces: int = field(
        default=1_000, metadata=doc("Namespaces kept; the least recently used is evicted first.")
    )
    journal_size: int = field(
        default=1_000,
        metadata=doc("Entries kept in the request journal (/_mock/journal); the oldest go first."),
    )
    max_body_bytes: int = field(
        default=1_048_576,
        metadata=doc(
            "Largest request body read, in bytes (/v1 and /_mock/); a larger one gets 422 "
            "with code body_too_large before it is held in memory."
        ),
    )
    max_header_bytes: int = field(
        default=32_768,
        metadata=doc(
            "Largest size of a /v1 request's headers, names and values together, in bytes; "
            "larger ones get 400 with code headers_too_large (fronts of real APIs refuse "
            "such requests too)."
        ),
    )
    max_body_depth: int = field(
        default=32,
        metadata=doc(
            "Deepest nesting of a request body's JSON; a deeper one gets 422 with code "
            "body_too_deep (a cap of the mock, not of the contract)."
        ),
    )
    top_k_ceiling: int = field(
        default=1_000,
        metadata=doc(
            "Largest inputs.top_k served; a larger one is clamped to it and reported in the "
            "answer's 'limits', as the real API does."
        ),
    )
    readback: ReadBack = field(
        default="retained",
        metadata=doc(
            "What get-execution answers about documents: 'retained' (the documents the run "
            "returned, as the seeds describe) or 'statistics' (documents: [] with "
            "documents_retained false and total_returned, as the API does since 0.82)."
        ),
    )
    rate_limit: int = field(
        default=600,
        metadata=doc("Requests each API key may make per rate-limit window; one more gets 429."),
    )
    rate_limit_window_s: int = field(
        default=60, metadata=doc("Length of the rate-limit window, in seconds.")
    )
    strict: bool = field(
        default=False,
        metadata=doc(
            "Check every answer against the spec before it leaves; a violation answers 500 "
            "with code response_contract_violation."
        ),
    )
    cursor_secret: str | None = field(
        default=None,
        repr=False,
        metadata=doc(
            "Secret that signs pagination cursors. Without it, one derived from the seed."
        ),
    )
    control_api: bool = field(
        default=True,
        metadata=doc(
            "Serve the control API under /_mock/ (reset, world, scenarios, journal); with "
            "--no-control-api every /_mock/ path answers 404, for shared deployments."
        ),
    )
    control_token: str | None = field(
        default=None,
        repr=False,
        metadata=doc(
            "Token the control API requires, sent as 'Authorization: Bearer <token>' or "
            "'X-Mock-Control-Token: <token>' (compared in constant time; 401 without it). "
            "Without it, the control API is open to anyone who can reach the mock."
        ),
    )
    store: StoreUrl = field(
        default=StoreUrl("memory"),
        metadata=doc(
            "Where the state lives: 'memory' (this process) or a Redis URL "
            "(redis://HOST:PORT/DB) shared by every worker and replica, which then act as "
            "one mock (docs/scaling.md; needs the [redis] extra)."
        ),
    )
    redis_prefix: str = field(
        default="mixpeek-mock:",
        metadata=doc(
            "Prefix of every Redis key of this mock: mocks with different prefixes share one "
            "Redis without seeing each other's state."
        ),
    )
    redis_ttl_s: int = field(
        default=86_400,
        metadata=doc(
            "Seconds a Redis key lives after its last write (executions, namespaces, queues, "
            "the journal), so a forgotten mock leaves nothing behind."
        ),
    )
    workers: int = field(
        default=1,
        metadata=doc(
            "Worker processes the command line starts (uvicorn workers); more than one "
            "needs a shared store (--store redis://...)."
        ),
    )

    def __post_init__(self) -> None:
        # Accept any iterable of keys/namespaces (a list from argparse, a set...).
        object.__setattr__(self, "api_keys", frozenset(self.api_keys))
        object.__setattr__(self, "namespaces", frozenset(self.namespaces))
        if self.fixtures_path is not None:
            object.__setattr__(self, "fixtures_path", Path(self.fixtures_path))
        object.__setattr__(self, "store", StoreUrl(self.store))
        self._check()

    def _check(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be an integer, got {self.seed!r}.")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {self.port}.")
        for key in self.api_keys:
            if not isinstance(key, str) or not key.startswith("sk_") or len(key) < 4:
                shown = redact_key(key) if isinstance(key, str) else repr(key)
                raise ValueError(f"API keys start with 'sk_' (e.g. 'sk_test_ci'), got {shown}.")
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
            "max_header_bytes": self.max_header_bytes,
            "max_body_depth": self.max_body_depth,
            "top_k_ceiling": self.top_k_ceiling,
            "rate_limit": self.rate_limit,
            "rate_limit_window_s": self.rate_limit_window_s,
            "redis_ttl_s": self.redis_ttl_s,
            "workers": self.workers,
        }
        for name, value in positive.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        if not isinstance(self.redis_prefix, str) or not self.redis_prefix:
            raise ValueError("redis_prefix must be a non-empty string, e.g. 'mixpeek-mock:'.")
        if self.cursor_secret is not None and not self.cursor_secret:
            raise ValueError(
                "cursor_secret must be a non-empty string, or None to derive it from the seed."
            )
        self._check_control()

    def _check_control(self) -> None:
        token = self.control_token
        if token is None:
            return
        if not self.control_api:
            raise ValueError(
                "control_token protects the control API, which control_api=False turns off: "
                "give one or the other."
            )
        if (
            not isinstance(token, str)
            or len(token) < MIN_CONTROL_TOKEN
            or not set(token) <= TOKEN_CHARACTERS
        ):
            raise ValueError(
                f"control_token must be at least {MIN_CONTROL_TOKEN} printable ASCII "
                "characters without spaces (it travels in a header), e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe())'`."
            )

    @property
    def shared(self) -> bool:
        """Whether the state lives in a shared store (Redis) rather than in this process."""
        return self.store != "memory"

    @property
    def cursor_key(self) -> bytes:
        """The secret that signs pagination cursors (derived from the seed unless given)."""
        if self.cursor_secret is not None:
            return self.cursor_secret.encode()
        return hashlib.sha256(f"mixpeek-mock-cursor:{self.seed}".encode()).digest()
