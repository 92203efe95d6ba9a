"""The runner's one way to the target: an ``httpx`` transport that is a polite client.

Every request of a run (Schemathesis' through :mod:`.relay`, the workflows' directly) passes
:class:`PoliteTransport`, which wraps the real transport (the network, or an ASGI app in
process) and:

- waits before each request as the :class:`~.pacing.Pacer` says (rate-limit headers,
  ``max_rps``), and waits out limited answers (``429``, ``503`` with ``Retry-After``) before
  retrying them, within the pacer's waiting budget: a limited answer never reaches a rule;
- reads each body whole, so that a truncated body is a transport fault, and names each fault
  (:class:`FaultKind`: a timeout, a refused, reset or dropped connection, a truncated body);
  retries faults a bounded number of times, with back-off, and counts the ones a retry
  cured (a flaky target); one that persists raises :class:`TransportFault`;
- keeps the whole run within its time budget: no request starts, and no wait lasts, past
  the deadline (:class:`RunOutOfTime`).

Exceptions::

    RuntimeError
     +-- RunIncomplete              the run stopped before its end (reason)
     |    +-- RunOutOfTime          the run's time budget is spent
     |    +-- TargetKeptLimiting    the waiting budget is spent (wraps WaitBudgetExhausted)
     +-- TransportFault             a request failed the same way on every attempt
"""

from __future__ import annotations

import enum
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from .pacing import Pacer, WaitBudgetExhausted

__all__ = [
    "FaultKind",
    "PoliteTransport",
    "RunIncomplete",
    "RunOutOfTime",
    "TargetKeptLimiting",
    "TransportFault",
    "TransportStats",
    "classify",
]

#: Most retries of one request the target keeps limiting (each also spends the wait budget).
MAX_LIMITED_RETRIES = 30
#: First back-off before retrying a transport fault; it doubles with each attempt.
BACKOFF_S = 0.25


class FaultKind(enum.StrEnum):
    """How a request failed below HTTP."""

    TIMEOUT = "timeout"
    REFUSED = "connection refused"
    RESET = "connection reset"
    DROPPED = "connection dropped before an answer"
    TRUNCATED = "truncated body"
    SERVICE_UNAVAILABLE = "503 without Retry-After"
    OTHER = "transport error"


def classify(error: Exception) -> FaultKind:
    """Name the transport fault an ``httpx`` exception stands for."""
    text = str(error).lower()
    if isinstance(error, httpx.TimeoutException):
        return FaultKind.TIMEOUT
    if isinstance(error, httpx.ConnectError):
        return FaultKind.REFUSED if "refused" in text else FaultKind.OTHER
    if isinstance(error, httpx.RemoteProtocolError):
        if "incomplete" in text or "complete message body" in text:
            return FaultKind.TRUNCATED
        return FaultKind.DROPPED
    if isinstance(error, httpx.ReadError | httpx.WriteError):
        return FaultKind.RESET
    return FaultKind.OTHER


class RunIncomplete(RuntimeError):
    """The run stopped before its end; ``reason`` says why in one sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RunOutOfTime(RunIncomplete):
    """The run's time budget is spent."""


class TargetKeptLimiting(RunIncomplete):
    """The target kept limiting the run beyond the waiting budget."""


class TransportFault(RuntimeError):
    """A request failed below HTTP on every attempt."""

    def __init__(self, kind: FaultKind, request: httpx.Request, attempts: int, detail: str) -> None:
        self.kind = kind
        self.method = request.method
        self.url = str(request.url)
        self.attempts = attempts
        super().__init__(
            f"{request.method} {request.url.path}: {kind} on each of {attempts} attempt(s) "
            f"({detail})"
        )


@dataclass
class TransportStats:
    """What the transport met in one run."""

    requests: int = 0
    """Requests sent (retries included)."""
    recovered: Counter[FaultKind] = field(default_factory=Counter)
    """Faults a retry cured, by kind: the target is flaky."""
    persistent: Counter[FaultKind] = field(default_factory=Counter)
    """Faults that outlasted every retry, by kind."""


class PoliteTransport(httpx.BaseTransport):
    """Wraps ``inner`` with pacing, waits, retries and a deadline (see the module)."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        pacer: Pacer,
        *,
        retries: int = 2,
        deadline: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries must be 0 or more, got {retries}.")
        self.inner, self.pacer, self.retries = inner, pacer, retries
        self.deadline = deadline
        """Clock time (``clock``) after which no request starts; ``None``: no deadline."""
        self.stats = TransportStats()
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        faults: list[FaultKind] = []
        limited = 0
        while True:
            self._check_deadline(request)
            self.pacer.before_request(deadline=self.deadline)
            self._check_deadline(request)
            self._bound_timeout(request)
            with self._lock:
                self.stats.requests += 1
            try:
                response = self._send(request)
            except httpx.TransportError as error:
                faults.append(classify(error))
                if len(faults) > self.retries:
                    with self._lock:
                        self.stats.persistent[faults[-1]] += 1
                    detail = str(error) or type(error).__name__
                    raise TransportFault(faults[-1], request, len(faults), detail) from None
                self._back_off(len(faults))
                continue
            self.pacer.observe(response.headers)
            delay = self.pacer.retry_delay(response.status_code, response.headers)
            if delay is not None and limited < MAX_LIMITED_RETRIES:
                limited += 1
                try:
                    self.pacer.wait_to_retry(response.status_code, delay, deadline=self.deadline)
                except WaitBudgetExhausted as exhausted:
                    raise TargetKeptLimiting(str(exhausted)) from None
                continue
            if response.status_code == 503 and delay is None and len(faults) < self.retries:
                # Unavailable without saying for how long: retried like a fault. If it
                # persists, the last 503 is the answer, and the rules judge it.
                faults.append(FaultKind.SERVICE_UNAVAILABLE)
                self._back_off(len(faults))
                continue
            if response.status_code != 503:
                with self._lock:
                    self.stats.recovered.update(faults)
            return response

    # --- helpers ----------------------------------------------------------------------------

    def _send(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        try:
            response.read()  # a body cut short fails here, as a transport fault
        finally:
            response.close()
        return response

    def _check_deadline(self, request: httpx.Request) -> None:
        if self.deadline is not None and self._clock() >= self.deadline:
            raise RunOutOfTime(
                f"the run's time budget was spent before {request.method} {request.url.path}"
            )

    def _bound_timeout(self, request: httpx.Request) -> None:
        if self.deadline is None:
            return
        left = max(0.001, self.deadline - self._clock())
        timeout = dict(request.extensions.get("timeout") or {})
        for name in ("connect", "read", "write", "pool"):
            value = timeout.get(name)
            timeout[name] = left if value is None else min(value, left)
        request.extensions = {**request.extensions, "timeout": timeout}

    def _back_off(self, attempt: int) -> None:
        delay = BACKOFF_S * 2 ** (attempt - 1)
        if self.deadline is not None:
            delay = min(delay, max(0.0, self.deadline - self._clock()))
        self._sleep(delay)

    def close(self) -> None:
        self.inner.close()
