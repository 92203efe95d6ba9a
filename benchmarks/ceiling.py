"""The ceiling: a bare Starlette endpoint answering pre-serialized bytes, under uvicorn.

``python -m benchmarks.ceiling --port P --body 10=answer10.json --body 100=answer100.json``
serves each file at ``/ceiling/<top_k>`` (any method): the same bytes as the mock's
execute answer of that size, with nothing computed. It is served exactly like the mock
(``uvicorn_config`` of ``mockserver/serving.py``: the same protocol and event loop), so
the gap between the two is the mock's own work.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["ceiling_app", "main"]

HOST = "127.0.0.1"


def ceiling_app(bodies: dict[int, bytes]) -> Starlette:
    def answer(content: bytes):
        async def endpoint(request: Request) -> Response:
            return Response(content, media_type="application/json")

        return endpoint

    return Starlette(
        routes=[
            Route(f"/ceiling/{top_k}", answer(content), methods=["GET", "POST"])
            for top_k, content in bodies.items()
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ceiling")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--body", action="append", default=[], metavar="TOP_K=FILE", help="repeatable"
    )
    args = parser.parse_args(argv)
    bodies = {}
    for item in args.body:
        top_k, _, path = item.partition("=")
        bodies[int(top_k)] = Path(path).read_bytes()
    import uvicorn

    from mixpeek_toolkit.mockserver.serving import uvicorn_config

    config = uvicorn_config(ceiling_app(bodies), host=HOST, port=args.port, log_level="warning")
    uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
