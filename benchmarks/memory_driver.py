"""The child of the memory probe: the mock app driven in process, its RSS printed as it goes.

``python -m benchmarks.memory_driver --executions 1000000 --every 100000`` builds the app
as the server does (``create_app(Settings(...))``, rate limit and budget lifted, every
other setting at its default: the store keeps 10,000 executions) and drives it with no
socket. One execute in ``--asgi-every`` (10) goes through the whole ASGI app (edge,
journal, rate limiter, validation, executor, store, rendering); the others go straight
to the app's executor and its cache of rendered answers, the part that keeps something
per execution, at about twice the pace. Every execute asks for 10 documents, as the
bench's headline row. Queries cycle through 200 (answered from the engine's result
cache) and every 100th is one never sent before, through the whole app (the cache keeps
churning).

It prints one JSON line per checkpoint: executions so far, RSS in MB, executions stored
(``GET /_mock/health``), errors; and first asks for the idle CPU class (``SCHED_IDLE``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from .servers import LIFTED_CREDITS, LIFTED_RATE_LIMIT, rss_mb
from .workload import NAMESPACE, RETRIEVER, distinct_query, execute, execute_body

__all__ = ["main"]

CYCLE = 200
FRESH_EVERY = 100
TOP_K = 10


class _AsgiCaller:
    """The smallest ASGI client: one request, its whole body at once, the status back."""

    def __init__(self, app: Any) -> None:
        self.app = app
        sent = execute(10).all_headers()
        self.headers = [(k.lower().encode(), v.encode()) for k, v in sent.items()]
        self.headers.append((b"host", b"127.0.0.1"))

    async def __call__(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        headers = [*self.headers, (b"content-length", str(len(body)).encode())]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        delivered = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


def _bodies() -> list[bytes]:
    return [execute_body(TOP_K, distinct_query(0, i + 1)).encode() for i in range(CYCLE)]


class _ExecutorPath:
    """An execute without the HTTP edge: what the handler does after parsing and checking
    the body (the app's executor runs and stores; the answer is rendered and kept), with
    the mock's own objects. Built from the mock's internals: when they moved, building it
    fails and every execute goes through the whole app instead."""

    def __init__(self, app: Any, bodies: Sequence[bytes]) -> None:
        from mixpeek_toolkit.generated.models import ExecuteRetrieverRequest
        from mixpeek_toolkit.mockserver.executions import view
        from mixpeek_toolkit.mockserver.prepared import prepared_from_model
        from mixpeek_toolkit.mockserver.rendering import render_json

        self.mock = app.state.mock
        self.namespace = self.mock.namespaces.get(NAMESPACE)
        self.retriever = self.namespace.world.find_retriever(RETRIEVER)
        self.requests = [
            prepared_from_model(None, ExecuteRetrieverRequest.model_validate_json(b))
            for b in bodies
        ]
        self.view, self.render_json = view, render_json

    async def __call__(self, index: int) -> bool:
        """One execute; True when it completed (as a 200 with documents would)."""
        mock = self.mock
        answer = await mock.executor.execute(
            self.namespace, self.retriever, self.requests[index], None
        )
        execution = answer.execution
        if execution is None:  # not modified: nothing new was stored
            return True
        if mock.rendered.get(execution) is None:
            mock.rendered.keep(execution, self.render_json(self.view(execution)))
        return execution.error is None


async def _drive(executions: int, every: int, asgi_every: int) -> None:
    from mixpeek_toolkit.mockserver import Settings, create_app

    app = create_app(
        Settings(seed=1, rate_limit=LIFTED_RATE_LIMIT, credits_per_namespace=LIFTED_CREDITS)
    )
    call = _AsgiCaller(app)
    path = f"/v1/retrievers/{RETRIEVER}/execute"
    cycle = _bodies()
    errors = 0
    began = time.perf_counter()

    async def checkpoint(done: int) -> None:
        _, health = await call("GET", "/_mock/health")
        line = {
            "executions": done,
            "rss_mb": round(rss_mb(os.getpid()), 2),
            "stored": json.loads(health).get("executions"),
            "errors": errors,
            "elapsed_s": round(time.perf_counter() - began, 2),
        }
        print(json.dumps(line), flush=True)

    status, _ = await call("POST", path, cycle[0])  # the namespace exists from here on
    direct: _ExecutorPath | None = None
    if asgi_every > 1:
        try:
            direct = _ExecutorPath(app, cycle)
            if not await direct(0):
                raise RuntimeError("an execute through the executor did not complete")
        except Exception as problem:  # the internals moved: the whole app every time
            print(json.dumps({"executor_path": f"unavailable: {problem!r}"}), flush=True)
            direct = None
    print(json.dumps({"asgi_every": asgi_every if direct else 1}), flush=True)
    await checkpoint(0)
    for n in range(1, executions + 1):
        if n % FRESH_EVERY == 0:
            status, _ = await call("POST", path, execute_body(TOP_K, distinct_query(1, n)).encode())
        elif direct is None or n % asgi_every == 0:
            status, _ = await call("POST", path, cycle[n % CYCLE])
        else:
            status = 200 if await direct(n % CYCLE) else 500
        if status != 200:
            errors += 1
        if n % every == 0 or n == executions:
            await checkpoint(n)


def _idle_priority() -> str:
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return "SCHED_IDLE"
    except (AttributeError, OSError):
        try:
            os.nice(19)
            return "nice 19"
        except OSError:
            return "normal"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory_driver")
    parser.add_argument("--executions", type=int, default=1_000_000)
    parser.add_argument("--every", type=int, default=100_000)
    parser.add_argument(
        "--asgi-every",
        type=int,
        default=10,
        help="one execute in this many goes through the whole ASGI app, the others "
        "straight to the app's executor (1: all through the app)",
    )
    args = parser.parse_args(argv)
    print(json.dumps({"priority": _idle_priority()}), flush=True)
    asyncio.run(_drive(args.executions, args.every, args.asgi_every))
    return 0


if __name__ == "__main__":
    sys.exit(main())
