"""The scaling rows of make bench: 1 and 2 workers, the memory store and Redis."""

from __future__ import annotations

from benchmarks.rows import EXECUTE, GET, add_ratios
from benchmarks.scaling import SCALING_SERVERS, plan_scaling_rows


def test_each_scaling_server_gets_execute_and_get_rows_at_each_load():
    rows = plan_scaling_rows([1, 64])
    assert [(name, workers, shared) for name, workers, shared in SCALING_SERVERS] == [
        ("mock 1 worker memory", 1, False),
        ("mock 1 worker redis", 1, True),
        ("mock 2 workers redis", 2, True),
    ]
    assert len(rows) == 3 * 2 * 2
    assert {(row.server, row.operation, row.connections) for row in rows} == {
        (name, operation, connections)
        for name, _, _ in SCALING_SERVERS
        for operation in (EXECUTE, GET)
        for connections in (1, 64)
    }
    add_ratios(rows)  # no ceiling measured: no ratio, no failure
    assert all(row.to_ceiling is None for row in rows)
