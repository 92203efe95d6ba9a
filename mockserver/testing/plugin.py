"""pytest plugin of the mock (entry point ``pytest11: mixpeek_mock``): fixtures and a marker.

Thin on purpose: the fixtures hand the work to the engine beside this module (servers, the
per-test handle). Where the ``[contracts]`` extra is installed, the contract-target fixture
(:mod:`mixpeek_toolkit.contracts.plugin`) is registered with these.

Fixtures (all prefixed ``mixpeek_``):

- ``mixpeek_mock_settings`` (session, override it): the :class:`~mixpeek_toolkit.mockserver.Settings`
  of the mock.
- ``mixpeek_mock_server`` (session): a live mock on a free ``127.0.0.1`` port.
- ``mixpeek_mock`` (function): a handle on the live mock, reset before the test.
- ``mixpeek_mock_asgi`` (function): the same handle on an in-process app (no socket).
- ``mixpeek_mock_pool`` (session): every mock the session started.

Marker: ``@pytest.mark.mixpeek_mock(seed=7, failure_rate=0.5, namespace="acme", ...)`` gives
a test a mock built with those ``Settings`` fields (and handle options ``api_key``,
``namespace``); tests asking for the same settings share that mock.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import pytest

from ..settings import Settings
from .handle import MockHandle
from .pool import MockPool, split_marker_options
from .server import MockServer

#: The contract-target fixture lives with the contracts, which need the [contracts] extra.
pytest_plugins = (
    ["mixpeek_toolkit.contracts.plugin"] if importlib.util.find_spec("schemathesis") else []
)

MARKER = "mixpeek_mock"
DEFAULT_SEED = 42
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): run this test against a Mixpeek mock built with these "
        "Settings fields (seed=, strict=, failure_rate=, ...) and handle options "
        "(api_key=, namespace=).",
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's report, so teardown knows whether the test itself failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def mixpeek_mock_settings() -> Settings:
    """The mock's settings; override this fixture in a conftest.py to change them."""
    return Settings(strict=True, seed=DEFAULT_SEED)


@pytest.fixture(scope="session")
def mixpeek_mock_pool() -> Iterator[MockPool]:
    """Every mock this session started (one per distinct settings), stopped at the end."""
    pool = MockPool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def mixpeek_mock_server(mixpeek_mock_pool: MockPool, mixpeek_mock_settings: Settings) -> MockServer:
    """The session's live mock (uvicorn in a thread on a free 127.0.0.1 port)."""
    return mixpeek_mock_pool.server(mixpeek_mock_settings)


@pytest.fixture
def mixpeek_mock(
    request: pytest.FixtureRequest, mixpeek_mock_pool: MockPool, mixpeek_mock_settings: Settings
) -> Iterator[MockHandle]:
    """A handle on the live mock, reset for this test."""
    settings, options = _marker_options(request, mixpeek_mock_settings)
    yield from _handle(request, mixpeek_mock_pool.server(settings), options)


@pytest.fixture
def mixpeek_mock_asgi(
    request: pytest.FixtureRequest, mixpeek_mock_pool: MockPool, mixpeek_mock_settings: Settings
) -> Iterator[MockHandle]:
    """A handle on the mock served in-process (no socket; httpx clients only)."""
    settings, options = _marker_options(request, mixpeek_mock_settings)
    yield from _handle(request, mixpeek_mock_pool.in_process(settings), options)


def _marker_options(
    request: pytest.FixtureRequest, base: Settings
) -> tuple[Settings, dict[str, Any]]:
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if marker.args:
            pytest.fail(f"@pytest.mark.{MARKER} takes keyword options only.", pytrace=False)
        options.update(marker.kwargs)
    try:
        return split_marker_options(base, options)
    except (TypeError, ValueError) as error:
        pytest.fail(str(error), pytrace=False)


def _handle(
    request: pytest.FixtureRequest, mock: Any, options: dict[str, Any]
) -> Iterator[MockHandle]:
    handle = MockHandle(mock, **options).start()
    try:
        yield handle
    finally:
        reports = request.node.stash.get(_REPORTS, {})
        failed = [report for report in reports.values() if report.failed]
        errors = handle.finish(test_failed=bool(failed))
        if errors:
            # Attach the server's errors to the failure report instead of hiding it.
            failed[-1].sections.append(("Mixpeek mock server errors", errors))
