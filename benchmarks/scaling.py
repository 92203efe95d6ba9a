"""Scaling rows of ``make bench``: the mock with 1 and 2 workers, on the memory store and on Redis.

Three servers, each driven like the mock's own rows (execute top_k=10 with one repeated
query, and get-execution) at every number of connections: ``mock 1 worker memory`` (the
default), ``mock 1 worker redis`` and ``mock 2 workers redis`` (two workers need a shared
store: with the memory store they are refused). Redis is a ``redis-server`` the bench
starts on a free port (no persistence) and stops. Beside the rows, the run notes:

- the Redis round trips each operation costs (``INFO commandstats`` before and after 200
  requests of one kind: the scripts and plain reads the mock sent);
- ``redis-benchmark`` (Debian's redis-tools) on that Redis: GET, SET, INCR and a short
  Lua script, 50 clients, requests per second, for how far one Redis carries.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Sequence

import httpx
import redis

from .load_phases import measure_rows
from .rows import EXECUTE, GET, REFERENCE_TOP_K, Row
from .servers import HOST, Served, answers_200, free_port, mock_command, send_once, spawn
from .session import Session
from .workload import execute, get_execution

__all__ = ["SCALING_SERVERS", "plan_scaling_rows", "run_scaling_rows"]

#: (row server name, workers, on Redis)
SCALING_SERVERS = (
    ("mock 1 worker memory", 1, False),
    ("mock 1 worker redis", 1, True),
    ("mock 2 workers redis", 2, True),
)
SAMPLES = 200
SCRIPT = "local v = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1]) return v"


def plan_scaling_rows(connections: Sequence[int]) -> list[Row]:
    rows = []
    for server, _, _ in SCALING_SERVERS:
        rows += [
            Row(server, EXECUTE, c, top_k=REFERENCE_TOP_K, queries="repeated") for c in connections
        ]
        rows += [Row(server, GET, c) for c in connections]
    return rows


def _start_redis(session: Session) -> tuple[Served, str] | None:
    binary = shutil.which("redis-server")
    if binary is None:
        session.skip("scaling rows: redis-server is not installed (make redis-server, as root)")
        return None
    port = free_port()
    log = session.logs / "redis.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served("redis", process, f"redis://{HOST}:{port}/0", log)
    client = redis.Redis(host=HOST, port=port)
    for _ in range(500):
        try:
            client.ping()
            return served, served.base_url
        except redis.ConnectionError:
            if process.poll() is not None:
                break
            time.sleep(0.01)
        finally:
            client.close()
    served.stop()
    session.skip(f"scaling rows: redis-server did not start: {served.log_tail(300)}")
    return None


#: What the mock sends Redis itself: a script (one round trip, whatever it runs inside) or
#: the one plain read of a request (an execution's hash). Commands a script runs are
#: counted by Redis too, so they are left out.
ROUND_TRIPS = ("cmdstat_evalsha", "cmdstat_eval", "cmdstat_script|load", "cmdstat_hmget")


def _commands(url: str) -> int:
    with redis.Redis.from_url(url) as client:
        stats = client.info("commandstats")
    return sum(stats.get(name, {}).get("calls", 0) for name in ROUND_TRIPS)


def _round_trips(session: Session, base_url: str, url: str) -> dict[str, float]:
    """Redis commands per request (each one round trip), per operation."""
    found = {}
    work = execute(REFERENCE_TOP_K)
    with httpx.Client(base_url=base_url, headers=work.all_headers()) as client:
        created = client.post(work.path, content=work.body_for(0, 1)).json()["execution_id"]
        in_flight = {**work.all_headers(), "Prefer": "respond-async, stages=20"}
        cases = {
            "execute": lambda: client.post(work.path, content=work.body_for(0, 1)),
            "get-execution (terminal)": lambda: client.get(get_execution(created).path),
            "execute in flight": lambda: client.post(
                work.path, content=work.body_for(0, 1), headers=in_flight
            ),
        }
        for name, send in cases.items():
            before = _commands(url)
            for _ in range(SAMPLES):
                send().raise_for_status()
            found[name] = round((_commands(url) - before) / SAMPLES, 2)
        polled = client.post(work.path, content=work.body_for(0, 1), headers=in_flight).json()
        path = get_execution(polled["execution_id"]).path
        before = _commands(url)
        for _ in range(20):
            client.get(path).raise_for_status()
        found["get-execution (in flight)"] = round((_commands(url) - before) / 20, 2)
    session.say(f"  Redis commands per request: {found}")
    return found


def _redis_benchmark(session: Session, url: str) -> dict[str, float]:
    binary = shutil.which("redis-benchmark")
    if binary is None:
        session.skip("redis-benchmark is not installed (Debian's redis-tools)")
        return {}
    port = url.rsplit(":", 1)[1].split("/")[0]
    base = [binary, "-h", HOST, "-p", port, "-q", "-c", "50", "-n", "50000"]
    runs = [
        [*base, "-t", "get,set,incr"],
        [*base, "eval", SCRIPT, "1", "bench:credits", "0.5"],
    ]
    found = {}
    for command in runs:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        for line in done.stdout.replace("\r", "\n").splitlines():
            match = re.match(r"^\s*(.+?):\s+([\d.]+) requests per second", line)
            if match:
                name = (
                    "EVAL (a Lua script)" if match.group(1).startswith("eval") else match.group(1)
                )
                found[name] = float(match.group(2))
    session.say(f"  redis-benchmark (50 clients): {found}")
    return found


def run_scaling_rows(session: Session, rows: Sequence[Row], served: list[Served]) -> None:
    """Drive the scaling rows (their servers one after the other) and note the Redis figures."""
    started = _start_redis(session)
    if started is None:
        for row in rows:
            row.skipped = "redis-server is not installed"
        return
    redis_server, url = started
    served.append(redis_server)
    figures: dict[str, object] = {}
    try:
        for number, (name, workers, shared) in enumerate(SCALING_SERVERS):
            port = free_port()
            command = [*mock_command(port), "--workers", str(workers)]
            if shared:
                command += ["--store", url, "--redis-prefix", f"bench{number}:"]
            mock = spawn(name, command, port, session.logs, answers_200(execute(REFERENCE_TOP_K)))
            served.append(mock)
            session.say(f"{name}:")
            try:
                mine = [row for row in rows if row.server == name]
                measure_rows(
                    session,
                    mock,
                    [row for row in mine if row.operation == EXECUTE],
                    lambda r: execute(REFERENCE_TOP_K),
                )
                created = send_once(mock.base_url, execute(REFERENCE_TOP_K)).json()
                measure_rows(
                    session,
                    mock,
                    [row for row in mine if row.operation == GET],
                    lambda r, created=created: get_execution(created["execution_id"]),
                    warm_up=False,
                )
                if shared and workers == 1:
                    figures["redis_commands_per_request"] = _round_trips(
                        session, mock.base_url, url
                    )
            finally:
                mock.stop()
        figures["redis_benchmark_rps"] = _redis_benchmark(session, url)
    finally:
        redis_server.stop()
    session.results["scaling"] = figures
    commands = figures.get("redis_commands_per_request") or {}
    raw = figures.get("redis_benchmark_rps") or {}
    if commands or raw:
        session.note(
            "Scaling rows (mock 1 worker memory / 1 worker redis / 2 workers redis): Redis "
            "commands (round trips) per request: "
            + ", ".join(f"{k} {v}" for k, v in commands.items())
            + "; redis-benchmark on the same Redis, 50 clients, requests/s: "
            + ", ".join(f"{k} {v:,.0f}" for k, v in raw.items())
            + "."
        )
