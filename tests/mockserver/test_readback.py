"""What a read-back (get-execution) answers about documents: ``Settings.readback``.

``retained`` (the default, the seeds' contract): the documents the run returned,
``documents_retained: true``. ``statistics`` (what the API answers since 0.82): a stored
execution keeps statistics, not rows: ``documents: []``, ``documents_retained: false``
and ``total_returned``, the number of documents the run returned.
"""

from __future__ import annotations

import httpx
import pytest

from mixpeek_toolkit.mockserver import Settings, cli, create_app
from mixpeek_toolkit.mockserver.testing.pool import split_marker_options
from tests.mockserver.conftest import AUTH, execute_path, execution_path

RETRIEVER = "ret_product_search"
QUERY = {"inputs": {"query": "headphones"}, "limit": 7}


@pytest.fixture
def statistics_app(clock):
    return create_app(Settings(seed=42, strict=True, readback="statistics"), clock=clock)


async def run_and_read(app, body=QUERY, **headers) -> tuple[dict, dict]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://m", headers=AUTH) as c:
        executed = (await c.post(execute_path(RETRIEVER), json=body, headers=headers)).json()
        path = execution_path(RETRIEVER, executed["execution_id"])
        read = await c.get(path)
        assert read.status_code == 200, read.text
        if read.json()["status"] not in ("pending", "processing"):
            assert (await c.get(path)).content == read.content  # the same every time
        return executed, read.json()


@pytest.mark.anyio
async def test_retained_read_backs_answer_the_documents_the_run_returned(app):
    executed, read = await run_and_read(app)
    assert read["documents"] == executed["documents"] and len(read["documents"]) == 7
    assert read["documents_retained"] is True and read["total_returned"] == 7


@pytest.mark.anyio
async def test_statistics_read_backs_answer_counts_not_rows(statistics_app):
    executed, read = await run_and_read(statistics_app)
    assert len(executed["documents"]) == 7  # execute still answers the page
    assert "documents_retained" not in executed
    assert read["documents"] == []
    assert read["documents_retained"] is False
    assert read["total_returned"] == 7
    assert read["status"] == "completed"
    assert read["pagination"] == executed["pagination"]  # what the run returned
    assert read["stage_statistics"] == executed["stage_statistics"]


@pytest.mark.anyio
async def test_statistics_read_backs_of_a_failed_run_returned_nothing(statistics_app):
    _, read = await run_and_read(statistics_app, Prefer="outcome=failed")
    assert (read["status"], read["documents_retained"], read["total_returned"]) == (
        "failed",
        False,
        0,
    )


@pytest.mark.anyio
async def test_statistics_read_backs_of_a_degraded_run_keep_the_degraded_list(statistics_app):
    executed, read = await run_and_read(statistics_app, Prefer="outcome=degraded")
    assert read["status"] == "degraded" and read["degraded"] == executed["degraded"]
    assert read["documents"] == [] and read["total_returned"] == len(executed["documents"])


@pytest.mark.anyio
async def test_an_in_flight_read_back_says_nothing_about_retained_documents(statistics_app):
    _, read = await run_and_read(statistics_app, Prefer="respond-async, stages=3")
    assert read["status"] == "processing"
    assert "documents_retained" not in read and "total_returned" not in read


def test_the_readback_mode_is_a_command_line_flag():
    args = cli.build_parser().parse_args(["--readback", "statistics"])
    assert cli.settings_from_args(args).readback == "statistics"
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--readback", "rows"])


def test_the_readback_mode_is_a_marker_option():
    settings, handle_options = split_marker_options(Settings(), {"readback": "statistics"})
    assert settings.readback == "statistics" and handle_options == {}


@pytest.mark.mixpeek_mock(readback="statistics")
def test_the_marker_serves_a_statistics_mock(mixpeek_mock_asgi):
    client = mixpeek_mock_asgi.client
    executed = client.post(execute_path(RETRIEVER), json=QUERY).json()
    read = client.get(execution_path(RETRIEVER, executed["execution_id"])).json()
    assert read["documents"] == [] and read["total_returned"] == 7
