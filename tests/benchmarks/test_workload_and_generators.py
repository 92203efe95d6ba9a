"""The requests the bench sends, as wrk's script and the Python generator build them."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.contract_speed import parse_summary
from benchmarks.pyload import request_bytes
from benchmarks.servers import process_cpu_s
from benchmarks.workload import (
    QUERY,
    QUERY_SLOT,
    WORDS,
    Workload,
    distinct_query,
    execute,
    get_execution,
)
from benchmarks.wrk import SCRIPT, parse_wrk_output, to_load_result


def test_an_execute_body_answers_top_k_documents_on_one_page():
    body = json.loads(execute(25).body)
    assert body == {
        "inputs": {"query": QUERY, "top_k": 25},
        "pagination": {"method": "offset", "page_size": 25},
    }


def test_distinct_queries_never_repeat_and_fill_the_slot():
    workload = execute(10, distinct=True)
    assert QUERY_SLOT in workload.body
    bodies = {workload.body_for(thread, n) for thread in (1, 2) for n in range(1, 2001)}
    assert len(bodies) == 4000
    assert json.loads(workload.body_for(1, 5))["inputs"]["query"] == distinct_query(1, 5)
    assert execute(10).body_for(1, 5) == execute(10).body


def test_a_workload_that_varies_its_query_needs_the_slot():
    with pytest.raises(ValueError, match=QUERY_SLOT):
        Workload("POST", "/x", '{"inputs": {}}', vary_query=True)


def test_the_wrk_script_builds_the_same_distinct_queries():
    lua = SCRIPT.read_text()
    words = re.search(r"local words = \{(.*?)\}", lua, re.S).group(1)
    assert tuple(re.findall(r'"([a-z]+)"', words)) == WORDS
    assert "__QUERY__" in lua and QUERY_SLOT == "__QUERY__"


def test_the_python_generator_sends_a_whole_keep_alive_request():
    workload = execute(10)
    raw = request_bytes(workload, "127.0.0.1:8080", workload.body)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /v1/retrievers/ret_product_search/execute HTTP/1.1"
    assert "Host: 127.0.0.1:8080" in lines
    assert "Authorization: Bearer sk_bench" in lines
    assert "Content-Type: application/json" in lines
    assert f"Content-Length: {len(body)}" in lines
    assert body.decode() == workload.body
    get = request_bytes(get_execution("exec_1"), "h", None)
    assert get.endswith(b"\r\n\r\n") and b"Content-Length" not in get


WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:1234/x
  2 threads and 64 connections
BENCH_RESULT {"requests": 9000, "duration_us": 3000000, "bytes": 1, "connect_errors": 0, \
"read_errors": 1, "write_errors": 0, "status_errors": 2, "timeouts": 3, "p50_us": 1500, \
"p90_us": 4000, "p99_us": 9800, "max_us": 20000, "mean_us": 1800.5}
"""


def test_the_wrk_result_line_becomes_a_load_result():
    result = to_load_result(parse_wrk_output(WRK_OUTPUT))
    assert (result.requests, result.rps, result.p50_ms, result.p99_ms) == (9000, 3000, 1.5, 9.8)
    assert result.errors == 6
    assert result.generator == "wrk"


def test_wrk_output_without_a_result_line_is_an_error():
    with pytest.raises(ValueError, match="BENCH_RESULT"):
        parse_wrk_output("Running 3s test\n")


def test_the_contract_runner_summary_gives_the_rules():
    assert parse_summary("...\n30 rules checked, 1 broken.\nBROKEN RULE x") == (30, 1)
    assert parse_summary("mixpeek-contracts: could not connect") is None


def test_the_peer_is_pinned_and_its_install_folder_is_ignored():
    folder = Path(SCRIPT).with_name("npm")
    manifest = json.loads((folder / "package.json").read_text())
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["dependencies"]["@stoplight/prism-cli"])
    ignored = (folder.parents[1] / ".gitignore").read_text().splitlines()
    assert "benchmarks/npm/node_modules/" in ignored


def test_server_cpu_is_read_for_a_process_and_its_children():
    burn = "import time; sum(range(3 * 10**7)); print('done', flush=True); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", burn], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "done\n"
        burnt = process_cpu_s(child.pid)
        assert burnt > 0.05
        assert process_cpu_s(os.getpid()) >= burnt  # a process counts its children
    finally:
        child.kill()
        child.communicate()
    assert math.isnan(process_cpu_s(2**22 + 12345))  # no such process


def test_granian_serves_the_ceiling_from_the_bodies_in_its_environment(tmp_path, monkeypatch):
    from benchmarks import granian_apps

    answer = tmp_path / "a.json"
    answer.write_bytes(b'{"documents": []}')
    command, environment = granian_apps.ceiling_command("127.0.0.1", 8123, {10: answer})
    assert command[-1] == "benchmarks.granian_apps:ceiling" and "8123" in command
    monkeypatch.setenv(granian_apps.CEILING_BODIES, environment[granian_apps.CEILING_BODIES])
    app = granian_apps.ceiling()
    assert [route.path for route in app.routes] == ["/ceiling/10"]
    command, environment = granian_apps.mock_command(["--port", "9", "--seed", "3"])
    assert command[-1] == "mixpeek_toolkit.mockserver.serve:app_from_flags"
    assert json.loads(environment["MIXPEEK_MOCK_FLAGS"]) == ["--port", "9", "--seed", "3"]
