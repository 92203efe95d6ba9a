"""The engine of the pytest plugin (``contracts/plugin.py``): live mocks and a per-test handle.

Two ways to serve one mock app (``create_app(settings)``) to a test:

- :class:`MockServer` (``server.py``) runs it with uvicorn in a background thread on a free
  ``127.0.0.1`` port, so any HTTP client (the official ``mixpeek`` client too) can reach it.
- :class:`InProcessMock` (``in_process.py``) serves it with no socket: httpx clients whose
  transport calls the ASGI app directly.

:class:`MockPool` (``pool.py``) starts each once per distinct :class:`~mockserver.Settings`
and stops them at the end; :class:`MockHandle` (``handle.py``) is what a test holds: it resets
the mock, seeds it, queues scenarios, reads the request journal and asserts on it
(``journal.py``).

Errors raised inside the server (``failures.py``) are kept and re-raised in the test as
:class:`MockServerFailure`: on the next response of the handle's clients, or when the test
ends; if the test already failed, they go into its report instead of hiding its failure.
"""

from mockserver.testing.failures import MockServerFailure
from mockserver.testing.handle import MockHandle
from mockserver.testing.in_process import InProcessMock
from mockserver.testing.journal import JournalEntry
from mockserver.testing.pool import (
    DEFAULT_API_KEY,
    DEFAULT_NAMESPACE,
    HANDLE_OPTIONS,
    MockPool,
    split_marker_options,
)
from mockserver.testing.server import MockServer

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_NAMESPACE",
    "HANDLE_OPTIONS",
    "InProcessMock",
    "JournalEntry",
    "MockHandle",
    "MockPool",
    "MockServer",
    "MockServerFailure",
    "split_marker_options",
]
