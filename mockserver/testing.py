"""The engine of the pytest plugin (``contracts/plugin.py``): live mocks and a per-test handle.

Two ways to serve one mock app (``create_app(settings)``) to a test:

- :class:`MockServer` runs it with uvicorn in a background thread on a free
  ``127.0.0.1`` port, so any HTTP client (the official ``mixpeek`` client too) can reach it.
- :class:`InProcessMock` serves it with no socket at all: httpx clients whose transport
  calls the ASGI app directly (a sync transport over an anyio portal, or
  ``httpx.ASGITransport`` for async code).

:class:`MockPool` starts each of them once per distinct :class:`~mockserver.Settings` and stops
them at the end; :class:`MockHandle` is what a test holds: it resets the mock, seeds it, queues
scenarios, reads the request journal and asserts on it. The handle talks to the mock only
through the HTTP control API under ``/_mock/``, so it works the same in both modes.

Errors raised inside the server (a start-up failure, an exception escaping the app) are kept
and re-raised in the test as :class:`MockServerFailure`: on the next response of the handle's
client, or when the test ends (unless the test already failed: then they are attached to
its report instead, so they never hide the test's own failure).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import socket
import threading
import traceback
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import uvicorn

if TYPE_CHECKING:
    from anyio.from_thread import BlockingPortal
    from starlette.types import ASGIApp, Receive, Scope, Send

    from mockserver.settings import Settings

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_NAMESPACE",
    "HANDLE_OPTIONS",
    "InProcessMock",
    "MockHandle",
    "MockPool",
    "MockServer",
    "MockServerFailure",
    "split_marker_options",
]

DEFAULT_API_KEY = "sk_test_mixpeek_mock"
DEFAULT_NAMESPACE = "pytest"
HANDLE_OPTIONS = frozenset({"api_key", "namespace"})
"""Marker options that configure the handle rather than the server's ``Settings``."""

STARTUP_TIMEOUT_S = 15.0
SHUTDOWN_TIMEOUT_S = 10.0
CONTROL = "/_mock"


class MockServerFailure(RuntimeError):
    """The mock failed on its side: it did not start, or an exception escaped the app."""


# --- errors raised inside the app ---------------------------------------------------------


class _ErrorLog:
    """Exceptions seen inside a server thread, kept until a test takes them (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: list[BaseException] = []

    def add(self, error: BaseException) -> None:
        with self._lock:
            self._errors.append(error)

    def take(self) -> list[BaseException]:
        with self._lock:
            errors, self._errors = self._errors, []
        return errors


class _RecordErrors:
    """ASGI wrapper: remembers every exception that escapes the app, then lets it propagate."""

    def __init__(self, app: ASGIApp, log: _ErrorLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as error:
            self.log.add(error)
            raise


def describe_errors(errors: Sequence[BaseException], *, tracebacks: bool = True) -> str:
    """A readable account of server-side errors (with their tracebacks, unless told not to)."""
    parts = [f"{len(errors)} error(s) inside the Mixpeek mock server:"]
    for error in errors:
        if tracebacks:
            parts.append("".join(traceback.format_exception(error)).rstrip())
        else:
            parts.append(f"  {type(error).__name__}: {error}")
    return ("\n\n" if tracebacks else "\n").join(parts)


def raise_errors(errors: Sequence[BaseException]) -> None:
    """Raise :class:`MockServerFailure` for ``errors``; the first one's traceback is chained."""
    if errors:
        raise MockServerFailure(describe_errors(errors, tracebacks=False)) from errors[0]


# --- a live server in a thread ------------------------------------------------------------


def _free_socket(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.set_inheritable(True)
    return sock


class MockServer:
    """One mock app served by uvicorn on ``127.0.0.1:<free port>`` in a daemon thread.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. Signal handlers are
    left alone (uvicorn 0.54 installs them only from the main thread, and
    ``capture_signals`` is disabled here as well), so Ctrl-C still reaches pytest.
    """

    host = "127.0.0.1"

    def __init__(self, settings: Settings, *, startup_timeout: float = STARTUP_TIMEOUT_S) -> None:
        self.settings = settings
        self.startup_timeout = startup_timeout
        self.errors = _ErrorLog()
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._server: _ThreadServer | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        if not self.port:
            raise MockServerFailure("The mock server is not running: call start() first.")
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> MockServer:
        if self._thread is not None:
            raise MockServerFailure("This MockServer was started already; create a new one.")
        from mockserver import create_app

        app = _RecordErrors(create_app(self.settings), self.errors)
        config = uvicorn.Config(
            app, lifespan="auto", log_level="warning", access_log=False, timeout_graceful_shutdown=2
        )
        ready = threading.Event()
        self._server = server = _ThreadServer(config, ready)
        self._socket = _free_socket(self.host)
        self.port = self._socket.getsockname()[1]
        self._thread = threading.Thread(
            target=self._serve, name=f"mixpeek-mock:{self.port}", daemon=True
        )
        self._thread.start()
        if not ready.wait(self.startup_timeout):
            self.stop()
            raise MockServerFailure(
                f"The mock server did not start within {self.startup_timeout:g} s on "
                f"{self.base_url}."
            )
        if not server.started:
            errors = self.errors.take()
            self._join()
            raise MockServerFailure(
                "The mock server failed to start.\n" + describe_errors(errors)
            ) from (errors[0] if errors else None)
        return self

    def _serve(self) -> None:
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as error:  # SystemExit from a failed start-up included
            self.errors.add(error)
        finally:
            self._server.ready.set()

    def stop(self, timeout: float = SHUTDOWN_TIMEOUT_S) -> None:
        """Ask uvicorn to exit and wait for the thread; raise if it does not end in time."""
        if self._server is not None:
            self._server.should_exit = True
        self._join(timeout)

    def _join(self, timeout: float = SHUTDOWN_TIMEOUT_S) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():
            thread.join(timeout)
            if thread.is_alive():
                self._server.force_exit = True
                thread.join(1.0)
                raise MockServerFailure(
                    f"The mock server on port {self.port} did not stop in time."
                )
        if self._socket is not None:
            self._socket.close()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _ThreadServer(uvicorn.Server):
    """A uvicorn server that never touches signal handlers and reports readiness."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self.ready = ready

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()


# --- serving the app in-process -----------------------------------------------------------


class _PortalTransport(httpx.BaseTransport):
    """A sync httpx transport that calls an ASGI app on an anyio portal's event loop."""

    def __init__(self, app: ASGIApp, portal: BlockingPortal) -> None:
        self._transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> httpx.Response:
            response = await self._transport.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                content=content,
                extensions=response.extensions,
                request=request,
            )

        return self._portal.call(call)


class InProcessMock:
    """One mock app served with no socket; clients call the ASGI app directly.

    App exceptions propagate straight into the calling test (``raise_app_exceptions``).
    The official ``mixpeek`` client needs a real socket: use :class:`MockServer` for it.
    """

    base_url = "http://mixpeek-mock.invalid"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app: Any = None
        self._exit_stack = contextlib.ExitStack()
        self._portal: BlockingPortal | None = None

    def start(self) -> InProcessMock:
        from anyio.from_thread import start_blocking_portal

        from mockserver import create_app

        self.app = create_app(self.settings)
        self._portal = self._exit_stack.enter_context(start_blocking_portal())
        return self

    def stop(self) -> None:
        self._exit_stack.close()

    def client(self, **kwargs: Any) -> httpx.Client:
        if self._portal is None:
            raise MockServerFailure("The in-process mock is not started: call start() first.")
        return httpx.Client(
            base_url=self.base_url, transport=_PortalTransport(self.app, self._portal), **kwargs
        )

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=("127.0.0.1", 50000))
        return httpx.AsyncClient(base_url=self.base_url, transport=transport, **kwargs)


# --- one mock per distinct Settings -------------------------------------------------------


class MockPool:
    """Starts a live server or an in-process app once per distinct ``Settings``; stops them all.

    Tests that share settings share a mock (reset before each test); a test whose marker asks
    for other settings gets its own, started on first use and reused by later tests that ask
    for the same settings.
    """

    def __init__(self) -> None:
        self._servers: dict[Settings, MockServer] = {}
        self._in_process: dict[Settings, InProcessMock] = {}

    def server(self, settings: Settings) -> MockServer:
        if settings not in self._servers:
            self._servers[settings] = MockServer(settings).start()
        return self._servers[settings]

    def in_process(self, settings: Settings) -> InProcessMock:
        if settings not in self._in_process:
            self._in_process[settings] = InProcessMock(settings).start()
        return self._in_process[settings]

    def close(self) -> None:
        """Stop every mock; raise the first failure to stop after trying them all."""
        failures: list[BaseException] = []
        mocks: list[MockServer | InProcessMock] = [
            *self._servers.values(),
            *self._in_process.values(),
        ]
        self._servers.clear()
        self._in_process.clear()
        for mock in mocks:
            try:
                mock.stop()
            except Exception as error:
                failures.append(error)
        if failures:
            raise failures[0]


def split_marker_options(
    base: Settings, options: Mapping[str, Any]
) -> tuple[Settings, dict[str, Any]]:
    """Split ``@pytest.mark.mixpeek_mock(...)`` options into ``Settings`` and handle options."""
    fields = {field.name for field in dataclasses.fields(base)}
    unknown = sorted(set(options) - fields - HANDLE_OPTIONS)
    if unknown:
        raise ValueError(
            f"@pytest.mark.mixpeek_mock got unknown option(s) {', '.join(unknown)}; it accepts "
            f"the mockserver.Settings fields ({', '.join(sorted(fields))}) and "
            f"{', '.join(sorted(HANDLE_OPTIONS))}."
        )
    settings_changes = {key: value for key, value in options.items() if key in fields}
    handle_options = {key: value for key, value in options.items() if key in HANDLE_OPTIONS}
    settings = dataclasses.replace(base, **settings_changes) if settings_changes else base
    return settings, handle_options


def default_credentials(settings: Settings) -> tuple[str, str]:
    """An API key and a namespace the given settings accept."""
    api_key = min(settings.api_keys) if settings.api_keys else DEFAULT_API_KEY
    namespace = min(settings.namespaces) if settings.namespaces else DEFAULT_NAMESPACE
    return api_key, namespace


# --- the per-test handle ------------------------------------------------------------------


JournalEntry = dict[str, Any]
"""One journal entry as ``GET /_mock/journal`` answers it: seq, at, method, path, namespace,
status_code, execution_id, body, prefer."""


class MockHandle:
    """What a test holds: the mock's address and credentials, seeding, scenario queueing,
    the request journal and assertions on it. Created per test; the mock is reset first.
    """

    def __init__(
        self,
        mock: MockServer | InProcessMock,
        *,
        api_key: str | None = None,
        namespace: str | None = None,
    ) -> None:
        default_key, default_namespace = default_credentials(mock.settings)
        self.mock = mock
        self.settings: Settings = mock.settings
        self.api_key: str = api_key or default_key
        self.namespace: str = namespace or default_namespace
        self._control = self._new_client({})
        self._client: httpx.Client | None = None
        self._opened: list[httpx.Client] = [self._control]
        self._world_replaced = False

    # -- address, credentials and clients --

    @property
    def base_url(self) -> str:
        return self.mock.base_url

    @property
    def in_process(self) -> bool:
        return isinstance(self.mock, InProcessMock)

    @property
    def headers(self) -> dict[str, str]:
        """The headers every API request needs: ``Authorization`` and ``X-Namespace``."""
        return {"Authorization": f"Bearer {self.api_key}", "X-Namespace": self.namespace}

    @property
    def client(self) -> httpx.Client:
        """An ``httpx.Client`` on the mock with the auth and namespace headers set."""
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def make_client(
        self, *, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> httpx.Client:
        """A new ``httpx.Client`` on the mock (closed after the test). ``headers`` replaces
        the default auth and namespace headers, e.g. ``headers={}`` for an anonymous client."""
        client = self._new_client(self.headers if headers is None else headers, **kwargs)
        self._opened.append(client)
        return client

    def async_client(
        self, *, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> httpx.AsyncClient:
        """A new ``httpx.AsyncClient`` on the mock; close it yourself (``async with``)."""
        chosen = dict(self.headers if headers is None else headers)
        if isinstance(self.mock, InProcessMock):
            return self.mock.async_client(headers=chosen, **kwargs)
        hooks = {"response": [self._async_raise_server_errors]}
        return httpx.AsyncClient(
            base_url=self.base_url, headers=chosen, event_hooks=hooks, **kwargs
        )

    def mixpeek_configuration(self, **overrides: Any) -> Any:
        """A ``mixpeek.Configuration`` for the official client, pointed at this mock."""
        if isinstance(self.mock, InProcessMock):
            raise MockServerFailure(
                "The official mixpeek client needs a socket; use the `mixpeek_mock` fixture "
                "(a live server) rather than `mixpeek_mock_asgi`."
            )
        try:
            import mixpeek
        except ImportError as error:  # pragma: no cover (mixpeek is a dev dependency here)
            raise MockServerFailure(
                "mixpeek_configuration() needs the official client: pip install mixpeek"
            ) from error
        options: dict[str, Any] = {
            "host": self.base_url,
            "access_token": self.api_key,
            "api_key": {"NamespaceHeader": self.namespace},
        }
        options.update(overrides)
        return mixpeek.Configuration(**options)

    def _new_client(self, headers: Mapping[str, str], **kwargs: Any) -> httpx.Client:
        if isinstance(self.mock, InProcessMock):
            return self.mock.client(headers=dict(headers), **kwargs)
        hooks = {"response": [self._raise_server_errors]}
        return httpx.Client(
            base_url=self.base_url, headers=dict(headers), event_hooks=hooks, **kwargs
        )

    def _raise_server_errors(self, response: httpx.Response) -> None:
        if isinstance(self.mock, MockServer):
            raise_errors(self.mock.errors.take())

    async def _async_raise_server_errors(self, response: httpx.Response) -> None:
        self._raise_server_errors(response)

    # -- state --

    def reset(self) -> None:
        """Forget executions, namespaces, queued scenarios, the journal and rate-limit counters."""
        self._control_call("POST", "/reset")

    def health(self) -> dict[str, Any]:
        return self._control_call("GET", "/health").json()

    def world(self, namespace: str | None = None) -> dict[str, Any]:
        """The retrievers and collections of a namespace (default: the handle's)."""
        params = {"namespace": namespace or self.namespace}
        return self._control_call("GET", "/world", params=params).json()

    def retriever_ids(self, namespace: str | None = None) -> list[str]:
        return [retriever["retriever_id"] for retriever in self.world(namespace)["retrievers"]]

    @property
    def retriever_id(self) -> str:
        """The first retriever of the handle's namespace (handy when any retriever will do)."""
        ids = self.retriever_ids()
        if not ids:
            raise MockServerFailure(f"Namespace {self.namespace!r} of the mock has no retriever.")
        return ids[0]

    def load_world(self, world: Mapping[str, Any] | str | Path) -> None:
        """Replace the template world (a mapping, YAML/JSON text or a file path) for this test;
        the mock's own world comes back after the test."""
        if isinstance(world, Path):
            content, media = world.read_text(encoding="utf-8"), "application/yaml"
        elif isinstance(world, str):
            content, media = world, "application/yaml"
        else:
            content, media = json.dumps(world), "application/json"
        self._world_replaced = True
        self._control_call("PUT", "/world", content=content, headers={"Content-Type": media})

    def add_documents(
        self,
        collection: str,
        documents: Sequence[Mapping[str, Any]],
        *,
        namespace: str | None = None,
    ) -> int:
        """Add documents to a collection (id or name) of a namespace; return how many.

        Each item is either a payload (``{"title": ...}``) or a document
        (``{"document_id": ..., "payload": {...}}``).
        """
        body = {"documents": [_as_document(document) for document in documents]}
        path = f"/namespaces/{namespace or self.namespace}/collections/{collection}/documents"
        return self._control_call("POST", path, json=body).json()["added"]

    def add_retriever(
        self,
        retriever: Mapping[str, Any] | None = None,
        /,
        *,
        namespace: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Add a retriever (fixture format, as a mapping and/or keyword fields) to a namespace;
        return the mock's answer."""
        body = {**(retriever or {}), **fields}
        response = self._control_call(
            "POST", f"/namespaces/{namespace or self.namespace}/retrievers", json=body
        )
        return response.json() if response.content else {}

    def execution(self, execution_id: str) -> dict[str, Any]:
        """The stored execution as the API would answer it (any namespace)."""
        return self._control_call("GET", f"/executions/{execution_id}").json()

    # -- scenarios --

    def queue(
        self,
        outcome: str | None = None,
        *,
        error: str | None = None,
        error_kind: str | None = None,
        stages: int | None = None,
        latency_ms: int | None = None,
        status: int | None = None,
        retry_after: int | None = None,
        retriever: str | None = None,
        namespace: str | None = None,
        times: int = 1,
    ) -> None:
        """Queue how the next execution(s) of the namespace (and retriever, if given) go.

        ``queue(outcome="failed", error="boom")``, ``queue(status=429, retry_after=2)``...
        Queued scenarios are taken first in first out; a ``Prefer`` header on a request wins.
        """
        scenario = {
            key: value
            for key, value in {
                "outcome": outcome,
                "error": error,
                "error_kind": error_kind,
                "stages": stages,
                "latency_ms": latency_ms,
                "status": status,
                "retry_after": retry_after,
            }.items()
            if value is not None
        }
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}.")
        body: dict[str, Any] = {
            "namespace": namespace or self.namespace,
            "scenarios": [scenario] * times,
        }
        if retriever is not None:
            body["retriever"] = retriever
        self._control_call("POST", "/scenarios", json=body)

    def queue_in_flight(self, stages: int = 3, **options: Any) -> None:
        """The next execution starts ``pending``; each read advances it one step (through
        ``processing``, one stage per read), so it completes on read ``stages + 1``."""
        self.queue("pending", stages=stages, **options)

    def queue_failure(self, error: str | None = None, **options: Any) -> None:
        """The next execution fails (with ``error`` as its message, if given)."""
        self.queue("failed", error=error, **options)

    def queue_rate_limited(self, retry_after: int = 1, **options: Any) -> None:
        """The next execute request(s) answer 429 with ``Retry-After: retry_after``."""
        self.queue(status=429, retry_after=retry_after, **options)

    def clear_queue(self) -> None:
        self._control_call("DELETE", "/scenarios")

    # -- the request journal --

    def journal(
        self,
        *,
        path_contains: str | None = None,
        method: str | None = None,
        status_code: int | None = None,
    ) -> list[JournalEntry]:
        """API requests the mock has seen since the reset, oldest first, optionally filtered."""
        entries = self._control_call("GET", "/journal").json()["entries"]
        selected = [
            entry
            for entry in sorted(entries, key=lambda entry: entry.get("seq", 0))
            if not str(entry.get("path", "")).startswith(CONTROL + "/")
            and (path_contains is None or path_contains in str(entry.get("path", "")))
            and (method is None or str(entry.get("method", "")).upper() == method.upper())
            and (status_code is None or entry.get("status_code") == status_code)
        ]
        return selected

    def clear_journal(self) -> None:
        self._control_call("DELETE", "/journal")

    def assert_called(
        self,
        *,
        path_contains: str | None = None,
        method: str | None = None,
        status_code: int | None = None,
        times: int | None = None,
    ) -> list[JournalEntry]:
        """Assert the mock saw matching requests (``times`` of them exactly, or at least one);
        return them."""
        matching = self.journal(path_contains=path_contains, method=method, status_code=status_code)
        expected = "at least 1" if times is None else str(times)
        if (times is None and not matching) or (times is not None and len(matching) != times):
            criteria = _describe_criteria(
                path_contains=path_contains, method=method, status_code=status_code
            )
            raise AssertionError(
                f"Expected {expected} request(s) {criteria} to the Mixpeek mock, saw "
                f"{len(matching)}.\n{_describe_journal(self.journal())}"
            )
        return matching

    def assert_not_called(self, **criteria: Any) -> None:
        self.assert_called(times=0, **criteria)

    def assert_executed(
        self,
        retriever_id: str | None = None,
        *,
        inputs: Mapping[str, Any] | None = None,
        times: int | None = None,
    ) -> list[JournalEntry]:
        """Assert retriever executions were requested (of ``retriever_id``, if given), whose
        ``inputs`` include the given items; ``times`` exactly, or at least one. Return them."""
        executions = [
            entry
            for entry in self.journal(method="POST")
            if str(entry.get("path", "")).endswith("/execute")
            and (retriever_id is None or _retriever_of(entry) == retriever_id)
        ]
        matching = [entry for entry in executions if _inputs_include(entry, inputs or {})]
        if (times is None and not matching) or (times is not None and len(matching) != times):
            expected = "at least 1" if times is None else str(times)
            what = f"of retriever {retriever_id!r}" if retriever_id else "of any retriever"
            with_inputs = f" with inputs including {dict(inputs)!r}" if inputs else ""
            seen = "\n".join(
                f"  - {_retriever_of(entry)!r} inputs={_body_of(entry).get('inputs')!r} "
                f"-> {entry.get('status_code')}"
                for entry in self.journal(method="POST")
                if str(entry.get("path", "")).endswith("/execute")
            )
            raise AssertionError(
                f"Expected {expected} execution(s) {what}{with_inputs}, saw {len(matching)}.\n"
                f"Executions the mock saw:\n{seen or '  (none)'}"
            )
        return matching

    # -- life cycle --

    def _control_call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self._control.request(method, CONTROL + path, **kwargs)
        if response.status_code >= 400:
            raise MockServerFailure(
                f"The mock's control API refused {method} {CONTROL}{path}: "
                f"{response.status_code} {response.text}"
            )
        return response

    def start(self) -> MockHandle:
        self.reset()
        return self

    def finish(self, *, test_failed: bool) -> str | None:
        """End the test: close clients, restore the world, surface server-side errors.

        Raises :class:`MockServerFailure` for errors inside the server when the test passed;
        when it failed, returns their description (for the report) instead of hiding it.
        """
        try:
            if self._world_replaced:
                self._restore_world()
        finally:
            for client in self._opened:
                client.close()
        errors = self.mock.errors.take() if isinstance(self.mock, MockServer) else []
        if not errors:
            return None
        if test_failed:
            return describe_errors(errors)
        raise_errors(errors)
        return None

    def _restore_world(self) -> None:
        from mockserver.world import default_world_path

        path = self.settings.fixtures_path or default_world_path()
        self._control_call(
            "PUT",
            "/world",
            content=path.read_text(encoding="utf-8"),
            headers={"Content-Type": "application/yaml"},
        )


def _as_document(item: Mapping[str, Any]) -> dict[str, Any]:
    if "payload" in item and set(item) <= {"document_id", "payload"}:
        return dict(item)
    return {"payload": dict(item)}


def _body_of(entry: JournalEntry) -> dict[str, Any]:
    body = entry.get("body")
    if isinstance(body, str | bytes):
        try:
            body = json.loads(body)
        except ValueError:
            return {}
    return body if isinstance(body, dict) else {}


def _retriever_of(entry: JournalEntry) -> str:
    parts = str(entry.get("path", "")).strip("/").split("/")
    return parts[2] if len(parts) >= 4 and parts[:2] == ["v1", "retrievers"] else ""


def _inputs_include(entry: JournalEntry, expected: Mapping[str, Any]) -> bool:
    inputs = _body_of(entry).get("inputs") or {}
    return all(key in inputs and inputs[key] == value for key, value in expected.items())


def _describe_criteria(**criteria: Any) -> str:
    given = [f"{name}={value!r}" for name, value in criteria.items() if value is not None]
    return f"with {', '.join(given)}" if given else "of any kind"


def _describe_journal(entries: Sequence[JournalEntry]) -> str:
    if not entries:
        return "The mock saw no API request since the test began."
    lines = [
        f"  {entry.get('method')} {entry.get('path')} -> {entry.get('status_code')}"
        for entry in entries
    ]
    return "Requests the mock saw:\n" + "\n".join(lines)
