"""Several worker processes serving one mock: the settings travel to each through the environment.

``mixpeek-mock --workers N --store redis://...`` runs uvicorn with ``workers=N`` and the
app factory :func:`app_from_env`: uvicorn starts N processes that share the listening
socket, and each builds its own app from the :class:`Settings` the command line wrote, as
JSON, into ``MIXPEEK_MOCK_SETTINGS``. Their state is the shared store's, so they answer as
one mock. More than one worker without a shared store is refused.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from .settings import Settings

__all__ = [
    "SETTINGS_ENV",
    "app_from_env",
    "check_workers",
    "settings_from_json",
    "settings_to_json",
]

SETTINGS_ENV = "MIXPEEK_MOCK_SETTINGS"
FACTORY = "mixpeek_toolkit.mockserver.workers:app_from_env"


def check_workers(settings: Settings) -> None:
    """Refuse more than one worker without a shared store (``ValueError``, one sentence)."""
    if settings.workers > 1 and not settings.shared:
        raise ValueError(
            f"{settings.workers} workers need a shared store, since each worker is a separate "
            "process with its own memory: add --store redis://HOST:PORT/DB (see "
            "docs/scaling.md)."
        )


def settings_to_json(settings: Settings) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, frozenset):
            return sorted(value)
        if isinstance(value, Path):
            return str(value)
        return value

    return json.dumps(
        {item.name: plain(getattr(settings, item.name)) for item in dataclasses.fields(Settings)}
    )


def settings_from_json(text: str) -> Settings:
    """The :class:`Settings` :func:`settings_to_json` wrote (checked again)."""
    return Settings(**json.loads(text))


def app_from_env() -> Starlette:
    """uvicorn's app factory in each worker: ``create_app`` with the settings of the command."""
    from .app import create_app

    text = os.environ.get(SETTINGS_ENV)
    if not text:
        raise RuntimeError(
            f"{SETTINGS_ENV} is not set: start the workers with mixpeek-mock --workers N."
        )
    return create_app(settings_from_json(text))


def serve_workers(settings: Settings, log_level: str) -> None:
    """Run ``settings.workers`` uvicorn workers on ``settings.host:settings.port`` until stopped.

    What ``uvicorn.run(..., workers=N)`` does, but on a socket made with ``IPPROTO_TCP``:
    asyncio turns Nagle's algorithm off (``TCP_NODELAY``) only on such sockets, and with
    it on every answer would wait about 40 ms for the client's delayed ACK.
    """
    from uvicorn.supervisors import Multiprocess

    from .serving import uvicorn_config

    check_workers(settings)
    os.environ[SETTINGS_ENV] = settings_to_json(settings)
    config = uvicorn_config(
        FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=log_level,
        access_log=False,
    )
    sock = _listening_socket(settings.host, settings.port)
    try:
        Multiprocess(config, sockets=[sock]).run()
    except KeyboardInterrupt:  # pragma: no cover
        pass
    finally:
        sock.close()


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as problem:
        sock.close()
        raise SystemExit(f"mixpeek-mock: cannot listen on {host}:{port}: {problem}") from None
    sock.set_inheritable(True)
    return sock
