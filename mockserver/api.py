"""The two operations of the API, ``executeRetriever`` and ``getExecution``.

Handlers hold no state: they validate (422), look up (404), hand the work to the
executor or the store, and answer generated models. Checks before them live in
:mod:`mixpeek_toolkit.mockserver.edge`.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError as PydanticValidationError
from starlette.requests import Request
from starlette.responses import Response

from ..generated.models import ExecuteRetrieverRequest
from .edge import JSON, Call, parse_json_body
from .errors import NotFound, RequestValidationFailed, error_for_status
from .executions import Execution, advance, view
from .executor import ExecutionOptions
from .rendering import render_json
from .scenarios import Scenario
from .state import MockState
from .streaming import stream_answer
from .tenancy import NamespaceState
from .world import RetrieverSpec

__all__ = ["execute_retriever", "get_execution"]

TRUE = "true"


async def execute_retriever(request: Request, mock: MockState, call: Call) -> Response:
    body = await parse_json_body(request, call, mock.settings.max_body_bytes)
    issues = call.operation.validate_parameters(request.path_params, request.query_params)
    try:
        call.operation.validate_body(body)
    except RequestValidationFailed as failed:
        issues.extend(failed.issues)
    if issues:
        raise RequestValidationFailed(issues)
    execute = _parse_request(body)

    namespace = mock.namespaces.get(call.namespace)
    retriever = _find_retriever(namespace, request.path_params["retriever_id"])
    if execute.retriever_id is not None:
        named = namespace.world.find_retriever(execute.retriever_id)
        if named is None or named.retriever_id != retriever.retriever_id:
            raise RequestValidationFailed(
                [
                    {
                        "type": "value_error",
                        "location": ["body", "retriever_id"],
                        "message": f"The body names retriever {execute.retriever_id!r} but the path "
                        f"names {retriever.retriever_id!r}; drop the field or make them agree.",
                    }
                ]
            )
    scenario = call.scenario
    if scenario is None:
        scenario = mock.scenarios.take(call.namespace, (retriever.retriever_id, retriever.name))
        call.scenario = scenario
    _raise_forced_status(mock, scenario)

    query = request.query_params
    options = ExecutionOptions(
        include_legacy_results=query.get("include_legacy_results", "").lower() == TRUE,
        explain=bool(execute.explain) or query.get("explain", "").lower() == TRUE,
    )
    if execute.stream:
        execution = mock.executor.execute(
            namespace, retriever, execute, scenario, options, run_to_end=True
        )
        call.execution_id = execution.execution_id
        return stream_answer(mock, execution)
    execution = mock.executor.execute(namespace, retriever, execute, scenario, options)
    call.execution_id = execution.execution_id
    return execution_answer(mock, call, execution)


async def get_execution(request: Request, mock: MockState, call: Call) -> Response:
    issues = call.operation.validate_parameters(request.path_params, request.query_params)
    if issues:
        raise RequestValidationFailed(issues)
    namespace = mock.namespaces.get(call.namespace)
    retriever = _find_retriever(namespace, request.path_params["retriever_id"])
    execution_id = request.path_params["execution_id"]
    call.execution_id = execution_id
    _raise_forced_status(mock, call.scenario)
    execution = mock.store.get(execution_id)
    if (
        execution is None
        or execution.namespace != call.namespace
        or execution.retriever_id != retriever.retriever_id
    ):
        raise NotFound(
            f"Execution {execution_id!r} of retriever {retriever.retriever_id!r} not found "
            f"in namespace {call.namespace!r}.",
            code="execution_not_found",
        )
    settings = mock.settings
    moved = advance(
        execution,
        now=mock.clock(),
        progression=settings.progression,
        stage_duration_ms=settings.stage_duration_ms,
    )
    if moved is not execution:
        mock.store.put(moved)
    return execution_answer(mock, call, moved)


def execution_answer(mock: MockState, call: Call, execution: Execution) -> Response:
    """The execution as ``ExecutionDetail`` (checked against the spec in strict mode).

    Rendered from plain data without building a model; a terminal execution is
    rendered once and its bytes kept (:class:`~mixpeek_toolkit.mockserver.rendering.RenderedExecutions`).
    """
    content = mock.rendered.get(execution)
    if content is None:
        body = view(execution)
        if mock.settings.strict:
            call.operation.check_response(200, JSON, body)
        content = render_json(body)
        mock.rendered.keep(execution, content)
    return Response(content, status_code=200, media_type=JSON)


def _parse_request(body: Any) -> ExecuteRetrieverRequest:
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
            f"Retriever {retriever_id!r} not found in namespace {namespace.name!r}.",
            code="retriever_not_found",
        )
    return retriever


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
