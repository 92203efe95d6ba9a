"""pytest plugin of the contracts: the ``mixpeek_target`` fixture and the ``--mixpeek-*`` options.

Registered by the mock's plugin (:mod:`mixpeek_toolkit.mockserver.testing.plugin`) where
this ``[contracts]`` extra is installed. ``mixpeek_target`` (session) says where the contract
suites point: the session's local mock, or the server named by ``--mixpeek-base-url`` (with
``--mixpeek-api-key``, ``--mixpeek-namespace``, ``--mixpeek-retriever-id``), accepting the
statuses named by ``--mixpeek-accept-status`` beyond the ones the API documents.
"""

from __future__ import annotations

import pytest

from .target import Target, accepted_statuses


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
    group.addoption(
        "--mixpeek-accept-status",
        action="append",
        default=None,
        metavar="STATUS",
        help="Accept an execution status the API does not document (repeatable); rule "
        "execution_status_is_known lets it pass, lifecycle rules do not judge it.",
    )


@pytest.fixture(scope="session")
def mixpeek_target(request: pytest.FixtureRequest) -> Target:
    """Where the contract suites point (a :class:`~mixpeek_toolkit.contracts.Target`).

    ``--mixpeek-*`` options win over ``MIXPEEK_*`` environment variables; with no base URL
    from either, the target is the session's local mock (``mixpeek_mock_server``).
    """
    option = request.config.getoption
    target = Target.from_env(
        base_url=option("--mixpeek-base-url"),
        api_key=option("--mixpeek-api-key"),
        namespace=option("--mixpeek-namespace"),
        retriever_id=option("--mixpeek-retriever-id"),
        accept_statuses=accepted_statuses(option("--mixpeek-accept-status")),
    )
    if target.base_url is None:
        server = request.getfixturevalue("mixpeek_mock_server")
        target = target.evolve(base_url=server.base_url)
    return target
