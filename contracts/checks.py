"""The semantic rules, registered as Schemathesis checks.

Importing this module registers one check per rule, named after it, so the rules run in
``case.call_and_validate()``, in the stateful state machine, and in the CLI runner. Rules
without memory are plain functions ``(ctx, response, case)``; rules with memory are
Schemathesis check classes, so Schemathesis builds one instance (one
:class:`ExecutionLedger`) per run and the memory never outlives it. ``execution_status_is_known``
is a check class too: the statuses a target accepts by name reach it as configuration
(``[checks.execution_status_is_known] accepted_statuses = [...]``, which
:func:`~mixpeek_toolkit.contracts.target.load_schema` sets from the target).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from schemathesis.generation.meta import REQUEST_SHAPE_PROBES, coverage_scenario

from . import rules
from .exchange import Exchange, parse_json
from .ledger import ExecutionLedger

__all__ = [
    "ACCEPTED_STATUSES_OPTION",
    "RULE_CHECK_NAMES",
    "exchange_from_schemathesis",
    "is_schema_valid",
]

#: The configuration key of ``execution_status_is_known`` that lists the statuses accepted by name.
ACCEPTED_STATUSES_OPTION = "accepted_statuses"


def is_schema_valid(case: Any) -> bool:
    """Whether Schemathesis drew ``case`` to keep the schemas (a positive case that is no
    probe of an unexpected method or content type)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return False
    return coverage_scenario(case) not in REQUEST_SHAPE_PROBES


def exchange_from_schemathesis(response: Any, case: Any) -> Exchange:
    """The neutral :class:`Exchange` of a Schemathesis ``(response, case)`` pair."""
    request = response.request
    request_headers = dict(request.headers) if request is not None else dict(case.headers or {})
    raw = request.body if request is not None else None
    content = raw.encode() if isinstance(raw, str) else raw
    request_body = parse_json(content)
    if request_body is None and isinstance(case.body, dict):
        request_body = case.body
    query = urlsplit(request.url).query if request is not None and request.url else ""
    return Exchange(
        method=case.method,
        path=case.formatted_path,
        request_headers=request_headers,
        request_body=request_body,
        status_code=response.status_code,
        body=parse_json(response.content),
        content_type=(response.headers.get("content-type") or [""])[0],
        path_parameters=dict(case.path_parameters or {}),
        query=query,
        request_content=content,
        response_headers={name: values[-1] for name, values in response.headers.items() if values},
        response_content=response.content or b"",
        schema_valid=is_schema_valid(case),
        elapsed=response.elapsed or 0.0,
    )


def _register_stateless(rule: Callable[[Exchange], None]) -> str:
    def check(ctx: Any, response: Any, case: Any) -> bool | None:
        rule(exchange_from_schemathesis(response, case))
        return None

    check.__name__ = check.__qualname__ = rule.__name__
    check.__doc__ = rule.__doc__
    schemathesis.check(check)
    return rule.__name__


def _register_with_ledger(name: str, *judges: Callable[..., None]) -> str:
    """A check class named ``name`` running ``judges`` with one ledger per run."""

    def __init__(self: Any) -> None:
        self.ledger = ExecutionLedger()
        self.responses: dict[int, Any] = {}

    def after_response(self: Any, ctx: Any, response: Any, case: Any) -> bool | None:
        # Schemathesis may hand the same response again (replay, shrinking): judge it once.
        if id(response) in self.responses:
            return None
        self.responses[id(response)] = response
        exchange = exchange_from_schemathesis(response, case)
        try:
            for judge in judges:
                if judge in rules.LEDGER_RULES:
                    judge(exchange, self.ledger)
                else:
                    judge(exchange)
        finally:
            self.ledger.record(exchange)
        return None

    check_class = type(
        name,
        (),
        {"__init__": __init__, "after_response": after_response, "__doc__": judges[0].__doc__},
    )
    schemathesis.check(check_class)
    return name


def _register_status_rule() -> str:
    """``execution_status_is_known`` as a check class configured with the accepted statuses."""
    rule = rules.execution_status_is_known

    def __init__(self: Any, accepted_statuses: Iterable[str] = ()) -> None:
        self.accepted = frozenset(accepted_statuses)

    def after_response(self: Any, ctx: Any, response: Any, case: Any) -> bool | None:
        rule(exchange_from_schemathesis(response, case), self.accepted)
        return None

    # Schemathesis passes configuration by keyword: this one is ACCEPTED_STATUSES_OPTION.
    check_class = type(
        rule.__name__,
        (),
        {"__init__": __init__, "after_response": after_response, "__doc__": rule.__doc__},
    )
    schemathesis.check(check_class)
    return rule.__name__


_STATELESS = tuple(
    rule
    for rule in rules.STATELESS_RULES
    if rule not in (rules.budget_figures_coherent, rules.execution_status_is_known)
)

#: Every rule registered with Schemathesis, by check name.
RULE_CHECK_NAMES: tuple[str, ...] = (
    _register_status_rule(),
    *(_register_stateless(rule) for rule in _STATELESS),
    _register_with_ledger(
        "budget_figures_coherent", rules.budget_figures_coherent, rules.budget_remaining_never_grows
    ),
    _register_with_ledger("terminal_state_never_changes", rules.terminal_state_never_changes),
    _register_with_ledger(
        "execution_read_back_matches_creation", rules.execution_read_back_matches_creation
    ),
    _register_with_ledger("unknown_execution_is_not_found", rules.unknown_execution_is_not_found),
    _register_with_ledger("namespace_isolation", rules.namespace_isolation),
)
