"""The pacer, on a fake clock: it stays below the target's limit, caps requests per second,
and waits out limited answers as told, within the run's waiting budget."""

from __future__ import annotations

import pytest

from mixpeek_toolkit.contracts.pacing import Pacer, WaitBudgetExhausted, retry_after
from tests.contracts.fake_clock import EPOCH, FakeClock


def pacer(clock: FakeClock, **options) -> Pacer:
    return Pacer(clock=clock.monotonic, wall=clock.wall, sleep=clock.sleep, **options)


def limit_headers(remaining: int, reset_in: float, *, limit: int = 600, window: int = 60):
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(EPOCH + reset_in),
        "X-RateLimit-Window": str(window),
    }


def test_plenty_remaining_goes_at_full_speed():
    clock = FakeClock()
    paced = pacer(clock)
    for _ in range(5):
        paced.before_request()
        paced.observe(limit_headers(500, 30))

    assert clock.sleeps == []
    assert paced.stats.paced_requests == 0


def test_none_remaining_waits_for_the_reset():
    clock = FakeClock()
    paced = pacer(clock)
    paced.before_request()
    paced.observe(limit_headers(0, 12))

    paced.before_request()

    assert clock.sleeps == [pytest.approx(12.05)]
    assert paced.stats.paced_s == pytest.approx(12.05)


def test_the_last_tenth_of_the_allowance_is_spread_over_the_time_left():
    clock = FakeClock()
    paced = pacer(clock)
    paced.before_request()
    paced.observe(limit_headers(10, 20, limit=100))  # 10 left for 20 s: one every 2 s

    paced.before_request()

    assert clock.sleeps == [pytest.approx(2.0)]


def test_a_stale_window_is_forgotten_once_it_resets():
    clock = FakeClock()
    paced = pacer(clock)
    paced.before_request()
    paced.observe(limit_headers(0, 5))
    clock.advance(6)

    paced.before_request()

    assert clock.sleeps == []


def test_max_rps_spaces_requests():
    clock = FakeClock()
    paced = pacer(clock, max_rps=4)
    for _ in range(3):
        paced.before_request()

    assert clock.sleeps == [pytest.approx(0.25), pytest.approx(0.25)]


def test_a_deadline_cuts_a_wait_short():
    clock = FakeClock()
    paced = pacer(clock)
    paced.before_request()
    paced.observe(limit_headers(0, 50))

    paced.before_request(deadline=3.0)

    assert clock.sleeps == [pytest.approx(3.0)]


@pytest.mark.parametrize(
    ("status", "headers", "delay"),
    [
        (429, {"Retry-After": "7"}, 7.0),
        (503, {"retry-after": "2"}, 2.0),
        (429, {"Retry-After": "0"}, 0.05),  # no busy loop
        (429, {"Retry-After": "Sat, 15 Jan 2027 08:00:05 GMT"}, None),  # a date: checked below
        (429, limit_headers(0, 9), 9.05),  # no Retry-After: the reset
        (429, {}, 1.0),  # neither: back off
        (503, {}, None),  # unavailable without saying for how long: a fault, not a limit
        (500, {"Retry-After": "3"}, None),
    ],
)
def test_how_long_a_limited_answer_asks_to_wait(status, headers, delay):
    clock = FakeClock()
    told = pacer(clock).retry_delay(status, headers)

    if "GMT" in headers.get("Retry-After", ""):
        assert told == pytest.approx(retry_after(headers, now=clock.wall()))
    else:
        assert told == (pytest.approx(delay) if delay is not None else None)


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after({"Retry-After": "12"}, now=0) == 12
    assert retry_after({"Retry-After": "Thu, 01 Jan 1970 00:01:00 GMT"}, now=30) == 30
    assert retry_after({"Retry-After": "soon"}, now=0) is None
    assert retry_after({}, now=0) is None


def test_waits_are_counted_and_stop_at_the_budget():
    clock = FakeClock()
    paced = pacer(clock, max_wait=10)

    paced.wait_to_retry(429, 4)
    paced.wait_to_retry(503, 5)
    with pytest.raises(WaitBudgetExhausted, match="--max-wait 10"):
        paced.wait_to_retry(429, 2)

    assert clock.sleeps == [4, 5]
    assert paced.stats.limited == {429: 1, 503: 1}
    assert paced.stats.waited_s == 9


@pytest.mark.parametrize("options", [{"max_rps": 0}, {"max_wait": -1}])
def test_nonsense_options_are_refused(options):
    with pytest.raises(ValueError):
        pacer(FakeClock(), **options)
