"""The polite transport, on a fake clock and a scripted target (``httpx.MockTransport``):
limited answers are waited out and never reach the caller, transport faults are named,
retried and counted, and the run's time and waiting budgets end it instead of a hang."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from mixpeek_toolkit.contracts.pacing import Pacer
from mixpeek_toolkit.contracts.transport import (
    FaultKind,
    PoliteTransport,
    RunOutOfTime,
    TargetKeptLimiting,
    TransportFault,
    classify,
)
from tests.contracts.fake_clock import FakeClock

URL = "http://target.test/v1/retrievers/ret_1/execute"


def scripted(*answers: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    """A handler answering (or raising) each of ``answers`` in turn, then 200."""
    queue: Iterator[httpx.Response | Exception] = iter(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        answer = next(queue, httpx.Response(200, json={"ok": True}))
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler


def polite(clock: FakeClock, handler, **options) -> tuple[httpx.Client, PoliteTransport]:
    pacer = Pacer(
        clock=clock.monotonic,
        wall=clock.wall,
        sleep=clock.sleep,
        max_wait=options.pop("max_wait", 300.0),
    )
    transport = PoliteTransport(
        httpx.MockTransport(handler),
        pacer,
        clock=clock.monotonic,
        sleep=clock.sleep,
        **options,
    )
    return httpx.Client(transport=transport), transport


@pytest.mark.parametrize("status", [429, 503])
def test_a_limited_answer_is_waited_out_as_told_and_never_reaches_the_caller(status):
    clock = FakeClock()
    client, transport = polite(
        clock, scripted(httpx.Response(status, headers={"Retry-After": "3"}, json={}))
    )

    response = client.post(URL, json={})

    assert response.status_code == 200
    assert clock.sleeps == [3.0]
    assert transport.pacer.stats.limited == {status: 1}
    assert transport.pacer.stats.waited_s == 3.0
    assert transport.stats.requests == 2


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), FaultKind.REFUSED),
        (httpx.ReadTimeout("timed out"), FaultKind.TIMEOUT),
        (httpx.ConnectTimeout("timed out"), FaultKind.TIMEOUT),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), FaultKind.RESET),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            FaultKind.DROPPED,
        ),
        (
            httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body: incomplete chunked read"
            ),
            FaultKind.TRUNCATED,
        ),
    ],
)
def test_each_transport_fault_is_named_retried_and_counted_as_flaky(error, kind):
    clock = FakeClock()
    client, transport = polite(clock, scripted(error))

    response = client.get(URL)

    assert classify(error) is kind
    assert response.status_code == 200
    assert transport.stats.recovered == {kind: 1}
    assert not transport.stats.persistent
    assert clock.sleeps == [0.25]  # one back-off


def test_a_fault_that_persists_is_raised_named_after_every_retry():
    clock = FakeClock()
    reset = httpx.ReadError("[Errno 104] Connection reset by peer")
    client, transport = polite(clock, scripted(reset, reset, reset), retries=2)

    with pytest.raises(TransportFault, match="connection reset on each of 3 attempt") as caught:
        client.get(URL)

    assert caught.value.kind is FaultKind.RESET
    assert transport.stats.persistent == {FaultKind.RESET: 1}
    assert not transport.stats.recovered
    assert clock.sleeps == [0.25, 0.5]


def test_a_body_cut_short_is_a_truncated_body():
    def handler(request: httpx.Request) -> httpx.Response:
        def stream() -> Iterator[bytes]:
            yield b'{"exec'
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body"
            )

        return httpx.Response(200, headers={"Content-Length": "40"}, content=stream())

    clock = FakeClock()
    client, _ = polite(clock, handler, retries=0)

    with pytest.raises(TransportFault) as caught:
        client.get(URL)

    assert caught.value.kind is FaultKind.TRUNCATED


def test_a_503_without_retry_after_is_retried_like_a_fault_then_handed_over():
    clock = FakeClock()
    unavailable = httpx.Response(503, json={"status": 503})
    client, transport = polite(clock, scripted(unavailable, unavailable, unavailable))

    response = client.get(URL)

    assert response.status_code == 503  # it persisted: the rules judge it
    assert transport.stats.requests == 3
    assert not transport.stats.recovered


def test_the_time_budget_ends_the_run_instead_of_a_hang():
    clock = FakeClock()

    def slow(request: httpx.Request) -> httpx.Response:
        clock.advance(4)  # each answer takes 4 s
        return httpx.Response(200)

    client, _ = polite(clock, slow, deadline=10.0)
    client.get(URL)
    client.get(URL)
    client.get(URL)  # starts at 8 s: still in time

    with pytest.raises(RunOutOfTime, match="time budget"):
        client.get(URL)


def test_requests_never_wait_longer_than_the_deadline_for_an_answer():
    clock = FakeClock()
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(request.extensions["timeout"])
        return httpx.Response(200)

    client, _ = polite(clock, handler, deadline=2.5)
    client.get(URL, timeout=httpx.Timeout(10))

    assert seen == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}


def test_a_target_that_keeps_limiting_ends_the_run_past_the_waiting_budget():
    clock = FakeClock()
    limited = httpx.Response(429, headers={"Retry-After": "30"}, json={})
    client, transport = polite(clock, scripted(*[limited] * 10), max_wait=60)

    with pytest.raises(TargetKeptLimiting, match="waiting budget"):
        client.get(URL)

    assert transport.pacer.stats.waited_s == 60
