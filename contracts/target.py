"""Which server the contract suites verify, and how hard: one frozen value, one place.

The CLI runner (``python -m mixpeek_toolkit.contracts``), the pytest plugin (``--mixpeek-base-url`` ...)
and the packaged suites all describe their target with a :class:`Target`::

    target = Target.from_env()                       # MIXPEEK_BASE_URL, MIXPEEK_API_KEY, ...
    target = Target(base_url="http://127.0.0.1:8080", api_key="sk_test", namespace="ci",
                    retriever_id="ret_product_search")
    schema = load_schema(target)                     # Schemathesis schema aimed at the target
    schema = load_schema(target, app=asgi_app)       # ... or at an ASGI app, in process

A target never assumes it is our mock: everything the suites need to know about the
server (a retriever that exists, a namespace to use, a key, the statuses it answers beyond
the ones the API documents) is in here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from .. import spec
from .checks import ACCEPTED_STATUSES_OPTION
from .facts import KNOWN_STATUSES
from .rules import execution_status_is_known

__all__ = [
    "ENV_VARS",
    "LOCAL_MOCK_URL",
    "Target",
    "accepted_statuses",
    "listed",
    "load_schema",
]

#: Environment variables read by :meth:`Target.from_env`, by field name.
ENV_VARS: Mapping[str, str] = {
    "base_url": "MIXPEEK_BASE_URL",
    "api_key": "MIXPEEK_API_KEY",
    "namespace": "MIXPEEK_NAMESPACE",
    "retriever_id": "MIXPEEK_RETRIEVER_ID",
    "max_examples": "MIXPEEK_CONTRACT_MAX_EXAMPLES",
    "seed": "MIXPEEK_CONTRACT_SEED",
    "timeout": "MIXPEEK_CONTRACT_TIMEOUT",
    "accept_statuses": "MIXPEEK_ACCEPT_STATUSES",
    "max_rps": "MIXPEEK_CONTRACT_MAX_RPS",
    "max_wait": "MIXPEEK_CONTRACT_MAX_WAIT",
    "retries": "MIXPEEK_CONTRACT_RETRIES",
    "time_budget": "MIXPEEK_CONTRACT_TIME_BUDGET",
    "min_coverage": "MIXPEEK_CONTRACT_MIN_COVERAGE",
    "require": "MIXPEEK_CONTRACT_REQUIRE",
}

#: Placeholder base URL of a target served in process (an ASGI app, no sockets).
LOCAL_MOCK_URL = "http://contract-target.invalid"

_INT_FIELDS = frozenset({"max_examples", "seed", "retries"})
_FLOAT_FIELDS = frozenset({"timeout", "max_rps", "max_wait", "time_budget", "min_coverage"})
_LIST_FIELDS = frozenset({"accept_statuses", "require"})
#: The kinds of coverage a run may be required to reach (``--require KIND:NAME``).
REQUIREMENT_KINDS = ("exercised", "seen")
#: Share of generated requests whose ``retriever_id`` is steered to the target's retriever:
#: the rest keep the drawn id, so "unknown retriever" answers are exercised too.
_STEERED_OUT_OF = 5


@dataclass(frozen=True, kw_only=True)
class Target:
    """A server under test and how much to test it. Invalid values raise ``ValueError``."""

    base_url: str | None = None
    """Root URL of the server (no ``/v1``). ``None`` means: start the local mock."""
    api_key: str = "sk_test_contract"
    """A valid API key; sent as ``Authorization: Bearer <api_key>``."""
    namespace: str = "contract-tests"
    """The namespace every request is scoped to (``X-Namespace``)."""
    other_namespace: str | None = None
    """A second namespace for isolation checks; defaults to ``<namespace>-other``."""
    retriever_id: str = "ret_product_search"
    """A retriever that exists in ``namespace`` (ID or name)."""
    query: str = "wireless headphones"
    """The text query the workflows send as ``inputs.query``."""
    max_examples: int = 100
    """Hypothesis examples per operation and generation mode."""
    stateful_steps: int = 8
    """Most steps of one stateful scenario."""
    seed: int | None = None
    """Hypothesis seed; ``None`` draws one (it is printed, so a run can be replayed)."""
    timeout: float = 10.0
    """Seconds one request may take before it counts as a failure."""
    connect_timeout: float = 3.0
    """Seconds to wait for a connection (and for the pre-flight probe)."""
    max_polls: int = 25
    """Most reads of an in-flight execution before it counts as stuck."""
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    """Headers added to every request (e.g. a tracing header a gateway needs)."""
    accept_statuses: frozenset[str] = frozenset()
    """Statuses the server answers beyond the five the API documents, accepted by name (a
    server's own ``queued``, say). Rule ``execution_status_is_known`` lets them pass; the rules
    that depend on the lifecycle do not judge them (neither in flight nor terminal, no
    documents to judge, no ``error`` fixed)."""
    max_rps: float | None = None
    """Most requests per second the runner sends (``None``: as fast as the target's rate-limit
    headers allow). A polite run against production sets it."""
    max_wait: float = 300.0
    """Most seconds the whole run waits out limited answers (429, 503 with ``Retry-After``);
    past it the run stops, incomplete."""
    retries: int = 2
    """Retries of a request that failed below HTTP (timeout, refused or reset connection,
    truncated body) or met a 503 without ``Retry-After``."""
    time_budget: float = 1800.0
    """Most seconds the whole run lasts; past it the run stops, incomplete. It never hangs."""
    min_coverage: float = 0.0
    """Least share of the rules a run must exercise (judge at least once), 0 to 1."""
    require: frozenset[str] = frozenset()
    """Coverage the run must reach, each ``exercised:RULE`` (the rule judged at least one
    answer) or ``seen:ITEM`` (an item of the coverage table, e.g. ``seen:processing``)."""

    def __post_init__(self) -> None:
        if self.base_url is not None:
            if not self.base_url.startswith(("http://", "https://")):
                raise ValueError(
                    f"base_url must start with http:// or https://, got {self.base_url!r}."
                )
            object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        if not self.api_key:
            raise ValueError("api_key is empty; pass the API key the server accepts.")
        for name in ("namespace", "retriever_id"):
            if not getattr(self, name):
                raise ValueError(f"{name} is empty; pass one that exists on the server.")
        if self.other_namespace is None:
            object.__setattr__(self, "other_namespace", f"{self.namespace[:57]}-other")
        if self.other_namespace == self.namespace:
            raise ValueError("other_namespace must differ from namespace.")
        for name in ("max_examples", "stateful_steps", "max_polls"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}.")
        for name in ("timeout", "connect_timeout", "time_budget"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be a positive number of seconds.")
        if self.max_rps is not None and self.max_rps <= 0:
            raise ValueError(f"max_rps must be a positive number, got {self.max_rps}.")
        if self.max_wait < 0 or self.retries < 0:
            raise ValueError("max_wait and retries must be 0 or more.")
        if not 0 <= self.min_coverage <= 1:
            raise ValueError(
                f"min_coverage is a share of the rules, from 0 to 1 (0.8 is 80%), got "
                f"{self.min_coverage}."
            )
        if isinstance(self.require, str):
            raise ValueError(f"require is a collection, not one string; pass [{self.require!r}].")
        object.__setattr__(self, "require", frozenset(self.require))
        for requirement in self.require:
            kind, _, name = str(requirement).partition(":")
            if kind not in REQUIREMENT_KINDS or not name:
                raise ValueError(
                    f"require {requirement!r}: write exercised:RULE (e.g. "
                    "exercised:in_flight_execution_is_coherent) or seen:ITEM (an item of the "
                    "coverage table, e.g. seen:processing)."
                )
        if isinstance(self.accept_statuses, str):
            raise ValueError(
                "accept_statuses is a collection of statuses, not one string; "
                f"pass [{self.accept_statuses!r}]."
            )
        accepted = frozenset(self.accept_statuses)
        if not all(isinstance(status, str) and status.strip() for status in accepted):
            raise ValueError(
                f"accept_statuses must be non-empty strings, got {sorted(map(repr, accepted))}."
            )
        object.__setattr__(self, "accept_statuses", accepted)

    @property
    def unknown_accepted_statuses(self) -> frozenset[str]:
        """The accepted statuses the API does not document (the ones the option changes)."""
        return self.accept_statuses - KNOWN_STATUSES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Target:
        """Build a target from ``MIXPEEK_*`` variables; keyword ``overrides`` that are not ``None`` win."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, variable in ENV_VARS.items():
            raw = environ.get(variable)
            if raw in (None, ""):
                continue
            try:
                if name in _LIST_FIELDS:
                    values[name] = _split(raw)
                elif name in _INT_FIELDS:
                    values[name] = int(raw)
                elif name in _FLOAT_FIELDS:
                    values[name] = float(raw)
                else:
                    values[name] = raw
            except ValueError:
                raise ValueError(f"{variable} must be a number, got {raw!r}.") from None
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)

    def evolve(self, **changes: Any) -> Target:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    @property
    def url(self) -> str:
        """The base URL requests go to (a placeholder when the target is served in process)."""
        return self.base_url or LOCAL_MOCK_URL

    def headers(self, *, namespace: str | None = None) -> dict[str, str]:
        """The headers of a well-formed request: auth, namespace and any extra headers."""
        return {
            **self.extra_headers,
            "Authorization": f"Bearer {self.api_key}",
            "X-Namespace": namespace or self.namespace,
        }


def _split(raw: str) -> frozenset[str]:
    """A comma-separated environment value as a set of non-empty items."""
    return frozenset(item.strip() for item in raw.split(",") if item.strip())


def listed(values: Iterable[str] | None) -> frozenset[str] | None:
    """Values given on a command line (an option repeated, or comma-separated), or ``None``."""
    if not values:
        return None
    return frozenset().union(*(_split(value) for value in values))


def accepted_statuses(values: Iterable[str] | None) -> frozenset[str] | None:
    """Statuses given on a command line (repeated, or comma-separated), or ``None`` if none."""
    return listed(values)


def _steer_retriever(target: Target) -> Any:
    """Hypothesis hook: send most generated requests to the target's retriever."""

    def hook(context: Any, strategy: st.SearchStrategy) -> st.SearchStrategy:
        def steer(parameters: Any) -> st.SearchStrategy:
            if not isinstance(parameters, dict) or "retriever_id" not in parameters:
                return st.just(parameters)
            steered = {**parameters, "retriever_id": target.retriever_id}
            return st.sampled_from([steered] * (_STEERED_OUT_OF - 1) + [parameters])

        return strategy.flatmap(steer)

    return hook


def _bearer_schemes(document: Mapping[str, Any]) -> list[str]:
    """The names of the spec's HTTP bearer security schemes."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    return [
        name
        for name, scheme in schemes.items()
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer"
    ]


def load_schema(target: Target, *, app: Any = None) -> Any:
    """The contract (spec/openapi.yaml) as a Schemathesis schema aimed at ``target``.

    Generated requests carry the target's auth and namespace headers (negative cases still
    break them on purpose), most of them name the target's retriever, and every built-in
    check runs with the statuses the contract allows. With ``app`` (an ASGI app) requests
    stay in process.
    """
    # An explicit config keeps a schemathesis.toml in the caller's directory out of the run.
    # It gives the API key to the spec's bearer scheme rather than as a bare header, so that
    # Schemathesis knows it is the caller's credential (its `ignored_auth` check otherwise
    # takes it for a generated one in stateful runs and reports a 200 as ignored auth), and
    # it carries the statuses the target accepts by name to their rule.
    document = spec.load_openapi()
    config = SchemathesisConfig.from_dict(
        {
            "auth": {
                "openapi": {name: {"bearer": target.api_key} for name in _bearer_schemes(document)}
            },
            "checks": {
                execution_status_is_known.__name__: {
                    ACCEPTED_STATUSES_OPTION: sorted(target.accept_statuses)
                }
            },
        }
    )
    schema = schemathesis.openapi.from_dict(document, config=config)
    if app is not None:
        schema.app = app
    headers = {k: v for k, v in target.headers().items() if k.lower() != "authorization"}
    schema.config.update(
        base_url=target.url,
        headers=headers,
        request_timeout=target.timeout,
    )
    schema.config.generation.update(max_examples=target.max_examples)
    checks = schema.config.checks
    # The built-in check lets 400 and 422 pass for schema-valid requests: the rule
    # `valid_requests_are_accepted` judges them, and accepts only the refusals the spec
    # documents (`x-documented-refusals`: a forged cursor, a missing retriever input, ...).
    checks.positive_data_acceptance.expected_statuses = [
        *checks.positive_data_acceptance.expected_statuses,
        "400",
        "422",
    ]
    if target.seed is not None:
        # A seeded run is reproducible only without Hypothesis' example database, whose
        # replays of earlier failures depend on what ran before in this directory.
        schema.config.seed = target.seed
        schema.config.generation.update(database="none")
    schema.hooks.register_hook_with_name(
        _steer_retriever(target), "before_generate_path_parameters"
    )
    return schema
