"""The contract never cries wolf: a server that behaves as the real API does keeps every rule.

tests/contracts/real_shaped_server.py answers what FACTS.md says the real service answers
beyond the seeds (degraded runs, undeclared fields, 0.82 pagination shapes, statistics-only
read-backs, envelopes without `success`, `NotEnabledError`, a retriever named with a space,
caching headers and 304). The whole contract runs against it with the retriever given by id
and by name, and must find nothing. A status the API does not document is caught, unless
the user accepts it by name.
"""

from __future__ import annotations

import httpx
import pytest

from mixpeek_toolkit.contracts.suite import client_for, run_contract
from mixpeek_toolkit.contracts.target import Target
from mixpeek_toolkit.contracts.workflows import WorkflowSession
from mixpeek_toolkit.mockserver import Settings, create_app
from tests.contracts import broken
from tests.contracts.real_shaped_server import (
    RETRIEVER_ID,
    RETRIEVER_NAME,
    create_real_shaped_app,
)

TARGET = Target(max_examples=8, seed=7, max_polls=10)


@pytest.mark.parametrize("retriever", [RETRIEVER_ID, RETRIEVER_NAME], ids=["id", "name"])
def test_the_whole_contract_holds_on_a_server_shaped_like_the_real_api(retriever: str) -> None:
    app = create_real_shaped_app()

    report = run_contract(TARGET.evolve(retriever_id=retriever), app=app)

    assert report.ok, report.summary()
    # The run met what the real API does, so the verdict means something.
    answered = app.state.real_shaped.answered
    for seen in (
        "completed",
        "degraded",
        "failed",
        "statistics-only read-back",
        "403 NotEnabledError",
        "404 NotFoundError",
        "401 UnauthorizedError",
        "422 ValidationError",
    ):
        assert answered[seen], f"the run never met {seen!r}: {dict(answered)}"


def test_a_304_for_an_unchanged_result_keeps_every_rule() -> None:
    body = {"inputs": {"query": "wireless headphones"}, "page_size": 5}
    with client_for(TARGET, create_real_shaped_app()) as client:
        path = f"/v1/retrievers/{TARGET.retriever_id}/execute"
        etag = client.post(path, json=body, headers=TARGET.headers()).headers["ETag"]
        session = WorkflowSession(client=client, target=TARGET)

        # Every rule judges the answer; none may take a 304 with no body for a broken one.
        not_modified = session.execute(body, headers={**TARGET.headers(), "If-None-Match": etag})

    assert not_modified.status_code == httpx.codes.NOT_MODIFIED


def mock_app():
    return create_app(Settings(strict=True, rate_limit=1_000_000))


def test_a_status_the_api_never_answers_is_a_broken_rule_that_names_the_accept_option() -> None:
    report = run_contract(TARGET, app=broken.done_for_finished_runs(mock_app()), schemathesis=False)

    assert report.broken_rules == ["execution_status_is_known"], report.summary()
    summary = report.summary()
    assert "status is 'done'" in summary
    assert "--accept-status done" in summary and "--mixpeek-accept-status" in summary


def test_a_status_accepted_by_name_is_no_broken_rule() -> None:
    target = TARGET.evolve(accept_statuses={"done"})

    report = run_contract(
        target, app=broken.done_for_finished_runs(mock_app()), phases=["examples"]
    )

    assert report.ok, report.summary()
    assert "Statuses accepted by name: done." in report.summary()
