"""``create_app(settings)``: the whole mock as one Starlette app; all its state lives on it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import spec
from .api import execute_retriever, get_execution
from .bugs import BugLog
from .control import control_routes
from .edge import v1_endpoint
from .errors import ApiError, MethodNotAllowed, NotFound, error_response
from .executor import Executor
from .memory import memory_backend
from .protocols import Backend
from .scenarios import ScenarioParser
from .settings import Settings
from .state import MockState
from .store import ExecutionStore
from .tenancy import Authenticator, NamespaceRegistry
from .validation import SpecContract
from .world import default_world_path, load_world

__all__ = ["create_app"]

EXECUTE = "executeRetriever"
GET_EXECUTION = "getExecution"


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    store: ExecutionStore | None = None,
) -> Starlette:
    """Build the mock. ``clock`` (unix seconds) and ``sleep`` are injectable for tests;
    ``store`` replaces the execution store (e.g. by a shared one). With
    ``Settings(store="redis://...")`` every piece of state lives in that Redis."""
    settings = settings or Settings()
    clock = clock or time.time
    contract = SpecContract(spec.load_openapi())
    template = load_world(settings.fixtures_path or default_world_path())
    registry = NamespaceRegistry(
        template,
        allowed=settings.namespaces,
        max_namespaces=settings.max_namespaces,
        credits_per_namespace=settings.credits_per_namespace,
        header=contract.header_parameter(EXECUTE, "X-Namespace"),
    )
    backend = _backend(settings, registry, clock, store)
    state = MockState(
        settings=settings,
        contract=contract,
        store=backend.store,
        namespaces=registry,
        executor=Executor(settings, backend.store, clock, budgets=backend.budgets, ids=backend.ids),
        authenticator=Authenticator(settings.api_keys),
        limiter=backend.limiter,
        journal=backend.journal,
        scenarios=backend.scenarios,
        parser=ScenarioParser(contract.operations[EXECUTE].error_statuses),
        clock=clock,
        sleep=sleep or anyio.sleep,
        bugs=BugLog(secrets=[settings.control_token or "", *settings.api_keys]),
        worlds=backend.worlds,
        budgets=backend.budgets,
        aclose=backend.aclose,
    )
    routes = [
        Route(
            "/v1/retrievers/{retriever_id}/execute",
            v1_endpoint(EXECUTE, execute_retriever),
            methods=["POST"],
        ),
        Route(
            "/v1/retrievers/{retriever_id}/executions/{execution_id}",
            v1_endpoint(GET_EXECUTION, get_execution),
            methods=["GET"],
        ),
        *control_routes(enabled=settings.control_api),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: _http_exception,
            ApiError: _api_error,
            Exception: _unexpected_error,
        },
        lifespan=_lifespan,
    )
    app.state.mock = state
    return app


def _backend(
    settings: Settings,
    registry: NamespaceRegistry,
    clock: Callable[[], float],
    store: ExecutionStore | None,
) -> Backend:
    if not settings.shared:
        return memory_backend(settings, registry, clock, store)
    from .shared import redis_backend  # needs the [redis] extra: imported only when asked for

    return redis_backend(settings, registry, clock, store)


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    yield
    await app.state.mock.aclose()


async def _api_error(request: Request, exc: Exception) -> Response:
    response, _ = error_response(exc, bugs=request.app.state.mock.bugs)
    return response


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    """The last resort: an exception no endpoint caught is a bug (recorded, answered 500)."""
    where = f"{request.method} {request.url.path}"
    response, _ = error_response(exc, bugs=request.app.state.mock.bugs, where=where)
    return response


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        error: ApiError = MethodNotAllowed(
            f"Method {request.method} is not allowed on {request.url.path}.",
            headers=exc.headers,
        )
    elif exc.status_code == 404:
        error = NotFound(f"No route {request.method} {request.url.path}.", code="route_not_found")
    else:
        error = ApiError(str(exc.detail))
        error.status = exc.status_code
    response, _ = error_response(error)
    return response
