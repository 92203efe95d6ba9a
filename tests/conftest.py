"""Fixtures shared by every folder of the tests: a real Redis for the shared-store tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.redis_server import RedisServer, redis_server_or_skip


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One ``redis-server`` on a free port for the session (started on first use)."""
    server = redis_server_or_skip(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()
