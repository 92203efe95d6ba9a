"""Facts of the contract that the rules judge by, read from spec/openapi.yaml.

The rules never restate the spec: the lifecycle order of statuses, the error type each
HTTP status answers and the implicit page size are extensions of the schemas they belong
to (``x-lifecycle-rank``, ``x-type-by-status``, ``x-default-page-size``).
"""

from __future__ import annotations

from types import MappingProxyType

from .. import spec

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "ERROR_TYPE_BY_STATUS",
    "IN_FLIGHT",
    "STATUS_RANK",
    "TERMINAL",
]

_SCHEMAS = spec.load_openapi()["components"]["schemas"]

#: Position of each status on the one-way lifecycle; terminal statuses share the top rank.
STATUS_RANK = MappingProxyType(dict(_SCHEMAS["KnownExecutionStatus"]["x-lifecycle-rank"]))
TERMINAL = frozenset(s for s, rank in STATUS_RANK.items() if rank == max(STATUS_RANK.values()))
IN_FLIGHT = frozenset(STATUS_RANK) - TERMINAL
#: The error type each HTTP status answers.
ERROR_TYPE_BY_STATUS = MappingProxyType(
    {int(status): kind for status, kind in _SCHEMAS["KnownErrorType"]["x-type-by-status"].items()}
)
#: Page size when neither `pagination` nor a legacy `limit` is sent, and the legacy `limit`'s
#: default.
DEFAULT_PAGE_SIZE: int = _SCHEMAS["ExecuteRetrieverRequest"]["x-default-page-size"]
