"""The per-test handle: address, credentials, clients, seeding, scenarios and the journal.

It talks to the mock only through the HTTP control API under ``/_mock/``, so it works the
same on a live server and on an in-process app; it sends the control token when the
settings name one. A mock whose control API is off cannot be reset or arranged: the
handle says so when it starts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ..control import CONTROL_TOKEN_HEADER
from . import journal
from .failures import MockServerFailure, describe_errors, raise_errors, secrets_of
from .in_process import InProcessMock
from .journal import Entry
from .pool import default_credentials

if TYPE_CHECKING:
    from ..settings import Settings
    from .server import MockServer

__all__ = ["MockHandle"]

CONTROL = "/_mock"


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
        token = mock.settings.control_token
        self._control = self._new_client({CONTROL_TOKEN_HEADER: token} if token else {})
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
        hooks = {"response": [self._async_raise_server_errors]}
        if isinstance(self.mock, InProcessMock):
            return self.mock.async_client(headers=chosen, event_hooks=hooks, **kwargs)
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
        hooks = {"response": [self._raise_server_errors]}
        if isinstance(self.mock, InProcessMock):
            return self.mock.client(headers=dict(headers), event_hooks=hooks, **kwargs)
        return httpx.Client(
            base_url=self.base_url, headers=dict(headers), event_hooks=hooks, **kwargs
        )

    def _raise_server_errors(self, response: httpx.Response) -> None:
        raise_errors(self.mock.errors.take(), secrets=secrets_of(self.settings))

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
        fault: str | None = None,
        retriever: str | None = None,
        namespace: str | None = None,
        times: int = 1,
    ) -> None:
        """Queue how the next execution(s) of the namespace (and retriever, if given) go.

        ``queue(outcome="failed", error="boom")``, ``queue(status=429, retry_after=2)``,
        ``queue(fault="drop")``... Queued scenarios are taken first in first out; a
        ``Prefer`` header on a request wins.
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
                "fault": fault,
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

    def queue_degraded(self, **options: Any) -> None:
        """The next execution ends ``degraded``: it finishes, skips one of its collections (or,
        with one, the semantic model) and lists what it skipped in ``degraded``."""
        self.queue("degraded", **options)

    def queue_rate_limited(self, retry_after: int = 1, **options: Any) -> None:
        """The next execute request(s) answer 429 with ``Retry-After: retry_after`` and the
        rate-limit headers."""
        self.queue(status=429, retry_after=retry_after, **options)

    def queue_unavailable(self, retry_after: int = 1, **options: Any) -> None:
        """The next execute request(s) answer 503 with ``Retry-After: retry_after``."""
        self.queue(status=503, retry_after=retry_after, **options)

    def queue_server_error(self, **options: Any) -> None:
        """The next execute request(s) answer 500 in the error envelope (a scripted answer,
        never reported as a failure of the mock)."""
        self.queue(status=500, **options)

    def queue_dropped_connection(self, **options: Any) -> None:
        """The next execute request(s) are handled (an execution is created and journaled),
        then the connection is closed without an answer."""
        self.queue(fault="drop", **options)

    def queue_truncated_body(self, **options: Any) -> None:
        """The next execute request(s) get the status, the headers (with the whole body's
        ``Content-Length``) and half of the body, then the connection is closed."""
        self.queue(fault="truncate", **options)

    def clear_queue(self) -> None:
        self._control_call("DELETE", "/scenarios")

    # -- the request journal --

    def journal(
        self,
        *,
        path_contains: str | None = None,
        method: str | None = None,
        status_code: int | None = None,
    ) -> list[Entry]:
        """API requests the mock has seen since the reset, oldest first, optionally filtered."""
        return journal.select(
            self._journal_entries(),
            path_contains=path_contains,
            method=method,
            status_code=status_code,
        )

    def clear_journal(self) -> None:
        self._control_call("DELETE", "/journal")

    def assert_called(
        self,
        *,
        path_contains: str | None = None,
        method: str | None = None,
        status_code: int | None = None,
        times: int | None = None,
    ) -> list[Entry]:
        """Assert the mock saw matching requests (``times`` of them exactly, or at least one);
        return them. The failure lists every request the mock saw."""
        return journal.check_called(
            self._journal_entries(),
            path_contains=path_contains,
            method=method,
            status_code=status_code,
            times=times,
        )

    def assert_not_called(self, **criteria: Any) -> None:
        self.assert_called(times=0, **criteria)

    def assert_executed(
        self,
        retriever_id: str | None = None,
        *,
        inputs: Mapping[str, Any] | None = None,
        times: int | None = None,
    ) -> list[Entry]:
        """Assert executions were requested (of ``retriever_id``, if given) whose ``inputs``
        include the given items; ``times`` exactly, or at least one. Return them."""
        return journal.check_executed(
            self._journal_entries(), retriever_id, inputs=inputs, times=times
        )

    def _journal_entries(self) -> list[Entry]:
        return self._control_call("GET", "/journal").json()["entries"]

    # -- life cycle --

    def _control_call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if not self.settings.control_api:
            raise MockServerFailure(
                f"The mock's control API is off (control_api=False), so the handle cannot "
                f"call {method} {CONTROL}{path}; the mixpeek_mock fixtures need it on "
                "(protect it with control_token instead)."
            )
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
        errors = self.mock.errors.take()
        if not errors:
            return None
        secrets = secrets_of(self.settings)
        if test_failed:
            return describe_errors(errors, secrets=secrets)
        raise_errors(errors, secrets=secrets)
        return None

    def _restore_world(self) -> None:
        from ..world import default_world_path

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
