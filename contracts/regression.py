"""Replay a recorded finding against a server and assert its rule: what replay tests call.

The runner writes, for each broken rule, a standalone pytest file (:mod:`.replay`) whose data
is the finding as recorded: the requests that led to it (the last one broke the rule) and
what the target answered then. :func:`assert_rule_holds` sends them again, in order, and
judges the answers by the same rule; it raises an ``AssertionError`` (a
:class:`~.violations.RuleViolation`, or Schemathesis' failure for a built-in check) while the
server still breaks it.

Identifiers the server issued during the recorded run (execution ids, pagination tokens)
are replaced by the ones it issues during the replay, so a sequence (execute, then read the
execution back) still means the same. A finding of a workflow is replayed by running that
workflow again. The API key never lives in a replay file: steps carry :data:`API_KEY_MARK`
where it was, and the replay puts the key it is given there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

import httpx

from . import rules
from .exchange import Exchange, parse_json
from .ledger import ExecutionLedger
from .target import Target, load_schema
from .violations import RuleViolation
from .workflows import WORKFLOWS, WorkflowSession

__all__ = ["API_KEY_MARK", "assert_rule_holds", "replay_steps"]

#: Stands for the API key in a replay file's steps.
API_KEY_MARK = "<MIXPEEK_API_KEY>"
#: The rule a request breaks when it fails below HTTP on every attempt (see the report).
_TRANSPORT_RULE = "requests_complete"
#: Answer fields that carry an identifier the server issued, by where they sit.
_ISSUED = (("execution_id",), ("pagination", "cursor"), ("pagination", "scroll_id"),
           ("pagination", "next_cursor"), ("pagination", "after"))  # fmt: skip
#: Built-in checks that judge by the status alone once the request is known to be valid or
#: invalid (Schemathesis needs its generation metadata for them, which a replay lacks).
_BY_STATUS = frozenset({"positive_data_acceptance", "negative_data_rejection", "missing_required_header"})  # fmt: skip


def _dig(body: Any, path: Sequence[str]) -> Any:
    for key in path:
        body = body.get(key) if isinstance(body, dict) else None
    return body


def _substitute(value: Any, renames: Sequence[tuple[Any, Any]]) -> Any:
    """``value`` with every recorded identifier in ``renames`` replaced by the replay's."""
    for old, new in renames:
        if value == old:
            return new
    if isinstance(value, dict):
        return {key: _substitute(item, renames) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, renames) for item in value]
    if isinstance(value, str):
        for old, new in renames:
            if isinstance(old, str) and isinstance(new, str) and len(old) >= 8:
                value = value.replace(old, new)
    return value


def _learn(recorded: Any, answered: Any, renames: list[tuple[Any, Any]]) -> None:
    for path in _ISSUED:
        old, new = _dig(recorded, path), _dig(answered, path)
        if old is not None and new is not None and old != new:
            renames.append((old, new))


def _target(finding: Mapping[str, Any], client: httpx.Client, api_key: str, **given: Any) -> Target:
    recorded = finding["recorded"]
    return Target(
        base_url=str(client.base_url).rstrip("/") or recorded["base_url"],
        api_key=api_key,
        namespace=given.get("namespace") or recorded["namespace"],
        retriever_id=given.get("retriever_id") or recorded["retriever_id"],
        accept_statuses=frozenset(recorded.get("accept_statuses", ())),
        seed=recorded.get("seed"),
    )


def replay_steps(
    client: httpx.Client, finding: Mapping[str, Any], target: Target
) -> list[tuple[Exchange, httpx.Response]]:
    """Send the finding's steps again, in order, through ``client``; answer each exchange."""
    recorded = finding["recorded"]
    renames: list[tuple[Any, Any]] = []
    if target.retriever_id != recorded["retriever_id"]:
        renames.append((recorded["retriever_id"], target.retriever_id))
    done = []
    for step in finding["steps"]:
        headers = {
            name: value.replace(API_KEY_MARK, target.api_key)
            for name, value in step["headers"].items()
        }
        if headers.get("X-Namespace") == recorded["namespace"]:
            headers["X-Namespace"] = target.namespace
        path = _substitute(step["path"], renames)
        content = step["body"]
        parsed = parse_json(content) if content is not None else None
        if parsed is not None:
            content = json.dumps(_substitute(parsed, renames))
        elif content is not None:
            content = _substitute(content, renames)
        query = step.get("query") or ""
        response = client.request(
            step["method"],
            path + (f"?{query}" if query else ""),
            headers=headers,
            content=content.encode() if content is not None else None,
        )
        exchange = Exchange(
            method=step["method"],
            path=path,
            request_headers=headers,
            request_body=parse_json(content) if content is not None else None,
            status_code=response.status_code,
            body=parse_json(response.content),
            content_type=response.headers.get("content-type", ""),
            path_parameters=_substitute(step.get("path_parameters") or {}, renames),
            query=query,
            response_headers=dict(response.headers),
            response_content=response.content,
            schema_valid=bool(step.get("schema_valid")),
        )
        done.append((exchange, response))
        _learn(step["answer"]["body"], exchange.body, renames)
    return done


def _judge_rule(rule: str, exchanges: Sequence[Exchange], target: Target) -> None:
    ledger = ExecutionLedger()
    for exchange in exchanges:
        verdict = rules.verdicts(exchange, ledger, accepted_statuses=target.accept_statuses)
        ledger.record(exchange)
        violation = verdict.get(rule)
        if violation is not None:
            raise violation


def _expanded(statuses: Sequence[str]) -> set[int]:
    codes: set[int] = set()
    for status in statuses:
        if status.endswith("xx"):
            first = int(status[0]) * 100
            codes.update(range(first, first + 100))
        else:
            codes.add(int(status))
    return codes


def _judge_builtin(
    rule: str, step: Mapping[str, Any], exchange: Exchange, response: httpx.Response, target: Target
) -> None:
    from schemathesis.checks import CHECKS

    schema = load_schema(target)
    operation = schema.find_operation_by_path(exchange.method, exchange.path)
    if operation is None:
        raise AssertionError(f"{exchange.method} {exchange.path} is no operation of the spec.")
    if rule in _BY_STATUS:
        expected = _expanded(getattr(schema.config.checks, rule).expected_statuses)
        meant = "accepted" if step.get("schema_valid") else "refused"
        assert exchange.status_code in expected, (
            f"[{rule}] {exchange.method} {exchange.path} answered {exchange.status_code}; a request "
            f"like this one is {meant} with one of {sorted(expected)}."
        )
        return
    body = exchange.request_body
    case = operation.Case(
        path_parameters=dict(exchange.path_parameters),
        headers=dict(exchange.request_headers),
        query=dict(parse_qsl(exchange.query, keep_blank_values=True)),
        **({"body": body} if body is not None else {}),
    )
    case.validate_response(response, checks=CHECKS.get_by_names([rule]))


def assert_rule_holds(
    client: httpx.Client,
    finding: Mapping[str, Any],
    *,
    api_key: str,
    namespace: str | None = None,
    retriever_id: str | None = None,
) -> None:
    """Replay ``finding`` against ``client``'s base URL and assert its rule holds.

    ``namespace`` and ``retriever_id`` replace the recorded ones (a staging server's, say).
    """
    target = _target(finding, client, api_key, namespace=namespace, retriever_id=retriever_id)
    rule = finding["rule"]
    source = finding["source"]
    if source.startswith("workflow "):
        name = source.removeprefix("workflow ")
        session = WorkflowSession(client=client, target=target, name=name)
        try:
            {w.__name__: w for w in WORKFLOWS}[name](session)
        except RuleViolation as violation:  # the workflow's own expectation ended it
            if violation.rule == rule:
                raise
        for failure in session.failures:
            if failure.rule == rule:
                raise failure.violation
        return
    done = replay_steps(client, finding, target)
    if rule == _TRANSPORT_RULE or not done:
        return  # every request was answered: the fault did not happen again
    if rule in rules.RULES:
        _judge_rule(rule, [exchange for exchange, _ in done], target)
        return
    exchange, response = done[-1]
    _judge_builtin(rule, finding["steps"][-1], exchange, response, target)
