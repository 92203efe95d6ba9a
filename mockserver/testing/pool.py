"""One mock per distinct ``Settings``, and the per-test options of the ``mixpeek_mock`` marker."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .in_process import InProcessMock
from .server import MockServer

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_NAMESPACE",
    "HANDLE_OPTIONS",
    "MockPool",
    "default_credentials",
    "split_marker_options",
]

DEFAULT_API_KEY = "sk_test_mixpeek_mock"
DEFAULT_NAMESPACE = "pytest"
HANDLE_OPTIONS = frozenset({"api_key", "namespace"})
"""Marker options that configure the handle rather than the server's ``Settings``."""


class MockPool:
    """Starts a live server or an in-process app once per distinct ``Settings``; stops them all.

    Tests that share settings share a mock (reset before each test); a test whose marker asks
    for other settings gets its own, started on first use and reused by later tests that ask
    for the same settings.
    """

    def __init__(self) -> None:
        self._servers: dict[Settings, MockServer] = {}
        self._in_process: dict[Settings, InProcessMock] = {}

    def server(self, settings: Settings) -> MockServer:
        if settings not in self._servers:
            self._servers[settings] = MockServer(settings).start()
        return self._servers[settings]

    def in_process(self, settings: Settings) -> InProcessMock:
        if settings not in self._in_process:
            self._in_process[settings] = InProcessMock(settings).start()
        return self._in_process[settings]

    def close(self) -> None:
        """Stop every mock; raise the first failure to stop after trying them all."""
        failures: list[BaseException] = []
        mocks: list[MockServer | InProcessMock] = [
            *self._servers.values(),
            *self._in_process.values(),
        ]
        self._servers.clear()
        self._in_process.clear()
        for mock in mocks:
            try:
                mock.stop()
            except Exception as error:
                failures.append(error)
        if failures:
            raise failures[0]


def split_marker_options(
    base: Settings, options: Mapping[str, Any]
) -> tuple[Settings, dict[str, Any]]:
    """Split ``@pytest.mark.mixpeek_mock(...)`` options into ``Settings`` and handle options."""
    fields = {field.name for field in dataclasses.fields(base)}
    unknown = sorted(set(options) - fields - HANDLE_OPTIONS)
    if unknown:
        raise ValueError(
            f"@pytest.mark.mixpeek_mock got unknown option(s) {', '.join(unknown)}; it accepts "
            f"the mockserver.Settings fields ({', '.join(sorted(fields))}) and "
            f"{', '.join(sorted(HANDLE_OPTIONS))}."
        )
    settings_changes = {key: value for key, value in options.items() if key in fields}
    handle_options = {key: value for key, value in options.items() if key in HANDLE_OPTIONS}
    settings = dataclasses.replace(base, **settings_changes) if settings_changes else base
    return settings, handle_options


def default_credentials(settings: Settings) -> tuple[str, str]:
    """An API key and a namespace the given settings accept."""
    api_key = min(settings.api_keys) if settings.api_keys else DEFAULT_API_KEY
    namespace = min(settings.namespaces) if settings.namespaces else DEFAULT_NAMESPACE
    return api_key, namespace
