"""Import, before any ``pytester`` run, what the inner runs import lazily.

An in-process ``pytester`` run restores ``sys.modules`` when it ends, dropping the modules
first imported inside it. A module imported again afterwards is a new module object: httpx,
for one, would no longer recognise the new httpcore's exceptions (a refused connection then
surfaces as ``httpcore.ConnectError``, not ``httpx.ConnectError``), PyYAML's C loader would
no longer find its constructors, and the official client would be imported twice (seconds
each time). Importing them first keeps them in the snapshot.
"""

import importlib

IMPORTED_BEFORE_PYTESTER = (
    "anyio.from_thread",
    "httpcore",
    "mixpeek",
    "uvicorn.lifespan.on",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.websockets.auto",
    "mixpeek_toolkit.mockserver.app",
    "mixpeek_toolkit.mockserver.testing",
)


def import_before_pytester() -> None:
    for module in IMPORTED_BEFORE_PYTESTER:
        importlib.import_module(module)
