"""The fallback load generator when wrk cannot be had: raw keep-alive HTTP/1.1 on asyncio.

Far lighter than an HTTP client library, but one Python process: at many connections it
finds its own limit before the server's, and the report says which generator ran.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from .stats import LoadResult
from .workload import Workload

__all__ = ["request_bytes", "run_python_load"]


def request_bytes(workload: Workload, host: str, body: str | None) -> bytes:
    """The whole HTTP/1.1 request, keep-alive, with Content-Length when there is a body."""
    payload = body.encode() if body is not None else b""
    lines = [f"{workload.method} {workload.path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in workload.all_headers().items()]
    if body is not None:
        lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def _read_status(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _drive(
    base_url: str, workload: Workload, connections: int, duration_s: float
) -> LoadResult:
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    fixed = None if workload.vary_query else request_bytes(workload, parts.netloc, workload.body)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration_s

    async def connection(index: int) -> None:
        nonlocal errors
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            errors += 1
            return
        n = 0
        try:
            while time.perf_counter() < deadline:
                n += 1
                raw = fixed or request_bytes(workload, parts.netloc, workload.body_for(index, n))
                began = time.perf_counter()
                writer.write(raw)
                status = await _read_status(reader)
                latencies.append((time.perf_counter() - began) * 1000)
                if not 200 <= status < 300:
                    errors += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors += 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(connection(i + 1) for i in range(connections)))
    return LoadResult.from_latencies(
        latencies, time.perf_counter() - began, errors, "python-asyncio"
    )


def run_python_load(
    base_url: str, workload: Workload, *, connections: int, duration_s: float
) -> LoadResult:
    """Drive ``workload`` with ``connections`` keep-alive connections for ``duration_s``."""
    return asyncio.run(_drive(base_url, workload, connections, duration_s))
