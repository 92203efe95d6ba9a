"""A stateful mock of the Mixpeek retriever execution API.

::

    from mixpeek_toolkit.mockserver import Settings, create_app
    app = create_app(Settings(seed=42, strict=True))   # a Starlette app; all state lives in it

Serve it with ``mixpeek-mock`` (or ``python -m mixpeek_toolkit.mockserver``). An
:class:`ExecutionStore` other than the bounded :class:`InMemoryExecutionStore` can be passed
as ``create_app(settings, store=...)``. The pytest fixtures and the engine behind them are
in :mod:`mixpeek_toolkit.mockserver.testing`.
"""

from .app import create_app
from .settings import Settings
from .store import ExecutionStore, InMemoryExecutionStore

__all__ = ["ExecutionStore", "InMemoryExecutionStore", "Settings", "create_app"]
