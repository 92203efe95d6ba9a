"""Errors inside a mock server: kept where they happen, raised in the test that sees them."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["ErrorLog", "MockServerFailure", "RecordErrors", "describe_errors", "raise_errors"]


class MockServerFailure(RuntimeError):
    """The mock failed on its side: it did not start, or an exception escaped the app."""


class ErrorLog:
    """Exceptions seen inside a server thread, kept until a test takes them (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: list[BaseException] = []

    def add(self, error: BaseException) -> None:
        with self._lock:
            self._errors.append(error)

    def take(self) -> list[BaseException]:
        with self._lock:
            errors, self._errors = self._errors, []
        return errors


class RecordErrors:
    """ASGI wrapper: remembers every exception that escapes the app, then lets it propagate."""

    def __init__(self, app: ASGIApp, log: ErrorLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as error:
            self.log.add(error)
            raise


def describe_errors(errors: Sequence[BaseException], *, tracebacks: bool = True) -> str:
    """A readable account of server-side errors (with their tracebacks, unless told not to)."""
    parts = [f"{len(errors)} error(s) inside the Mixpeek mock server:"]
    for error in errors:
        if tracebacks:
            parts.append("".join(traceback.format_exception(error)).rstrip())
        else:
            parts.append(f"  {type(error).__name__}: {error}")
    return ("\n\n" if tracebacks else "\n").join(parts)


def raise_errors(errors: Sequence[BaseException]) -> None:
    """Raise :class:`MockServerFailure` for ``errors``; the first one's traceback is chained."""
    if errors:
        raise MockServerFailure(describe_errors(errors, tracebacks=False)) from errors[0]
