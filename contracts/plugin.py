"""pytest plugin of the toolkit (registered through the ``pytest11`` entry point).

Thin on purpose: options, the marker, one hook and the fixtures. The engine (servers,
the per-test handle) is :mod:`mockserver.testing`, imported only when a fixture is used, so
loading this plugin costs nothing in test runs that do not use it.

Fixtures (all prefixed ``mixpeek_``):

- ``mixpeek_mock_settings`` (session, override it): the ``mockserver.Settings`` of the mock.
- ``mixpeek_mock_server`` (session): a live mock on a free ``127.0.0.1`` port.
- ``mixpeek_mock`` (function): a handle on the live mock, reset before the test.
- ``mixpeek_mock_asgi`` (function): the same handle on an in-process app (no socket).
- ``mixpeek_target`` (session): where the contract suites point: the local mock, or the
  server named by ``--mixpeek-base-url`` (with ``--mixpeek-api-key``, ``--mixpeek-namespace``,
  ``--mixpeek-retriever-id``).

Marker: ``@pytest.mark.mixpeek_mock(seed=7, failure_rate=0.5, namespace="acme", ...)`` gives
a test a mock built with those ``Settings`` fields (and handle options ``api_key``,
``namespace``); tests asking for the same settings share that mock.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from contracts.target import Target
    from mockserver.settings import Settings
    from mockserver.testing import MockHandle, MockPool, MockServer

MARKER = "mixpeek_mock"
DEFAULT_SEED = 42
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mixpeek", "Mixpeek mock server and contract target")
    group.addoption(
        "--mixpeek-base-url",
        default=None,
        help="Point mixpeek_target (the contract suites) at this server instead of the local mock.",
    )
    group.addoption(
        "--mixpeek-api-key", default=None, help="API key for --mixpeek-base-url (sk_...)."
    )
    group.addoption(
        "--mixpeek-namespace", default=None, help="Namespace (X-Namespace) for the target."
    )
    group.addoption(
        "--mixpeek-retriever-id", default=None, help="Retriever the contract suites execute."
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): run this test against a Mixpeek mock built with these "
        "mockserver.Settings fields (seed=, strict=, failure_rate=, ...) and handle options "
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
    from mockserver import Settings

    return Settings(strict=True, seed=DEFAULT_SEED)


@pytest.fixture(scope="session")
def mixpeek_mock_pool() -> Iterator[MockPool]:
    """Every mock this session started (one per distinct settings), stopped at the end."""
    from mockserver.testing import MockPool

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


@pytest.fixture(scope="session")
def mixpeek_target(request: pytest.FixtureRequest) -> Target:
    """Where the contract suites point (a ``contracts.target.Target``).

    ``--mixpeek-*`` options win over ``MIXPEEK_*`` environment variables; with no base URL
    from either, the target is the session's local mock (``mixpeek_mock_server``).
    """
    from contracts.target import Target

    option = request.config.getoption
    target = Target.from_env(
        base_url=option("--mixpeek-base-url"),
        api_key=option("--mixpeek-api-key"),
        namespace=option("--mixpeek-namespace"),
        retriever_id=option("--mixpeek-retriever-id"),
    )
    if target.base_url is None:
        server = request.getfixturevalue("mixpeek_mock_server")
        target = target.evolve(base_url=server.base_url)
    return target


def _marker_options(
    request: pytest.FixtureRequest, base: Settings
) -> tuple[Settings, dict[str, Any]]:
    from mockserver.testing import split_marker_options

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
    from mockserver.testing import MockHandle

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
