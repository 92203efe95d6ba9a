"""An execute request read once: parsed, checked against the spec, digested.

Downstream CI sends the same request again and again: one query, one page, one
fixture. What an answer owes to the request alone is a pure function of three things
and of the app's contract and settings, which never change:

- the retriever id of the path,
- the query string,
- the body's bytes.

That is the parsed JSON, the 422 checks (the spec's and the generated model's), the
switches of the query string, and the canonical forms that the request fingerprint
and the entity tag digest. :class:`PreparedRequests` keeps the last
:data:`PREPARED_REQUESTS_SIZE` of them by those bytes, so a repeated request goes
straight to its namespace, its retriever and its execution.

Only a request that passes is kept. A refused one is checked afresh each time, and
answers the same error. A body over :data:`PREPARED_BODY_BYTES` is not kept, so the
cache stays small (at most a few MB).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from ..generated.models import ExecuteRetrieverRequest
from .bounded import BoundedDict
from .caching import canonical_json
from .errors import RequestValidationFailed
from .executor import ExecutionOptions
from .paging import fingerprint_json, fingerprint_of
from .validation import OperationContract

__all__ = [
    "PREPARED_BODY_BYTES",
    "PREPARED_REQUESTS_SIZE",
    "PreparedExecute",
    "PreparedRequests",
    "prepare_execute",
    "prepared_from_model",
]

PREPARED_REQUESTS_SIZE = 1_024
"""Distinct execute requests kept per app, the least recently used forgotten first."""
PREPARED_BODY_BYTES = 8_192
"""A larger body is prepared for each request and never kept."""

TRUE = "true"
_DERIVED_KEPT = 16
_ETAG_EXCLUDED = frozenset({"skip_cache", "stream"})
"""Fields that change how a result is delivered, not the result: not in its entity tag."""


@dataclass(frozen=True, slots=True)
class PreparedExecute:
    """One execute request, checked. Shared by every request with the same bytes: read only."""

    body: Any
    """The JSON as sent (the journal keeps it)."""
    request: ExecuteRetrieverRequest
    options: ExecutionOptions
    given_inputs: Mapping[str, Any] | None
    """``inputs`` as sent (unset fields left out), before the retriever's defaults."""
    fingerprint_json: str
    """The request minus its paging fields, as the fingerprint digests it."""
    etag_json: str
    """The request as the entity tag digests it."""
    derived: dict[tuple[Any, ...], str] = field(default_factory=dict, compare=False)
    """What was derived from this request so far (fingerprints and entity tags, by what
    else decides them): a few entries at most, as a request meets few namespaces."""

    def fingerprint(self, namespace: str, retriever_id: str) -> str:
        """:func:`~mixpeek_toolkit.mockserver.paging.request_fingerprint` of this request."""
        return self.derive(
            ("fingerprint", namespace, retriever_id),
            lambda: fingerprint_of(namespace, retriever_id, self.fingerprint_json),
        )

    def derive(self, key: tuple[Any, ...], make: Callable[[], str]) -> str:
        """``make()``, a pure function of this request and ``key``, computed once per key
        (up to :data:`_DERIVED_KEPT` keys; past them, every time)."""
        found = self.derived.get(key)
        if found is None:
            found = make()
            if len(self.derived) < _DERIVED_KEPT:
                self.derived[key] = found
        return found


def prepare_execute(
    body: Any,
    *,
    operation: OperationContract,
    path: Mapping[str, str],
    query: Mapping[str, str],
    max_depth: int,
) -> PreparedExecute:
    """Check ``body`` and the parameters against the spec and the generated model.

    Raises :class:`RequestValidationFailed` (422) listing every problem, parameters
    first. A body nested deeper than ``max_depth`` keeps its own message and code
    (``body_too_deep``) when the parameters are fine.
    """
    issues = operation.validate_parameters(path, query)
    try:
        operation.validate_body(body, max_depth=max_depth)
    except RequestValidationFailed as failed:
        if not issues:
            raise
        issues.extend(failed.issues)
    if issues:
        raise RequestValidationFailed(issues)
    return prepared_from_model(body, _model_of(body), query)


def prepared_from_model(
    body: Any, request: ExecuteRetrieverRequest, query: Mapping[str, str] | None = None
) -> PreparedExecute:
    """A request already parsed into its model (``body`` is what the journal shows)."""
    query = query or {}
    options = ExecutionOptions(
        include_legacy_results=query.get("include_legacy_results", "").lower() == TRUE,
        explain=bool(request.explain) or query.get("explain", "").lower() == TRUE,
        skip_cache=bool(request.skip_cache) or query.get("skip_cache", "").lower() == TRUE,
    )
    canonical = request.model_dump(
        mode="json", exclude_none=True, exclude=set(_ETAG_EXCLUDED), warnings=False
    )
    return PreparedExecute(
        body=body,
        request=request,
        options=options,
        given_inputs=(
            request.inputs.model_dump(exclude_unset=True) if request.inputs is not None else None
        ),
        fingerprint_json=fingerprint_json(request),
        etag_json=canonical_json(canonical),
    )


def _model_of(body: Any) -> ExecuteRetrieverRequest:
    inputs = body.get("inputs") if isinstance(body, dict) else None
    top_k = inputs.get("top_k") if isinstance(inputs, dict) else None
    if isinstance(top_k, float) and top_k.is_integer():  # JSON Schema's integer 1e300 is
        # an integer the ceiling clamps, not a parse error (the journal keeps the body as sent)
        body = {**body, "inputs": {**inputs, "top_k": int(top_k)}}
    try:
        return ExecuteRetrieverRequest.model_validate(body)
    except PydanticValidationError as invalid:  # the schema passed; the models disagree
        raise RequestValidationFailed(
            [
                {"type": e["type"], "location": ["body", *e["loc"]], "message": e["msg"]}
                for e in invalid.errors(include_url=False)
            ]
        ) from None


RequestKey = tuple[str, bytes, bytes]
"""The path's retriever id, the raw query string and the body's bytes."""


class PreparedRequests:
    """The last prepared requests, by their bytes."""

    def __init__(self, max_size: int = PREPARED_REQUESTS_SIZE) -> None:
        self._items: BoundedDict[RequestKey, PreparedExecute] = BoundedDict(
            max_size, evict="least_recent"
        )

    def get(self, key: RequestKey) -> PreparedExecute | None:
        return self._items.get(key)

    def keep(self, key: RequestKey, prepared: PreparedExecute) -> None:
        """Keep ``prepared`` unless its body is over :data:`PREPARED_BODY_BYTES`."""
        if len(key[2]) <= PREPARED_BODY_BYTES:
            self._items.put(key, prepared)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
