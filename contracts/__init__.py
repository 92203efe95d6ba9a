"""Contract suites: verify that any server keeps the contract of spec/openapi.yaml.

``python -m contracts --base-url URL ...`` runs everything against a server; in Python,
describe the server with :class:`Target` and load the Schemathesis schema aimed at it with
:func:`load_schema`. Importing :mod:`contracts.checks` registers the semantic rules as
Schemathesis checks.

The exports load on first use: this package also hosts the pytest plugin
(:mod:`contracts.plugin`), which every pytest run of a project that installed the toolkit
imports, and that must not pay for Schemathesis until a test asks for it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .target import ENV_VARS, Target, load_schema
    from .violations import RuleViolation

__all__ = ["ENV_VARS", "RuleViolation", "Target", "load_schema"]

_HOMES = {
    "ENV_VARS": ".target",
    "Target": ".target",
    "load_schema": ".target",
    "RuleViolation": ".violations",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'contracts' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name], __name__), name)
