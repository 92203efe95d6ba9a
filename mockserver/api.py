"""The two operations of the API, ``executeRetriever`` and ``getExecution``.

Handlers hold no state: they validate (422; an execute request already checked is
taken from the app's prepared requests, :mod:`mixpeek_toolkit.mockserver.prepared`),
look up (404), hand the work to the executor or the store, and answer generated
models. Checks before them live in :mod:`mixpeek_toolkit.mockserver.edge`.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from .bodies import read_body
from .caching import cache_headers
from .edge import JSON, Call, journaled_json
from .errors import NotFound, RequestValidationFailed, error_for_status
from .executions import Execution, advance, view
from .prepared import prepare_execute
from .rendering import render_json
from .scenarios import Scenario
from .settings import ReadBack
from .state import MockState
from .streaming import stream_answer
from .tenancy import NamespaceState
from .world import RetrieverSpec

__all__ = ["execute_retriever", "get_execution"]


async def execute_retriever(request: Request, mock: MockState, call: Call) -> Response:
    settings = mock.settings
    raw = await read_body(request, settings.max_body_bytes)
    key = (request.path_params["retriever_id"], request.scope["query_string"], raw)
    prepared = mock.prepared.get(key)  # a request sent before: checked already
    if prepared is None:
        body = journaled_json(raw, call)
        prepared = prepare_execute(
            body,
            operation=call.operation,
            path=request.path_params,
            query=request.query_params,
            max_depth=settings.max_body_depth,
        )
        mock.prepared.keep(key, prepared)
    else:  # a kept body is small enough to be journaled whole
        call.body = prepared.body
    execute = prepared.request

    namespace = await mock.worlds.namespace(call.namespace)
    retriever = _find_retriever(namespace, request.path_params["retriever_id"])
    scenario = call.scenario
    if scenario is None:
        scenario = await mock.scenarios.take(
            call.namespace, (retriever.retriever_id, retriever.name)
        )
        call.scenario = scenario
    _raise_forced_status(mock, scenario)

    if execute.stream:  # streamed answers are not cached: no ETag, no 304
        answer = await mock.executor.execute(
            namespace, retriever, prepared, scenario, run_to_end=True
        )
        assert answer.execution is not None
        call.execution_id = answer.execution.execution_id
        return stream_answer(mock, answer.execution)
    answer = await mock.executor.execute(
        namespace,
        retriever,
        prepared,
        scenario,
        if_none_match=request.headers.get("if-none-match"),
    )
    if answer.execution is None:
        return not_modified(mock, call, answer.etag)
    call.execution_id = answer.execution.execution_id
    headers = cache_headers(answer.etag, hit=answer.execution.cache_hit)
    return execution_answer(mock, call, answer.execution, headers=headers)


async def get_execution(request: Request, mock: MockState, call: Call) -> Response:
    issues = call.operation.validate_parameters(request.path_params, request.query_params)
    if issues:
        raise RequestValidationFailed(issues)
    namespace = await mock.worlds.namespace(call.namespace)
    retriever = _find_retriever(namespace, request.path_params["retriever_id"])
    execution_id = request.path_params["execution_id"]
    call.execution_id = execution_id
    _raise_forced_status(mock, call.scenario)
    execution = await mock.store.get(execution_id)
    if (
        execution is None
        or execution.namespace != call.namespace
        or execution.retriever_id != retriever.retriever_id
    ):
        raise NotFound(
            f"Execution {_shown(execution_id)!r} of retriever {retriever.retriever_id!r} not "
            f"found in namespace {_shown(call.namespace)!r}.",
            code="execution_not_found",
        )
    settings = mock.settings
    if not execution.is_terminal:  # a terminal record never moves
        now = mock.clock()
        execution = await mock.store.advance(
            execution,
            lambda current: advance(
                current,
                now=now,
                progression=settings.progression,
                stage_duration_ms=settings.stage_duration_ms,
            ),
        )
    return execution_answer(mock, call, execution, readback=settings.readback)


def execution_answer(
    mock: MockState,
    call: Call,
    execution: Execution,
    *,
    readback: ReadBack | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The execution as ``ExecutionDetail`` (checked against the spec in strict mode).

    ``readback`` is the read-back mode of get-execution (None for execute's answer).
    Rendered from plain data without building a model; a terminal execution read back
    is rendered once and its bytes kept (:class:`~mixpeek_toolkit.mockserver.rendering.RenderedExecutions`).
    """
    content = mock.rendered.get(execution) if readback is not None else None
    if content is None:
        body = view(execution, readback=readback)
        if mock.settings.strict:
            call.operation.check_response(200, JSON, body)
        content = render_json(body)
        if readback is not None:
            mock.rendered.keep(execution, content)
    return Response(content, status_code=200, media_type=JSON, headers=headers)


def not_modified(mock: MockState, call: Call, etag: str | None) -> Response:
    """``304``: the result named by ``If-None-Match`` is unchanged. No body, no execution."""
    if mock.settings.strict:
        call.operation.check_response(304, None, None)
    return Response(status_code=304, headers=cache_headers(etag, hit=None))


def _find_retriever(namespace: NamespaceState, retriever_id: str) -> RetrieverSpec:
    retriever = namespace.world.find_retriever(retriever_id)
    if retriever is None:
        raise NotFound(
            f"Retriever {_shown(retriever_id)!r} not found in namespace "
            f"{_shown(namespace.name)!r}.",
            code="retriever_not_found",
        )
    return retriever


def _shown(name: str, limit: int = 200) -> str:
    """A name as an error message shows it: a very long one is cut short."""
    return name if len(name) <= limit else name[:limit] + "..."


def _raise_forced_status(mock: MockState, scenario: Scenario | None) -> None:
    if scenario is None or scenario.status is None:
        return
    settings = mock.settings
    message = scenario.error or f"Forced by scenario: status {scenario.status}."
    raise error_for_status(
        scenario.status,
        message,
        retry_after=scenario.retry_after if scenario.retry_after is not None else 1,
        rate_limit=settings.rate_limit,
        window=settings.rate_limit_window_s,
    )
