"""Errors inside a mock server: kept where they happen, raised in the test that sees them.

Two kinds reach a test: exceptions that escape the app (:class:`RecordErrors`), and the
bugs the app answered with a 500 but recorded in its bug log
(:class:`~mixpeek_toolkit.mockserver.bugs.BugLog`, ``app.state.mock.bugs``), which an
:class:`ErrorLog` drains as one of its sources. Scripted answers (a ``Prefer: status=500``,
a dropped connection) are never errors here.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from ..secrecy import redact_text

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from ..settings import Settings

__all__ = [
    "ErrorLog",
    "ErrorSource",
    "MockServerFailure",
    "RecordErrors",
    "bug_log_of",
    "describe_errors",
    "raise_errors",
    "secrets_of",
]


class MockServerFailure(RuntimeError):
    """The mock failed on its side: it did not start, or an exception escaped the app."""


class ErrorSource(Protocol):
    """Anything that hands over the errors it kept, e.g. an app's ``BugLog``."""

    def take(self) -> list[BaseException]: ...


class ErrorLog:
    """Exceptions seen inside a server thread, kept until a test takes them (thread-safe).

    Besides the errors added to it, it drains its sources (:meth:`watch`) on each
    :meth:`take`; an exception seen twice (recorded by the app, then escaping it) counts once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: list[BaseException] = []
        self._sources: list[ErrorSource] = []

    def add(self, error: BaseException) -> None:
        with self._lock:
            self._errors.append(error)

    def watch(self, source: ErrorSource) -> None:
        """Drain ``source`` too (an app's bug log) whenever errors are taken."""
        with self._lock:
            self._sources.append(source)

    def take(self) -> list[BaseException]:
        with self._lock:
            found, self._errors = self._errors, []
            for source in self._sources:
                found.extend(source.take())
        unique: dict[int, BaseException] = {}
        for error in found:
            unique.setdefault(id(error), error)
        return list(unique.values())


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


def bug_log_of(app: object) -> ErrorSource | None:
    """The bug log of a mock app (``app.state.mock.bugs``); None for any other ASGI app."""
    mock = getattr(getattr(app, "state", None), "mock", None)
    return getattr(mock, "bugs", None)


def secrets_of(settings: Settings) -> tuple[str, ...]:
    """What no report may show of these settings: the API keys and the control token."""
    return (*settings.api_keys, *([settings.control_token] if settings.control_token else []))


def describe_errors(
    errors: Sequence[BaseException], *, tracebacks: bool = True, secrets: Iterable[str] = ()
) -> str:
    """A readable account of server-side errors (with their tracebacks, unless told not to).

    It ends up in test reports: every ``sk_`` key and each of ``secrets`` is redacted.
    """
    parts = [f"{len(errors)} error(s) inside the Mixpeek mock server:"]
    for error in errors:
        if tracebacks:
            parts.append("".join(traceback.format_exception(error)).rstrip())
        else:
            parts.append(f"  {type(error).__name__}: {error}")
    return redact_text(("\n\n" if tracebacks else "\n").join(parts), secrets)


def raise_errors(errors: Sequence[BaseException], *, secrets: Iterable[str] = ()) -> None:
    """Raise :class:`MockServerFailure` for ``errors``; the first one's traceback is chained."""
    if errors:
        described = describe_errors(errors, tracebacks=False, secrets=secrets)
        raise MockServerFailure(described) from errors[0]
