"""Bugs of the mock: exceptions nobody meant, kept on the app and logged with their traceback.

An :class:`~mixpeek_toolkit.mockserver.errors.ApiError` is an answer the mock means to
give, a scripted ``Prefer: status=500`` included. Any other exception that reaches the
edge of a request (and a strict-mode contract violation) is a bug of the mock. The
client still gets a 500 in the error envelope, but the bug is not lost in it:

- it is logged at ERROR level with its traceback, by the logger
  ``mixpeek_toolkit.mockserver`` (the command line prints it on stderr);
- it is kept in the app's :class:`BugLog` (``app.state.mock.bugs``), which the testing
  engine drains to fail the test that caused it
  (:class:`~mixpeek_toolkit.mockserver.testing.MockServerFailure`).

Log lines are redacted: no API key or control token is ever written whole.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections import deque
from collections.abc import Iterable

from .secrecy import redact_text

__all__ = ["LOGGER_NAME", "BugLog"]

LOGGER_NAME = "mixpeek_toolkit.mockserver"
KEPT_BUGS = 100
"""Bugs kept until taken; older ones are dropped (a server nobody reads stays bounded)."""

logger = logging.getLogger(LOGGER_NAME)


class BugLog:
    """The unexpected exceptions of one app, oldest first, until taken (thread-safe)."""

    def __init__(self, *, secrets: Iterable[str] = (), size: int = KEPT_BUGS) -> None:
        self._secrets = tuple(secret for secret in secrets if secret)
        self._errors: deque[BaseException] = deque(maxlen=size)
        self._lock = threading.Lock()
        self.count = 0
        """How many bugs were recorded since the app was built (taken or not)."""

    def record(self, error: BaseException, *, where: str) -> None:
        """Keep ``error`` and log it with its traceback (``where``: e.g. ``POST /v1/...``)."""
        with self._lock:
            self._errors.append(error)
            self.count += 1
        self._log(error, where)

    def take(self) -> list[BaseException]:
        """The bugs recorded since the last call, oldest first."""
        with self._lock:
            errors = list(self._errors)
            self._errors.clear()
        return errors

    def __len__(self) -> int:
        return len(self._errors)

    def _log(self, error: BaseException, where: str) -> None:
        """``logger.exception``, with the message and the traceback redacted."""
        if not logger.isEnabledFor(logging.ERROR):
            return
        message = (
            f"Unexpected error in the mock while answering {where}: {type(error).__name__}. "
            "The client got a 500; this is a bug of the mock, not a scripted answer."
        )
        record = logger.makeRecord(
            logger.name,
            logging.ERROR,
            __file__,
            0,
            redact_text(message, self._secrets),
            (),
            (type(error), error, error.__traceback__),
            func="record",
        )
        # Formatters print exc_text when it is set: the redacted traceback, never the raw one.
        text = "".join(traceback.format_exception(error)).rstrip("\n")
        record.exc_text = redact_text(text, self._secrets)
        logger.handle(record)
