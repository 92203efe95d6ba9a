"""``make bench-tools``: install what the bench drives and compares with, without measuring:
wrk (Debian's package) and Prism (the npm package pinned in benchmarks/npm)."""

from __future__ import annotations

import sys

from .prism import ensure_prism, prism_version
from .wrk import ensure_wrk, wrk_version

__all__ = ["main"]


def main() -> int:
    wrk, why = ensure_wrk()
    print(f"wrk: {wrk_version(wrk)} ({wrk})" if wrk else f"wrk: unavailable, {why}")
    prism, why = ensure_prism()
    print(f"Prism: {prism_version()} ({prism})" if prism else f"Prism: unavailable, {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
