"""Facts of the contract that the rules judge by, read from spec/openapi.yaml.

The rules never restate the spec: the statuses the API answers and their lifecycle order,
the statuses that carry an error, what a degraded entry must say, the page size of each
pagination method and the implicit one are read here from the schemas they belong to
(``KnownExecutionStatus`` with ``x-lifecycle-rank`` and ``x-error-statuses``,
``DegradedEntry``, ``x-default-page-size``) or from the generated models; the statuses each
operation documents, and the documented cases in which a valid request is still refused
(``x-documented-refusals`` of the ``BadRequest`` and ``ValidationFailed`` responses), from
the operations.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .. import spec
from ..generated import models
from .exchange import Operation, operation_of

__all__ = [
    "DEFAULT_METHOD",
    "DEFAULT_PAGE_SIZE",
    "DEGRADED_FIELD",
    "DEGRADED_NULLABLE_FIELDS",
    "DEGRADED_REQUIRED_FIELDS",
    "DOCUMENTED_REFUSALS",
    "DOCUMENTED_STATUSES",
    "DOCUMENT_STATUSES",
    "ERROR_STATUSES",
    "IN_FLIGHT",
    "KNOWN_STATUSES",
    "MAX_PAGE_SIZE",
    "OPERATION_IDS",
    "PAGE_SIZE_ALIAS",
    "PAGE_SIZE_FIELD",
    "STATUS_RANK",
    "TERMINAL",
    "TOP_K",
    "Refusal",
]

_DOCUMENT = spec.load_openapi()
_SCHEMAS = _DOCUMENT["components"]["schemas"]
_KNOWN = _SCHEMAS["KnownExecutionStatus"]

#: The statuses the API answers (``KnownExecutionStatus``); any other is unknown to the contract.
KNOWN_STATUSES = frozenset(status.value for status in models.KnownExecutionStatus)
#: Position of each status on the one-way lifecycle; terminal statuses share the top rank.
STATUS_RANK = MappingProxyType(dict(_KNOWN["x-lifecycle-rank"]))
TERMINAL = frozenset(s for s, rank in STATUS_RANK.items() if rank == max(STATUS_RANK.values()))
IN_FLIGHT = frozenset(STATUS_RANK) - TERMINAL
#: The statuses that carry `error` (`failed`); every other known status carries none.
ERROR_STATUSES = frozenset(_KNOWN["x-error-statuses"])
#: Finished without an error, so the answer's documents are a result (`completed`, `degraded`).
DOCUMENT_STATUSES = TERMINAL - ERROR_STATUSES
if set(STATUS_RANK) != KNOWN_STATUSES or not ERROR_STATUSES <= TERMINAL:
    raise RuntimeError(  # pragma: no cover  (a broken spec, caught by tests/spec)
        "spec/openapi.yaml: KnownExecutionStatus must rank every known status, and its "
        "x-error-statuses must be terminal."
    )

_DEGRADED = _SCHEMAS["DegradedEntry"]
#: The response field listing what a degraded run skipped (the list of `DegradedEntry`).
DEGRADED_FIELD: str = next(
    name
    for name, prop in _SCHEMAS["ExecuteRetrieverResponse"]["properties"].items()
    if prop.get("items") == {"$ref": "#/components/schemas/DegradedEntry"}
)
#: Fields every degraded entry must carry (non-empty strings: what was skipped, and why).
DEGRADED_REQUIRED_FIELDS: tuple[str, ...] = tuple(_DEGRADED["required"])
#: Optional fields of a degraded entry that are a string or null.
DEGRADED_NULLABLE_FIELDS: tuple[str, ...] = tuple(
    name
    for name, prop in _DEGRADED["properties"].items()
    if sorted(prop.get("type", [])) == ["null", "string"]
)

#: Page size when neither `pagination` nor a legacy `limit` is sent, and the legacy `limit`'s
#: default.
DEFAULT_PAGE_SIZE: int = _SCHEMAS["ExecuteRetrieverRequest"]["x-default-page-size"]
#: The method of a `pagination` object sent without `method`.
DEFAULT_METHOD: str = models.CursorPaginationParams.model_fields["method"].default


def _page_size_fields() -> dict[str, tuple[str, int, int]]:
    """Each member of `PaginationParams`: its `method`, page-size field, default and maximum."""
    found = {}
    for member in typing.get_args(models.PaginationParams.model_fields["root"].annotation):
        fields = member.model_fields
        (method,) = typing.get_args(fields["method"].annotation)
        name = "page_size" if "page_size" in fields else "limit"
        maximum = next(m.le for m in fields[name].metadata if getattr(m, "le", None) is not None)
        found[method] = (name, fields[name].default, maximum)
    return found


_PAGE_SIZES = _page_size_fields()
#: Page-size field and default of each pagination method, read from the generated models.
PAGE_SIZE_FIELD = MappingProxyType(
    {m: (name, default) for m, (name, default, _) in _PAGE_SIZES.items()}
)
#: The largest page each method may ask for.
MAX_PAGE_SIZE = MappingProxyType({m: maximum for m, (_, _, maximum) in _PAGE_SIZES.items()})
#: The top-level alias of the legacy `limit` (API 0.82); `limit` wins when both are sent.
PAGE_SIZE_ALIAS = "page_size"
#: The input that bounds the whole result, as `limits` entries name it when they clamp it.
TOP_K = "top_k"
for _model, _field in (
    (models.ExecuteRetrieverRequest, PAGE_SIZE_ALIAS),
    (models.ExecuteRetrieverRequest, "limit"),
    (models.RetrieverInputs, TOP_K),
):
    if _field not in _model.model_fields:
        raise RuntimeError(  # pragma: no cover  (a broken spec, caught by tests/contracts)
            f"spec/openapi.yaml: {_model.__name__} no longer declares {_field!r}."
        )


# --- operations, the statuses they document, and the refusals of valid requests ----------------

_HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def _operations() -> dict[str, tuple[Operation, dict[str, Any]]]:
    """Each operation of the spec by its ``operationId``: what an exchange calls it, its object."""
    found = {}
    for template, item in _DOCUMENT["paths"].items():
        for method in _HTTP_METHODS:
            if method in item:
                operation = item[method]
                found[operation["operationId"]] = (operation_of(method, template), operation)
    return found


_OPERATIONS = _operations()
#: The spec's ``operationId`` of each operation an :class:`Exchange` names (``execute``, ...).
OPERATION_IDS: Mapping[Operation, str] = MappingProxyType(
    {kind: operation_id for operation_id, (kind, _) in _OPERATIONS.items()}
)
#: The HTTP statuses each operation documents, by ``operationId``.
DOCUMENTED_STATUSES: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {
        operation_id: tuple(sorted(int(code) for code in operation["responses"] if code.isdigit()))
        for operation_id, (_, operation) in _OPERATIONS.items()
    }
)


@dataclass(frozen=True)
class Refusal:
    """A documented case in which a request that keeps the schemas is still refused."""

    status: int
    code: str
    """The error ``code`` a server answers for this case."""
    operations: frozenset[str]
    when: str
    request_carries: tuple[str, ...] = ()
    """JSON pointers into the request body; the case is about a request carrying one of them."""
    error_types: tuple[str, ...] = ()
    """Signature (422): the ``type`` of every validation error is one of these, when the
    case fixes them (``type``, or a list ``types``)."""
    location_prefixes: tuple[tuple[Any, ...], ...] = ()
    """Signature (422): every validation error's ``location`` starts with one of these."""

    @property
    def has_signature(self) -> bool:
        """Whether the case can be recognised without a ``code``."""
        return bool(self.request_carries or self.error_types or self.location_prefixes)


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        _, _, kind, name = node["$ref"].split("/")
        node = _DOCUMENT["components"][kind][name]
    return node


def _refusals() -> dict[tuple[str, int], tuple[Refusal, ...]]:
    found: dict[tuple[str, int], tuple[Refusal, ...]] = {}
    for operation_id, (_, operation) in _OPERATIONS.items():
        for code, response in operation["responses"].items():
            resolved = _resolve(response)
            if "x-documented-refusals" not in resolved:
                continue
            cases = resolved["x-documented-refusals"]
            refusals = []
            for case in cases:
                signature = case.get("validation-errors", {})
                refusal = Refusal(
                    status=int(code),
                    code=case["code"],
                    operations=frozenset(case["operations"]),
                    when=" ".join(case["when"].split()),
                    request_carries=tuple(case.get("request-carries", ())),
                    error_types=tuple(
                        [signature["type"]] if "type" in signature else signature.get("types", ())
                    ),
                    location_prefixes=tuple(
                        tuple(prefix) for prefix in signature.get("location-prefixes", ())
                    ),
                )
                if operation_id in refusal.operations:
                    refusals.append(refusal)
            found[(operation_id, int(code))] = tuple(refusals)
    return found


#: The documented refusals of valid requests, by ``(operationId, HTTP status)``, for each
#: status whose response lists them (``x-documented-refusals``; empty when none applies to
#: the operation). A valid request refused with such a status must be one of its cases.
DOCUMENTED_REFUSALS: Mapping[tuple[str, int], tuple[Refusal, ...]] = MappingProxyType(_refusals())
