"""The engine is timed at each corpus size, the sizes taking turns.

Timed one size after the other, a slow moment of a shared host fell on one size only,
and a small corpus answered from caches its previous run had warmed; taking turns puts
every size under the same conditions.
"""

from __future__ import annotations

from types import SimpleNamespace

from benchmarks import engine_scaling


def test_the_sizes_take_turns_one_run_each(monkeypatch):
    order: list[int] = []

    def corpus(count: int) -> engine_scaling._Corpus:
        result = SimpleNamespace(stages=[SimpleNamespace(input_count=count)], documents=[])
        return engine_scaling._Corpus(
            count, lambda rng: order.append(count) or result, 0.0, 0.0, result=result
        )

    monkeypatch.setattr(engine_scaling, "_corpus", corpus)
    rows = engine_scaling.measure_sizes([10, 20, 30], max_runs=3, seconds_per_size=0.0)
    assert order == [10, 20, 30] * 3
    assert [row["runs"] for row in rows] == [3, 3, 3]


def test_each_size_is_measured_on_a_world_of_that_many_documents():
    rows = engine_scaling.measure_sizes([300, 600], max_runs=4, seconds_per_size=0.0)
    assert [(row["documents"], row["candidates"], row["runs"]) for row in rows] == [
        (300, 300, 4),
        (600, 600, 4),
    ]
    assert all(row["min_ms"] <= row["p50_ms"] for row in rows)
