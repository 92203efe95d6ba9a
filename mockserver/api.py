"""The two operations of the API, ``executeRetriever`` and ``getExecution``.

Handlers hold no state: they validate (422), look up (404), hand the work to the
executor or the store, and answer generated models. Checks before them live in
:mod:`mixpeek_toolkit.mockserver.edge`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from starlette.requests import Request
from starlette.responses import Response

from ..generated.models import ExecuteRetrieverRequest
from .caching import cache_headers
from .edge import JSON, Call, parse_json_body
from .errors import NotFound, RequestValidationFailed, error_for_status
from .executions import Execution, advance, view
from .executor import ExecutionOptions
from .rendering import render_json
from .scenarios import Scenario
from .settings import ReadBack
from .state import MockState
from .streaming import stream_answer
from .tenancy import NamespaceState
from .world import RetrieverSpec

__all__ = ["execute_retriever", "get_execution"]

TRUE = "true"


async def execute_retriever(request: Request, mock: MockState, call: Call) -> Response:
    settings = mock.settings
    body = await parse_json_body(request, call, settings.max_body_bytes)
    issues = call.operation.validate_parameters(request.path_params, request.query_params)
    try:
        call.operation.validate_body(body, max_depth=settings.max_body_depth)
    except RequestValidationFailed as failed:
        if not issues:
            raise  # keeps its message and code (e.g. body_too_deep)
        issues.extend(failed.issues)
    if issues:
        raise RequestValidationFailed(issues)
    execute = _parse_request(body)

    namespace = await mock.worlds.namespace(call.namespace)
    retriever = _find_retriever(namespace, request.path_params["retriever_id"])
    scenario = call.scenario
    if scenario is None:
        scenario = await mock.scenarios.take(
            call.namespace, (retriever.retriever_id, retriever.name)
        )
        call.scenario = scenario
    _raise_forced_status(mock, scenario)

    query = request.query_params
    options = ExecutionOptions(
        include_legacy_results=query.get("include_legacy_results", "").lower() == TRUE,
        explain=bool(execute.explain) or query.get("explain", "").lower() == TRUE,
        skip_cache=bool(execute.skip_cache) or query.get("skip_cache", "").lower() == TRUE,
    )
    if execute.stream:  # streamed answers are not cached: no ETag, no 304
        answer = await mock.executor.execute(
            namespace, retriever, execute, scenario, options, run_to_end=True
        )
        assert answer.execution is not None
        call.execution_id = answer.execution.execution_id
        return stream_answer(mock, answer.execution)
    answer = await mock.executor.execute(
        namespace,
        retriever,
        execute,
        scenario,
        options,
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


def _parse_request(body: Any) -> ExecuteRetrieverRequest:
    inputs = body.get("inputs") if isinstance(body, dict) else None
    top_k = inputs.get("top_k") if isinstance(inputs, dict) else None
    if isinstance(top_k, float) and top_k.is_integer():  # JSON Schema's integer 1e300 is
        # an integer the ceiling clamps, not a parse error (the journal keeps the body as sent)
        body = {**body, "inputs": {**inputs, "top_k": int(top_k)}}
    try:
        return ExecuteRetrieverRequest.model_validate(body)
    except PydanticValidationError as invalid:  # the schema passed; the models disagree
        raise RequestValidationFailed(
            [
                {"type": e["type"], "location": ["body", *e["loc"]], "message": e["msg"]}
                for e in invalid.errors(include_url=False)
            ]
        ) from None


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
