"""The control API under ``/_mock/``: reset, world, documents, retrievers, scenarios, journal.

Never under ``/v1``; errors use the same envelope as the API. Open by default (a test
harness on 127.0.0.1). For shared deployments it can be protected by its own token
(``Settings.control_token``, sent as ``Authorization: Bearer <token>`` or
``X-Mock-Control-Token: <token>``, compared in constant time; 401 without it) or turned
off (``Settings.control_api=False``: every ``/_mock/`` path answers 404).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..generated.models import ExecutionDetail
from .bodies import loads_json, read_body
from .digits import is_ascii_number
from .errors import Conflict, NotFound, RequestValidationFailed, Unauthorized, error_response
from .executions import view
from .scenarios import QueuedScenario
from .secrecy import same_secret
from .state import MockState
from .world import DuplicateId, NamespaceWorld, UnknownCollection, WorldError

__all__ = ["CONTROL_TOKEN_HEADER", "control_routes"]

MAX_JOURNAL_LIMIT = 100_000
CONTROL_TOKEN_HEADER = "X-Mock-Control-Token"
BEARER_PREFIX = "bearer "
Endpoint = Callable[[Request], Awaitable[Response]]


def _mock(request: Request) -> MockState:
    return request.app.state.mock


async def _json(request: Request) -> Any:
    return loads_json(await read_body(request, _mock(request).settings.max_body_bytes))


def _invalid(
    location: list[str | int], message: str, kind: str = "value_error"
) -> RequestValidationFailed:
    return RequestValidationFailed(
        [{"type": kind, "location": location, "message": message}], message
    )


def _namespace_name(mock: MockState, name: str) -> str:
    if not mock.contract.header_parameter("executeRetriever", "X-Namespace").validator.is_valid(
        name
    ):
        raise _invalid(["path", "namespace"], f"Namespace name {name[:80]!r} is malformed.")
    return name


async def health(request: Request) -> Response:
    mock = _mock(request)
    return JSONResponse(
        {
            "status": "ok",
            "executions": await mock.store.count(),
            "namespaces": await mock.worlds.count(),
            "seed": mock.settings.seed,
            "worker": os.getpid(),  # which worker answered (many share one mock on Redis)
        }
    )


async def reset(request: Request) -> Response:
    await _mock(request).reset()
    return Response(status_code=204)


async def get_world(request: Request) -> Response:
    mock = _mock(request)
    name = request.query_params.get("namespace")
    if name:
        world = (await mock.worlds.namespace(_namespace_name(mock, name))).world
    else:
        world = NamespaceWorld.from_template(await mock.worlds.template())
    return JSONResponse(world.describe())


async def put_world(request: Request) -> Response:
    mock = _mock(request)
    raw = await read_body(request, mock.settings.max_body_bytes)
    try:
        template = await mock.worlds.replace_template(raw.decode("utf-8", "replace"))
    except WorldError as problem:
        raise _invalid(["body"], str(problem), "world_invalid") from None
    return JSONResponse(NamespaceWorld.from_template(template).describe())


async def add_documents(request: Request) -> Response:
    mock = _mock(request)
    name = _namespace_name(mock, request.path_params["namespace"])
    body = await _json(request)
    if not isinstance(body, dict) or not isinstance(body.get("documents"), list):
        raise _invalid(
            ["body", "documents"], 'Send {"documents": [{"document_id"?: ..., "payload": {...}}]}.'
        )
    try:
        added = await mock.worlds.add_documents(
            name, request.path_params["collection"], body["documents"]
        )
    except UnknownCollection as problem:
        raise NotFound(str(problem), code="collection_not_found") from None
    except DuplicateId as problem:
        raise Conflict(str(problem), code="document_exists") from None
    except WorldError as problem:
        raise _invalid(["body", "documents"], str(problem)) from None
    return JSONResponse({"added": added}, status_code=201)


async def add_retriever(request: Request) -> Response:
    mock = _mock(request)
    name = _namespace_name(mock, request.path_params["namespace"])
    body = await _json(request)
    if not isinstance(body, dict):
        raise _invalid(["body"], "Send one retriever in the fixture format (a JSON object).")
    try:
        spec = await mock.worlds.add_retriever(name, body)
    except DuplicateId as problem:
        raise Conflict(str(problem), code="retriever_exists") from None
    except UnknownCollection as problem:
        raise _invalid(["body", "collections"], str(problem)) from None
    except WorldError as problem:
        raise _invalid(["body"], str(problem)) from None
    return JSONResponse({"retriever_id": spec.retriever_id, "name": spec.name}, status_code=201)


async def queue_scenarios(request: Request) -> Response:
    mock = _mock(request)
    body = await _json(request)
    if not isinstance(body, dict):
        raise _invalid(["body"], 'Send {"scenarios": [...], "namespace"?: ..., "retriever"?: ...}.')
    unknown = set(body) - {"scenarios", "namespace", "retriever"}
    if unknown:
        key = sorted(unknown)[0]
        raise _invalid(["body", key], f"Unknown field {key!r}.", "extra_forbidden")
    items = body.get("scenarios")
    if not isinstance(items, list) or not items:
        raise _invalid(
            ["body", "scenarios"], "scenarios must be a non-empty list of scenario objects."
        )
    namespace = body.get("namespace")
    retriever = body.get("retriever")
    for key, value in (("namespace", namespace), ("retriever", retriever)):
        if value is not None and (not isinstance(value, str) or not value):
            raise _invalid(["body", key], f"{key} must be a non-empty string.")
    scenarios = [mock.parser.from_mapping(raw, index) for index, raw in enumerate(items)]
    queued = await mock.scenarios.push([QueuedScenario(s, namespace, retriever) for s in scenarios])
    return JSONResponse({"queued": queued}, status_code=201)


async def clear_scenarios(request: Request) -> Response:
    await _mock(request).scenarios.clear()
    return Response(status_code=204)


async def get_journal(request: Request) -> Response:
    mock = _mock(request)
    raw = request.query_params.get("limit")
    limit = None
    if raw is not None:
        if not is_ascii_number(raw) or int(raw) > MAX_JOURNAL_LIMIT:
            raise _invalid(
                ["query", "limit"], f"limit must be an integer between 0 and {MAX_JOURNAL_LIMIT}."
            )
        limit = int(raw)
    entries = await mock.journal.entries(limit)
    return JSONResponse({"entries": [e.as_dict() for e in entries]})


async def clear_journal(request: Request) -> Response:
    await _mock(request).journal.clear()
    return Response(status_code=204)


async def get_stored_execution(request: Request) -> Response:
    mock = _mock(request)
    execution_id = request.path_params["execution_id"]
    execution = await mock.store.get(execution_id)
    if execution is None:
        raise NotFound(f"Execution {execution_id!r} not found.", code="execution_not_found")
    detail = ExecutionDetail.model_validate(view(execution))
    return Response(detail.model_dump_json(exclude_unset=True), media_type="application/json")


async def control_off(request: Request) -> Response:
    raise NotFound(
        "The control API is turned off on this server (control_api=False).",
        code="control_api_off",
    )


def _check_token(mock: MockState, request: Request) -> None:
    """401 unless the request carries the control token (when one is configured)."""
    expected = mock.settings.control_token
    if expected is None:
        return
    given = request.headers.get(CONTROL_TOKEN_HEADER)
    authorization = request.headers.get("authorization", "")
    if given is None and authorization[: len(BEARER_PREFIX)].lower() == BEARER_PREFIX:
        given = authorization[len(BEARER_PREFIX) :].strip()
    challenge = {"WWW-Authenticate": 'Bearer realm="mixpeek-mock-control"'}
    if not given:
        raise Unauthorized(
            f"The control API needs its token: send '{CONTROL_TOKEN_HEADER}: <token>' or "
            "'Authorization: Bearer <token>'.",
            code="control_token_required",
            headers=challenge,
        )
    if not same_secret(given, expected):
        raise Unauthorized(
            "The control token is wrong.", code="invalid_control_token", headers=challenge
        )


def _guarded(handler: Endpoint) -> Endpoint:
    """The handler behind the token check; every error answered in the envelope (bugs recorded)."""

    async def endpoint(request: Request) -> Response:
        mock = _mock(request)
        try:
            _check_token(mock, request)
            return await handler(request)
        except Exception as problem:
            where = f"{request.method} {request.url.path}"
            response, _ = error_response(problem, bugs=mock.bugs, where=where)
            return response

    endpoint.__name__ = handler.__name__
    return endpoint


def control_routes(enabled: bool = True) -> list[Route]:
    """The control API's routes; turned off, one route answering 404 for every ``/_mock/`` path."""
    if not enabled:
        methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        return [Route("/_mock/{path:path}", _guarded(control_off), methods=methods)]
    routes = [
        ("/_mock/health", health, "GET"),
        ("/_mock/reset", reset, "POST"),
        ("/_mock/world", get_world, "GET"),
        ("/_mock/world", put_world, "PUT"),
        (
            "/_mock/namespaces/{namespace}/collections/{collection}/documents",
            add_documents,
            "POST",
        ),
        ("/_mock/namespaces/{namespace}/retrievers", add_retriever, "POST"),
        ("/_mock/scenarios", queue_scenarios, "POST"),
        ("/_mock/scenarios", clear_scenarios, "DELETE"),
        ("/_mock/journal", get_journal, "GET"),
        ("/_mock/journal", clear_journal, "DELETE"),
        ("/_mock/executions/{execution_id}", get_stored_execution, "GET"),
    ]
    return [Route(path, _guarded(handler), methods=[method]) for path, handler, method in routes]
