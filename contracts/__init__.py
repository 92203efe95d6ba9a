"""Contract suites: verify that any server keeps the contract of spec/openapi.yaml.

``python -m contracts --base-url URL ...`` runs everything against a server; in Python,
describe the server with :class:`Target` and load the Schemathesis schema aimed at it with
:func:`load_schema`. Importing :mod:`contracts.checks` registers the semantic rules as
Schemathesis checks.
"""

from __future__ import annotations

from .target import ENV_VARS, Target, load_schema
from .violations import RuleViolation

__all__ = ["ENV_VARS", "RuleViolation", "Target", "load_schema"]
