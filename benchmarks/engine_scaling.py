"""The engine alone at growing corpus sizes: p50 of one filtered query, and how it grows.

``python -m benchmarks.engine_scaling --sizes 10000,30000,100000`` builds, for each size,
a world of that many synthetic catalogue documents (through ``load_world``, as a
fixture would be), then times ``run_retriever`` (scoring, filters, sort, top_k; no
result cache, no HTTP) for one query with a three-condition filter, and prints one JSON
object: per size the p50 (wall clock, and the process's CPU time, which other load on
the machine hardly changes), the runs, the build time and the counts. The first run is
timed apart (``first_ms``): it builds the field columns and indexes the filter reads,
once per world.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .stats import growth_exponent, growth_factor, median, percentile

__all__ = ["QUERY", "REQUEST", "main", "measure", "measure_in_subprocess", "synthetic_documents"]

CATEGORIES = (
    "headphones",
    "laptops",
    "smartphones",
    "cameras",
    "running shoes",
    "coffee makers",
    "backpacks",
    "smartwatches",
)
BRANDS = ("Auralis", "Beatline", "Quietwave", "Northpeak", "Lumen", "Vantage", "Kestrel")
WORDS = (
    *("wireless", "noise", "cancelling", "battery", "compact", "portable", "premium"),
    *("lightweight", "waterproof", "fast", "quiet", "durable", "classic", "modern"),
    *("travel", "studio", "ergonomic", "foldable", "rugged", "slim", "smart"),
)
QUERY = "wireless noise cancelling headphones"
REQUEST = {
    "inputs": {"query": QUERY, "top_k": 10},
    "filters": {
        "AND": [
            {"field": "metadata.category", "operator": "eq", "value": "headphones"},
            {"field": "metadata.price", "operator": "lte", "value": 300},
            {"field": "metadata.in_stock", "operator": "eq", "value": True},
        ]
    },
}


def synthetic_documents(count: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """``count`` catalogue documents in the fixture format, the same for the same seed."""
    rng = random.Random(seed)
    for i in range(count):
        category = rng.choice(CATEGORIES)
        words = rng.sample(WORDS, 6)
        brand = rng.choice(BRANDS)
        yield {
            "document_id": f"doc_{i:07d}",
            "payload": {
                "title": f"{brand} {words[0].title()} {category} {i % 97}",
                "text": f"The {brand} {category} is {words[1]} and {words[2]}, with a "
                f"{words[3]} design, {words[4]} build and {words[5]} controls.",
                "metadata": {
                    "category": category,
                    "brand": brand,
                    "tags": words[:3],
                    "year": rng.randint(2015, 2025),
                    "price": round(rng.uniform(10, 900), 2),
                    "rating": round(rng.uniform(2.5, 5.0), 1),
                    "in_stock": rng.random() < 0.8,
                },
            },
        }


def _world(count: int) -> dict[str, Any]:
    return {
        "collections": [
            {
                "collection_id": "col_bench",
                "name": "bench-catalog",
                "documents": list(synthetic_documents(count)),
            }
        ],
        "retrievers": [
            {
                "retriever_id": "ret_bench",
                "name": "bench-search",
                "collections": ["bench-catalog"],
                "inputs": [{"name": "query", "type": "text"}],
                "stages": [
                    {"name": "semantic_search", "kind": "search"},
                    {"name": "attribute_filter", "kind": "filter"},
                ],
            }
        ],
    }


def measure(count: int, max_runs: int, seconds: float, min_runs: int = 5) -> dict[str, Any]:
    """Time the engine over a world of ``count`` documents: runs until ``max_runs`` or
    ``seconds`` (at least ``min_runs``). Times in milliseconds."""
    from mixpeek_toolkit.generated.models import ExecuteRetrieverRequest
    from mixpeek_toolkit.mockserver.engine import run_retriever
    from mixpeek_toolkit.mockserver.world import NamespaceWorld, load_world, resolve_inputs

    began = time.perf_counter()
    world = NamespaceWorld.from_template(load_world(_world(count)))
    build_s = time.perf_counter() - began
    retriever = world.find_retriever("ret_bench")
    collections = world.collections_of(retriever)
    request = ExecuteRetrieverRequest.model_validate(REQUEST)
    inputs = resolve_inputs(retriever, request.inputs.model_dump(exclude_unset=True))
    started = time.perf_counter()
    result = run_retriever(retriever, collections, request, inputs, rng=random.Random(0))
    first_ms = (time.perf_counter() - started) * 1000  # builds the columns the filter reads
    times_ms: list[float] = []
    cpu_ms: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(times_ms) < max_runs and (len(times_ms) < min_runs or time.perf_counter() < deadline):
        rng = random.Random(len(times_ms))
        started, cpu_started = time.perf_counter(), time.process_time()
        result = run_retriever(retriever, collections, request, inputs, rng=rng)
        times_ms.append((time.perf_counter() - started) * 1000)
        cpu_ms.append((time.process_time() - cpu_started) * 1000)
    return {
        "documents": count,
        "runs": len(times_ms),
        "p50_ms": median(times_ms),
        "p90_ms": percentile(times_ms, 90),
        "min_ms": min(times_ms),
        "cpu_p50_ms": median(cpu_ms),
        "first_ms": first_ms,
        "build_s": build_s,
        "candidates": result.stages[0].input_count,
        "answered": len(result.documents),
    }


def measure_in_subprocess(
    sizes: Sequence[int], seconds_per_size: float, cwd: Path, timeout_s: float = 240
) -> dict[str, Any]:
    """:func:`main` in a child process (its worlds' memory is given back when it ends)."""
    command = [sys.executable, "-m", "benchmarks.engine_scaling"]
    command += ["--sizes", ",".join(str(size) for size in sizes)]
    command += ["--seconds-per-size", str(seconds_per_size)]
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"skipped": f"engine_scaling took more than {timeout_s:g} s"}
    if done.returncode != 0:
        return {"skipped": f"engine_scaling failed: {done.stderr.strip()[-300:]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.engine_scaling")
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--max-runs", type=int, default=30)
    parser.add_argument("--seconds-per-size", type=float, default=4.0)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    rows = [measure(size, args.max_runs, args.seconds_per_size) for size in sizes]
    p50s = [row["p50_ms"] for row in rows]
    cpu = [row["cpu_p50_ms"] for row in rows]
    out = {
        "request": REQUEST,
        "measured": "run_retriever alone (no result cache, no HTTP), p50 over the runs "
        "after the first (which builds the field indexes, timed apart)",
        "sizes": rows,
        "growth_factor": growth_factor(sizes, p50s),
        "growth_exponent": growth_exponent(sizes, p50s),
        "cpu_growth_factor": growth_factor(sizes, cpu),
    }
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
