"""The engine of the pytest plugin (``plugin.py`` beside it): live mocks and a per-test handle.

Two ways to serve one mock app (``create_app(settings)``) to a test:

- :class:`MockServer` (``server.py``) runs it with uvicorn in a background thread on a free
  ``127.0.0.1`` port, so any HTTP client (the official ``mixpeek`` client too) can reach it.
- :class:`InProcessMock` (``in_process.py``) serves it with no socket: httpx clients whose
  transport calls the ASGI app directly.

:class:`MockPool` (``pool.py``) starts each once per distinct :class:`~mixpeek_toolkit.mockserver.Settings`
and stops them at the end; :class:`MockHandle` (``handle.py``) is what a test holds: it resets
the mock, seeds it, queues scenarios, reads the request journal and asserts on it
(``journal.py``).

Errors inside the server (``failures.py``) are kept and re-raised in the test as
:class:`MockServerFailure`: exceptions that escape the app, and the bugs the app answered
with a 500 but recorded in its bug log (a scripted 500 or a scripted fault is never one).
They are raised on the next response of the handle's clients, or when the test ends; if
the test already failed, they go into its report instead of hiding its failure.
"""

from .failures import MockServerFailure
from .handle import MockHandle
from .in_process import InProcessMock
from .pool import MockPool
from .server import MockServer

__all__ = ["InProcessMock", "MockHandle", "MockPool", "MockServer", "MockServerFailure"]
