"""What a broken rule raises.

Every semantic rule fails with a :class:`RuleViolation` (an ``AssertionError``, so
Schemathesis and pytest report it as a failed check), whose message starts with the
rule's name::

    AssertionError
     +-- RuleViolation                  rule, explanation
          +-- LifecycleViolation        status, error, degraded entries, progress, terminal
          |                             states, read-back
          +-- ResultViolation           ordering, uniqueness, page size, min_score
          +-- PaginationViolation       metadata vs documents, walking all pages
          +-- BudgetViolation           credits and budget figures
          +-- ErrorEnvelopeViolation    the error envelope of 4xx/5xx answers
          +-- AccessViolation           namespaces and authentication
          +-- RefusalViolation          a valid request refused in an undocumented case
"""

from __future__ import annotations

__all__ = [
    "AccessViolation",
    "BudgetViolation",
    "ErrorEnvelopeViolation",
    "LifecycleViolation",
    "PaginationViolation",
    "RefusalViolation",
    "ResultViolation",
    "RuleViolation",
]


class RuleViolation(AssertionError):
    """A semantic rule of the contract did not hold."""

    def __init__(self, *, rule: str, explanation: str) -> None:
        self.rule = rule
        self.explanation = explanation
        super().__init__(f"[{rule}] {explanation}")


class LifecycleViolation(RuleViolation):
    """An execution's status, error, degraded entries, progress or identity is incoherent."""


class ResultViolation(RuleViolation):
    """A page of documents breaks ordering, uniqueness, size or score bounds."""


class PaginationViolation(RuleViolation):
    """Pagination metadata disagrees with the documents, or pages do not add up."""


class BudgetViolation(RuleViolation):
    """Budget figures are negative, disagree with each other, or grow."""


class ErrorEnvelopeViolation(RuleViolation):
    """An error answer does not use the documented envelope for its status."""


class AccessViolation(RuleViolation):
    """A request reached data it must not: another namespace, or no valid credentials."""


class RefusalViolation(RuleViolation):
    """A request that keeps the schemas was refused in a case the spec does not document."""
