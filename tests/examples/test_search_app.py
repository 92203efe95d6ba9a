"""The example downstream app, tested the way a downstream team would: with the plugin's fixtures.

``search_titles`` runs against a live mock through the official ``mixpeek`` client; every
path (success, failure, in flight, rate limited) is arranged through the mock's handle.
"""

from __future__ import annotations

import pytest
from search_app import RateLimited, SearchFailed, SearchTimedOut, search_titles

RETRIEVER = "ret_product_search"


class RecordedSleep:
    """An injected ``sleep`` that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleep() -> RecordedSleep:
    return RecordedSleep()


def test_returns_the_titles_of_the_best_matches(mixpeek_mock, sleep):
    titles = search_titles(
        mixpeek_mock.mixpeek_configuration(), RETRIEVER, "wireless headphones", sleep=sleep
    )

    assert titles
    assert "Headphones" in titles[0]
    assert sleep.waits == []
    mixpeek_mock.assert_executed(RETRIEVER, inputs={"query": "wireless headphones"}, times=1)


def test_finds_documents_seeded_for_the_test(mixpeek_mock, sleep):
    mixpeek_mock.add_documents(
        "product-catalog",
        [{"title": "Zyxx Quantum Toaster", "text": "A quantum toaster that browns bread evenly."}],
    )

    titles = search_titles(
        mixpeek_mock.mixpeek_configuration(), RETRIEVER, "quantum toaster", sleep=sleep
    )

    assert titles[0] == "Zyxx Quantum Toaster"


def test_a_failed_execution_raises_with_the_api_message(mixpeek_mock, sleep):
    mixpeek_mock.queue(outcome="failed", error="Stage 'rerank' timed out")

    with pytest.raises(SearchFailed, match="Stage 'rerank' timed out"):
        search_titles(mixpeek_mock.mixpeek_configuration(), RETRIEVER, "headphones", sleep=sleep)


def test_an_in_flight_execution_is_polled_until_it_completes(mixpeek_mock, sleep):
    mixpeek_mock.queue_in_flight(stages=3)

    titles = search_titles(
        mixpeek_mock.mixpeek_configuration(),
        RETRIEVER,
        "wireless headphones",
        sleep=sleep,
        poll_interval_s=0.25,
    )

    # pending, then one read per stage (processing), then completed: 3 stages = 4 reads.
    assert titles
    assert sleep.waits == [0.25] * 4
    mixpeek_mock.assert_called(path_contains="/executions/", method="GET", times=4)


def test_gives_up_on_an_execution_that_stays_in_flight(mixpeek_mock, sleep):
    mixpeek_mock.queue_in_flight(stages=5)

    with pytest.raises(SearchTimedOut, match="after 2 polls"):
        search_titles(
            mixpeek_mock.mixpeek_configuration(), RETRIEVER, "headphones", sleep=sleep, max_polls=2
        )

    mixpeek_mock.assert_called(path_contains="/executions/", times=2)


def test_a_rate_limited_request_is_retried_after_retry_after(mixpeek_mock, sleep):
    mixpeek_mock.queue_rate_limited(retry_after=2)

    titles = search_titles(
        mixpeek_mock.mixpeek_configuration(), RETRIEVER, "wireless headphones", sleep=sleep
    )

    assert titles
    assert sleep.waits == [2.0]
    mixpeek_mock.assert_called(path_contains="/execute", status_code=429, times=1)
    mixpeek_mock.assert_called(path_contains="/execute", status_code=200, times=1)


def test_stops_retrying_after_the_last_attempt(mixpeek_mock, sleep):
    mixpeek_mock.queue_rate_limited(retry_after=1, times=3)

    with pytest.raises(RateLimited, match="429 to all 3 attempts"):
        search_titles(
            mixpeek_mock.mixpeek_configuration(),
            RETRIEVER,
            "headphones",
            sleep=sleep,
            max_attempts=3,
        )

    assert sleep.waits == [1.0, 1.0]
    mixpeek_mock.assert_called(path_contains="/execute", status_code=429, times=3)


def test_searches_the_configured_target(mixpeek_target, sleep):
    """Runs against the local mock, or the server named by --mixpeek-base-url (the CI recipe)."""
    import mixpeek

    config = mixpeek.Configuration(
        host=mixpeek_target.base_url,
        access_token=mixpeek_target.api_key,
        api_key={"NamespaceHeader": mixpeek_target.namespace},
    )

    titles = search_titles(config, mixpeek_target.retriever_id, "wireless headphones", sleep=sleep)

    assert all(isinstance(title, str) for title in titles)
