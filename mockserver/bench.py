"""``make bench``: throughput, latency, start-up time and memory of the mock, next to a bare endpoint.

Starts the mock (``python -m mockserver``) and a bare Starlette endpoint returning a
fixed JSON, each with uvicorn in a subprocess on a free 127.0.0.1 port, drives both
with a bounded asyncio load generator (fixed request count, time limit), prints a
table and stops by itself. Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["main"]

HOST = "127.0.0.1"
KEY = "sk_bench"
HEADERS = {"Authorization": f"Bearer {KEY}", "X-Namespace": "bench"}
BODY = {"inputs": {"query": "espresso machine"}}
RETRIEVER = "ret_product_search"


def bare_app():
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    payload = {"execution_id": "exec_bare", "status": "completed", "documents": []}

    async def endpoint(request):
        return JSONResponse(payload)

    return Starlette(routes=[Route("/bare", endpoint, methods=["GET", "POST"])])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    startup_s: float

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(command: list[str], port: int, probe: str, timeout_s: float = 20.0) -> Server:
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://{HOST}:{port}"
    with httpx.Client() as client:
        while time.perf_counter() - began < timeout_s:
            try:
                if client.get(base + probe, timeout=0.5).status_code < 500:
                    return Server(process, base, time.perf_counter() - began)
            except httpx.TransportError:
                time.sleep(0.01)
    process.kill()
    raise RuntimeError(f"server {command} did not start within {timeout_s} s")


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def _request_bytes(method: str, path: str, body: dict | None, port: int) -> bytes:
    payload = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in HEADERS.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def drive(
    name, base_url, method, path, *, body=None, requests=2000, concurrency=16, time_limit_s=30.0
):
    """Raw keep-alive HTTP/1.1 connections (far lighter than an HTTP client library)."""
    port = int(base_url.rsplit(":", 1)[1])
    raw = _request_bytes(method, path, body, port)
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    deadline = time.perf_counter() + time_limit_s

    async def worker():
        nonlocal errors
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            for _ in counter:
                if time.perf_counter() > deadline:
                    return
                began = time.perf_counter()
                writer.write(raw)
                status = await _read_response(reader)
                latencies.append((time.perf_counter() - began) * 1000)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    return Result(name, len(latencies), elapsed, latencies, errors)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mixpeek_toolkit.mockserver.bench")
    parser.add_argument("--requests", type=int, default=2000, help="requests per measurement")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--executions", type=int, default=20_000, help="executions for the memory check"
    )
    parser.add_argument("--max-executions", type=int, default=1_000)
    parser.add_argument("--serve-bare", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bare is not None:
        import uvicorn

        uvicorn.run(
            bare_app(), host=HOST, port=args.serve_bare, log_level="warning", access_log=False
        )
        return 0

    env_python = sys.executable
    bare_port, mock_port = free_port(), free_port()
    bare = start(
        [env_python, "-m", "mixpeek_toolkit.mockserver.bench", "--serve-bare", str(bare_port)],
        bare_port,
        "/bare",
    )
    mock = start(
        [
            env_python,
            "-m",
            "mixpeek_toolkit.mockserver",
            "--host",
            HOST,
            "--port",
            str(mock_port),
            "--seed",
            "1",
            "--max-executions",
            str(args.max_executions),
            "--rate-limit",
            "1000000000",
            # Enough credits that every execution completes (with its page of documents):
            # the read-back and memory rows then measure completed executions, not ones
            # failed for lack of budget.
            "--credits-per-namespace",
            "1000000000",
            "--log-level",
            "error",
        ],
        mock_port,
        "/_mock/health",
    )
    try:
        results = asyncio.run(_measure(args, bare, mock))
    finally:
        bare.stop()
        mock.stop()
    _print(results, bare, mock, args)
    return 0


async def _measure(args, bare: Server, mock: Server):
    n, c = args.requests, args.concurrency
    results = {}
    results["bare"] = await drive(
        "bare endpoint (GET)", bare.base_url, "GET", "/bare", requests=n, concurrency=c
    )
    execute = f"/v1/retrievers/{RETRIEVER}/execute"
    results["execute"] = await drive(
        "execute (completed)", mock.base_url, "POST", execute, body=BODY, requests=n, concurrency=c
    )
    async with httpx.AsyncClient(base_url=mock.base_url, headers=HEADERS) as client:
        execution_id = (await client.post(execute, json=BODY)).json()["execution_id"]
    get_path = f"/v1/retrievers/{RETRIEVER}/executions/{execution_id}"
    results["get"] = await drive(
        "get-execution", mock.base_url, "GET", get_path, requests=n, concurrency=c
    )
    results["rss_before"] = rss_mib(mock.process.pid)
    await drive(
        "fill",
        mock.base_url,
        "POST",
        execute,
        body=BODY,
        requests=args.executions,
        concurrency=c,
        time_limit_s=120,
    )
    results["rss_after"] = rss_mib(mock.process.pid)
    async with httpx.AsyncClient(base_url=mock.base_url) as client:
        results["stored"] = (await client.get("/_mock/health")).json()["executions"]
    return results


def _print(results, bare: Server, mock: Server, args) -> None:
    rows = [results["bare"], results["execute"], results["get"]]
    print(
        f"\nMock server benchmark ({args.requests} requests per row, concurrency {args.concurrency}, "
        f"{os.cpu_count()} CPUs, 127.0.0.1)\n"
    )
    print(f"{'measurement':<24}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    print("-" * 62)
    for r in rows:
        print(
            f"{r.name:<24}{r.rps:>10.0f}{r.percentile(0.5):>10.2f}{r.percentile(0.99):>10.2f}{r.errors:>8}"
        )
    print("-" * 62)
    bare_rps = results["bare"].rps or 1
    print(f"{'ratio execute / bare':<24}{results['execute'].rps / bare_rps:>10.2f}")
    print(f"{'ratio get / bare':<24}{results['get'].rps / bare_rps:>10.2f}")
    print(
        f"\nstart-up (spawn -> first answer): mock {mock.startup_s * 1000:.0f} ms, "
        f"bare {bare.startup_s * 1000:.0f} ms"
    )
    print(
        f"memory (RSS) of the mock: {results['rss_before']:.1f} MiB before, "
        f"{results['rss_after']:.1f} MiB after {args.executions} more executions "
        f"(max_executions={args.max_executions}, stored now: {results['stored']})"
    )


if __name__ == "__main__":
    sys.exit(main())
