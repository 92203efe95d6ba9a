"""The engine alone at growing corpus sizes: p50 of one filtered query, and how it grows.

``python -m benchmarks.engine_scaling --sizes 10000,30000,100000`` builds a world of each
size, of that many synthetic catalogue documents (through ``load_world``, as a fixture
would be), then times ``run_retriever`` (scoring, filters, sort, top_k; no result cache,
no HTTP) for one query with a three-condition filter, the sizes taking turns, and prints
one JSON object: per size the p50 and the fastest run (wall clock), the p50 of the
process's CPU time, the runs, the build time and the counts. The first run of each
size is timed apart (``first_ms``): it builds the field columns and indexes the filter
reads, and the token columns the scoring reads, once per world.

The sizes take turns, one run each, for two reasons. A run over 100,000 documents
(half a gigabyte of objects) reads memory that the CPU caches cannot hold, and on a
shared host its time also depends on what the neighbours do to those caches and to the
memory bandwidth: timed one size after the other, the p50 at 100,000 documents moved by
a factor of two from one run of this script to the next, with the same code, and a
slow moment fell on one size only. Taking turns spreads such moments over every size.
It also puts the sizes on an equal footing: a small corpus measured alone answers from
the caches its previous run warmed, which a server, with HTTP and JSON work between two
queries, does not. The growth is judged on the p50s; the growth of each size's fastest
run is reported beside it (``fastest_growth_factor``).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .stats import growth_exponent, growth_factor, median, percentile

__all__ = [
    "QUERY",
    "REQUEST",
    "main",
    "measure_in_subprocess",
    "measure_sizes",
    "synthetic_documents",
]

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


@dataclass
class _Corpus:
    """One size's world, ready to be queried, and the times measured on it."""

    count: int
    run: Callable[[random.Random], Any]
    build_s: float
    first_ms: float
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    result: Any = None

    def time_once(self) -> None:
        rng = random.Random(len(self.times_ms))
        started, cpu_started = time.perf_counter(), time.process_time()
        self.result = self.run(rng)
        self.times_ms.append((time.perf_counter() - started) * 1000)
        self.cpu_ms.append((time.process_time() - cpu_started) * 1000)

    def figures(self) -> dict[str, Any]:
        times_ms = self.times_ms
        return {
            "documents": self.count,
            "runs": len(times_ms),
            "p50_ms": median(times_ms),
            "p90_ms": percentile(times_ms, 90),
            "min_ms": min(times_ms),
            "cpu_p50_ms": median(self.cpu_ms),
            "first_ms": self.first_ms,
            "build_s": self.build_s,
            "candidates": self.result.stages[0].input_count,
            "answered": len(self.result.documents),
        }


def _corpus(count: int) -> _Corpus:
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

    def run(rng: random.Random) -> Any:
        return run_retriever(retriever, collections, request, inputs, rng=rng)

    started = time.perf_counter()
    result = run(random.Random(0))  # builds the columns the filter and the scoring read
    return _Corpus(count, run, build_s, (time.perf_counter() - started) * 1000, result=result)


def measure_sizes(
    sizes: Sequence[int], max_runs: int, seconds_per_size: float, min_runs: int = 5
) -> list[dict[str, Any]]:
    """Time the engine over a world of each size: runs until ``max_runs`` each, or
    ``seconds_per_size`` times the sizes in all (at least ``min_runs`` each). Times in ms.

    Every world is built first, then the sizes take turns, one run each, so a moment
    when the machine is slower (a neighbour on a shared host) falls on every size alike.
    """
    corpora = [_corpus(size) for size in sizes]
    deadline = time.perf_counter() + seconds_per_size * len(sizes)
    while True:
        counts = [len(c.times_ms) for c in corpora]
        if min(counts) >= max_runs or (min(counts) >= min_runs and time.perf_counter() >= deadline):
            break
        for corpus in corpora:
            if len(corpus.times_ms) < max_runs:
                corpus.time_once()
    return [corpus.figures() for corpus in corpora]


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
    rows = measure_sizes(sizes, args.max_runs, args.seconds_per_size)
    p50s = [row["p50_ms"] for row in rows]
    fastest = [row["min_ms"] for row in rows]
    cpu = [row["cpu_p50_ms"] for row in rows]
    out = {
        "request": REQUEST,
        "measured": "run_retriever alone (no result cache, no HTTP), the sizes taking turns "
        "one run each, p50 over the runs after the first (which builds the field indexes "
        "and the token columns, timed apart)",
        "sizes": rows,
        "growth_factor": growth_factor(sizes, p50s),
        "growth_exponent": growth_exponent(sizes, p50s),
        "fastest_growth_factor": growth_factor(sizes, fastest),
        "sizes_taking_turns": True,
        "cpu_growth_factor": growth_factor(sizes, cpu),
    }
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
