"""The edge of every ``/v1`` request: checks in order, then the handler, then the answer.

Order of checks: auth (401) -> namespace (400/403) -> rate limit (429) -> ``Prefer``
(400 when a known preference is malformed) -> the handler (validation 422, then
lookup 404). Whatever happens, the answer carries the rate-limit headers, is checked
against the spec in strict mode, waits the configured latency and is journaled (with
the API key redacted); a scripted transport fault then breaks it on the way out
(:mod:`.faults`).

An :class:`~.errors.ApiError` is an answer; any other exception is a bug of the mock:
it is answered 500 too, but recorded in the app's bug log (:mod:`.bugs`) and logged
with its traceback, so it never passes for a scripted ``Prefer: status=500``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .bodies import loads_json, preview
from .errors import ContractViolation, HeadersTooLarge, InvalidJson, error_response, is_bug
from .executions import iso
from .faults import FaultResponse
from .scenarios import Fault, Scenario
from .secrecy import redact_key
from .state import MockState
from .validation import OperationContract

__all__ = ["JOURNALED_BODY_BYTES", "JSON", "Call", "journaled_json", "v1_endpoint"]

JSON = "application/json"
JOURNALED_BODY_BYTES = 65_536
"""A larger body is journaled as a text preview, so the journal's memory stays bounded."""


@dataclass
class Call:
    """What the edge learned about a request, handed to the handler."""

    namespace: str
    scenario: Scenario | None
    operation: OperationContract
    body: Any = None
    execution_id: str | None = None
    latency_ms: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Request, MockState, Call], Awaitable[Response]]


def journaled_json(raw: bytes, call: Call) -> Any:
    """The JSON of ``raw``; the journal keeps it, or a preview of a large or invalid one."""
    try:
        body = loads_json(raw)
    except InvalidJson:
        call.body = preview(raw)
        raise
    call.body = body if len(raw) <= JOURNALED_BODY_BYTES else preview(raw)
    return body


def v1_endpoint(operation_id: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        mock: MockState = request.app.state.mock
        operation = mock.contract.operations[operation_id]
        call = Call(namespace="", scenario=None, operation=operation)
        key: str | None = None
        rate = None
        namespace: str | None = None
        try:
            _check_header_size(request, mock.settings.max_header_bytes)
            key = mock.authenticator.authenticate(request.headers.get("authorization"))
            namespace = mock.namespaces.check_header(request.headers.get("x-namespace"))
            call.namespace = namespace
            rate = await mock.limiter.hit(key)
            call.scenario = mock.parser.from_prefer(request.headers.getlist("prefer"))
            response = await handler(request, mock, call)
        except Exception as problem:  # every error is answered by the one renderer
            response = _render_error(
                mock, operation, problem, f"{request.method} {_url_path(request)}"
            )
        if rate is None:
            rate = await mock.limiter.peek(key)
        _add_missing_headers(response, rate.headers())
        latency = call.latency_ms
        if latency is None and call.scenario is not None:
            latency = call.scenario.latency_ms
        if latency is None:
            latency = mock.settings.latency_ms
        if latency:
            await mock.sleep(latency / 1000.0)
        prefer = request.headers.getlist("prefer")
        fault = call.scenario.fault if call.scenario is not None else None
        await mock.journal.record(
            at=iso(mock.clock()),
            method=request.method,
            path=_url_path(request),
            namespace=namespace,
            status_code=None if fault is Fault.DROP else response.status_code,
            execution_id=call.execution_id,
            body=call.body,
            prefer=", ".join(prefer) if prefer else None,
            api_key=redact_key(key) if key is not None else None,
            fault=fault.value if fault is not None else None,
        )
        return response if fault is None else FaultResponse(response, fault)

    endpoint.__name__ = operation_id
    return endpoint


def _add_missing_headers(response: Response, headers: dict[str, str]) -> None:
    """``response.headers.setdefault`` for each header, in one pass over the raw headers."""
    present = {name for name, _ in response.raw_headers}
    for name, value in headers.items():
        raw_name = name.lower().encode("latin-1")
        if raw_name not in present:
            response.raw_headers.append((raw_name, value.encode("latin-1")))


def _url_path(request: Request) -> str:
    """``request.url.path`` without building the whole URL (the same string)."""
    path = request.scope["path"]
    if path.startswith("//") or any(c in path for c in "?#\\"):
        return request.url.path  # escaped or re-parsed by Starlette's URL
    return path


def _render_error(
    mock: MockState, operation: OperationContract, problem: BaseException, where: str
) -> Response:
    """The envelope of ``problem``; a bug is recorded in the app's bug log on the way."""
    response, body = error_response(problem, bugs=mock.bugs, where=where)
    if mock.settings.strict and not is_bug(problem):
        try:
            operation.check_response(response.status_code, JSON, body)
        except ContractViolation as violation:
            response, _ = error_response(violation, bugs=mock.bugs, where=where)
    return response


def _check_header_size(request: Request, limit: int) -> None:
    """:class:`HeadersTooLarge` when the headers (names and values) take over ``limit`` bytes."""
    size = 0
    for name, value in request.scope["headers"]:
        size += len(name) + len(value)
    if size > limit:
        raise HeadersTooLarge(size, limit)
