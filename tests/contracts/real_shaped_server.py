"""A server shaped like the real Mixpeek API today, written from FACTS.md alone.

It answers what FACTS.md ("The real API today, beyond the seeds") says the real service
answers, wherever the seeds leave room, and is otherwise correct. The contract suites must
find no broken rule here: every difference from the seeds' examples below is something the
real API does, so a rule that fails on it cries wolf.

- every third execution is ``degraded`` (it finished but skipped a stage; its documents are
  complete and usable) and says what it skipped in ``degraded``;
- answers carry fields the spec does not declare (``learned_fusion_context``,
  ``enrichment_skipped``), ``trace_id``, ``warnings``, ``limits``, ``cache_hit``/``cached_at``,
  ``optimization_applied``, ``consistency_mode``; stage statistics carry ``cache_hit: null``,
  ``llm_calls``, ``tokens_used`` and ``server_service_ms``;
- pagination metadata comes in API 0.82's shapes: offset ``{method, page_number, page_size,
  returned, total, has_next}``, cursor ``{method, limit, returned, total, cursor,
  has_next}``, scroll ``{method, scroll_id, limit, returned, total, has_next}``, keyset
  ``{method, limit, returned, total, after}``; a ``pagination`` without ``method`` is cursor
  and a top-level ``page_size`` is an alias of ``limit``;
- a ``top_k`` above the ceiling (50) is clamped and reported in ``limits``;
- get-execution keeps statistics, not rows: ``documents: []``, ``documents_retained:
  false``, ``total_returned``;
- the retriever is addressed by its id (``ret_product_search``) or by its name
  (``Product Search``, with a space);
- error envelopes often leave ``success`` out, ``details`` may be null, and ``explain=true``
  is ``403 NotEnabledError`` (explain plans are not enabled for this organisation);
- answers carry rate-limit headers; execute answers carry ``ETag``, ``Cache-Control`` and
  ``X-Cache``, and ``If-None-Match`` with the ETag answers ``304`` with no body;
- ``"stream": true`` answers Server-Sent Events.

It validates request bodies against the request schema of spec/openapi.yaml (what to refuse
is the contract's business); everything it answers is its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jsonschema
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from mixpeek_toolkit import spec

__all__ = ["RETRIEVER_ID", "RETRIEVER_NAME", "create_real_shaped_app"]

RETRIEVER_ID = "ret_product_search"
RETRIEVER_NAME = "Product Search"
COLLECTIONS = {"col_products", "products"}
TOP_K_CEILING = 50
DEGRADED_EVERY = 3
STARTING_CREDITS = 10_000.0
CREDITS_PER_RUN = 0.25
RATE_LIMIT, RATE_WINDOW = 100_000, 60
MAX_FILTER_DEPTH = 5
STAGE = "semantic_search"
_SIGNING_KEY = b"real-shaped-server"
_QUERY_FLAGS = (
    "return_presigned_urls",
    "return_vectors",
    "explain",
    "skip_cache",
    "include_legacy_results",
)
_CATEGORIES = ("audio", "video", "kitchen", "outdoor")
DOCUMENTS: tuple[dict[str, Any], ...] = tuple(
    {
        "document_id": f"doc_{index:03d}",
        "collection_id": "col_products",
        "base_score": round(0.99 - index * 0.021, 4),
        "payload": {
            "text": f"Product {index}: wireless headphones, model {index}",
            "metadata": {"category": _CATEGORIES[index % 4], "year": 2015 + index % 10},
        },
    }
    for index in range(40)
)


class ApiError(Exception):
    """An error answer: the HTTP status, the type and the message of the envelope."""

    def __init__(
        self, status: int, kind: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.details = status, kind, message, details


# --- documents, filters, ranking ------------------------------------------------------------


def _path(document: dict[str, Any], dotted: str) -> Any:
    node: Any = document
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, dict) and "payload" in node and part in node["payload"]:
            node = node["payload"][part]
        else:
            return None
    return node


def _compare(left: Any, operator: str, right: Any) -> bool:
    try:
        match operator:
            case "eq":
                return left == right
            case "ne":
                return left != right
            case "in":
                return isinstance(right, list) and left in right
            case "nin":
                return isinstance(right, list) and left not in right
            case "gt":
                return left is not None and left > right
            case "gte":
                return left is not None and left >= right
            case "lt":
                return left is not None and left < right
            case "lte":
                return left is not None and left <= right
            case "contains":
                return isinstance(left, str | list) and right in left
            case "exists":
                return (left is not None) == (right is not False)
            case "is_null":
                return (left is None) == (right is not False)
            case _:
                return str(right).lower() in str(left).lower()
    except TypeError:
        return False


def _depth(node: Any) -> int:
    if isinstance(node, dict):
        return 1 + max((_depth(v) for k, v in node.items() if k in ("AND", "OR", "NOT")), default=0)
    if isinstance(node, list):
        return max((_depth(item) for item in node), default=0)
    return 0


def _matches(document: dict[str, Any], node: Any) -> bool:
    if not isinstance(node, dict):
        return True
    if "field" in node and set(node) <= {"field", "operator", "value"}:
        return _compare(
            _path(document, node["field"]), node.get("operator", "eq"), node.get("value")
        )
    results = []
    for key, value in node.items():
        if key == "AND":
            results.append(all(_matches(document, item) for item in value))
        elif key == "OR":
            results.append(any(_matches(document, item) for item in value) if value else True)
        elif key == "NOT":
            results.append(not any(_matches(document, item) for item in value))
        elif key != "case_sensitive":
            results.append(_compare(_path(document, key), "eq", value))
    return all(results)


def _score(document: dict[str, Any], query: str) -> float:
    words = {word for word in query.lower().split() if word}
    bonus = 0.005 * len(words & set(document["payload"]["text"].lower().replace(",", "").split()))
    return round(min(1.0, document["base_score"] + bonus), 4)


def _sort_key(sort: dict[str, Any] | None) -> tuple[str, bool]:
    if not sort:
        return "score", True
    return sort["field"], sort.get("direction", "desc") == "desc"


def _rank(body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ranked result of a request, and the `limits` it hit."""
    inputs = body.get("inputs") or {}
    query = str(inputs.get("query", ""))
    documents = [
        {**{k: v for k, v in d.items() if k != "base_score"}, "score": _score(d, query)}
        for d in DOCUMENTS
        if _matches(d, body.get("filters"))
    ]
    min_score = inputs.get("min_score")
    if isinstance(min_score, int | float) and not isinstance(min_score, bool):
        documents = [d for d in documents if d["score"] >= min_score]
    field_name, descending = _sort_key(body.get("sort"))

    def value_of(document: dict[str, Any]) -> Any:
        value = document["score"] if field_name == "score" else _path(document, field_name)
        return (
            value if isinstance(value, int | float | str) and not isinstance(value, bool) else None
        )

    # Ties in document_id order; numbers, then strings, then documents without the field.
    documents.sort(key=lambda d: d["document_id"])
    numbers = [d for d in documents if isinstance(value_of(d), int | float)]
    strings = [d for d in documents if isinstance(value_of(d), str)]
    missing = [d for d in documents if value_of(d) is None]
    for group in (numbers, strings):
        group.sort(key=value_of, reverse=descending)
    documents = numbers + strings + missing
    group_by = body.get("group_by")
    if group_by:
        kept: dict[str, int] = {}
        grouped = []
        for document in documents:
            group = json.dumps(_path(document, group_by["field"]), sort_keys=True)
            if kept.get(group, 0) < int(group_by.get("max_features", 1)):
                kept[group] = kept.get(group, 0) + 1
                grouped.append({**document, "group_key": _path(document, group_by["field"])})
        documents = grouped
    limits = []
    top_k = inputs.get("top_k")
    if isinstance(top_k, int | float) and not isinstance(top_k, bool):
        applied = min(int(top_k), TOP_K_CEILING)
        if top_k > TOP_K_CEILING:
            limits.append(
                {
                    "name": "top_k",
                    "requested": int(top_k),
                    "applied": applied,
                    "ceiling": TOP_K_CEILING,
                    "stage": STAGE,
                }
            )
        documents = documents[:applied]
    return documents, limits


def _select(document: dict[str, Any], select: list[str] | None) -> dict[str, Any]:
    if not select:
        return document
    kept = {"document_id": document["document_id"], "score": document["score"]}
    for dotted in select:
        value = _path(document, dotted)
        if value is None:
            continue
        parts = dotted.split(".")
        node = kept
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return kept


# --- pagination (API 0.82 shapes) ---------------------------------------------------------------


def _sign(data: dict[str, Any]) -> str:
    raw = json.dumps(data, sort_keys=True).encode()
    mac = hmac.new(_SIGNING_KEY, raw, hashlib.sha256).hexdigest()[:16]
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") + "." + mac


def _unsign(token: Any, fingerprint: str) -> dict[str, Any]:
    try:
        encoded, mac = str(token).rsplit(".", 1)
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        expected = hmac.new(_SIGNING_KEY, raw, hashlib.sha256).hexdigest()[:16]
        data = json.loads(raw)
        if not hmac.compare_digest(mac, expected) or data["f"] != fingerprint:
            raise ValueError
        return data
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError(
            400, "BadRequestError", "The pagination token is invalid for this query.", None
        ) from exc


def _page(
    body: dict[str, Any], result: list[dict[str, Any]], fingerprint: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    total = len(result)
    pagination = body.get("pagination")
    if pagination is None and ("limit" in body or "offset" in body):
        size = int(body.get("limit", body.get("page_size", 20)))
        start = int(body.get("offset", 0))
        page = result[start : start + size]
        return page, {
            "method": "offset",
            "total": total,
            "limit": size,
            "offset": start,
            "returned": len(page),
            "has_next": start + size < total,
            "has_previous": start > 0,
        }
    if pagination is None:
        pagination = {"method": "cursor", "limit": int(body.get("page_size", 20))}
    method = pagination.get("method", "cursor")
    if method == "offset":
        size, number = int(pagination.get("page_size", 10)), int(pagination.get("page_number", 1))
        start = (number - 1) * size
        page = result[start : start + size]
        return page, {
            "method": "offset",
            "page_number": number,
            "page_size": size,
            "returned": len(page),
            "total": total,
            "has_next": start + size < total,
        }
    size = int(pagination.get("limit", 100 if method == "scroll" else 10))
    if method == "keyset":
        start = 0
        after = pagination.get("after")
        if after is not None:
            field_name, _ = _sort_key(body.get("sort"))
            ids = [d["document_id"] for d in result]
            if field_name not in after or after.get("document_id") not in ids:
                raise ApiError(
                    400,
                    "BadRequestError",
                    f"`after` must carry {field_name!r} and the document_id of a document "
                    "of this result.",
                )
            start = ids.index(after["document_id"]) + 1
        page = result[start : start + size]
        last = page[-1] if page else None
        marker = None
        if last is not None and start + size < total:
            field_name, _ = _sort_key(body.get("sort"))
            value = last["score"] if field_name == "score" else _path(last, field_name)
            marker = {field_name: value, "document_id": last["document_id"]}
        return page, {
            "method": "keyset",
            "limit": size,
            "returned": len(page),
            "total": total,
            "after": marker,
        }
    name = "scroll_id" if method == "scroll" else "cursor"
    token = pagination.get(name)
    data = _unsign(token, fingerprint) if token is not None else {"o": 0}
    if method == "scroll" and data.get("x", float("inf")) < time.time():
        raise ApiError(400, "BadRequestError", "The scroll context has expired.")
    start = int(data["o"])
    page = result[start : start + size]
    has_next = start + size < total
    next_token = None
    if has_next:
        following: dict[str, Any] = {"f": fingerprint, "o": start + size}
        if method == "scroll":
            following["x"] = time.time() + int(pagination.get("scroll_ttl", 300))
        next_token = _sign(following)
    meta = {"method": method, "limit": size, "returned": len(page), "total": total}
    return page, {**meta, name: next_token, "has_next": has_next}


# --- executions -----------------------------------------------------------------------------------


@dataclass
class Run:
    """A finished execution, as the server keeps it: statistics, not rows."""

    namespace: str
    execution_id: str
    answer: dict[str, Any]
    created_at: str
    completed_at: str


@dataclass
class State:
    runs: dict[str, Run] = field(default_factory=dict)
    credits: dict[str, float] = field(default_factory=dict)
    cache: dict[str, tuple[float, list[dict[str, Any]], dict[str, Any]]] = field(
        default_factory=dict
    )
    requests: dict[str, list[float]] = field(default_factory=dict)
    counter: Iterator[int] = field(default_factory=itertools.count)
    answered: Counter[str] = field(default_factory=Counter)
    """What the server answered, for tests to see what a run met: execution statuses,
    ``<HTTP status> <error type>``, ``statistics-only read-back``, ``304``."""


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _fingerprint(namespace: str, body: dict[str, Any]) -> str:
    query = {
        key: body.get(key)
        for key in ("inputs", "filters", "sort", "group_by", "collection_identifiers", "select")
    }
    raw = json.dumps([namespace, RETRIEVER_ID, query], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def _envelope(error: ApiError, headers: dict[str, str] | None = None) -> JSONResponse:
    detail: dict[str, Any] = {"type": error.kind, "message": error.message}
    if error.details is not None or error.status == 400:
        detail["details"] = error.details  # the API answers `details: null` as often as not
    body: dict[str, Any] = {"status": error.status, "error": detail}
    if error.status not in (401, 404):  # `success` may be absent; it defaults to false
        body = {"success": False, **body}
    return JSONResponse(body, status_code=error.status, headers=headers)


def create_real_shaped_app() -> Starlette:
    """Build a fresh server; all its state lives on ``app.state``."""
    document = spec.load_openapi()
    validator = jsonschema.Draft202012Validator(
        spec.schema_for({"$ref": "#/components/schemas/ExecuteRetrieverRequest"}, document)
    )
    state = State()

    def rate_headers(api_key: str) -> dict[str, str]:
        now = time.time()
        window = [t for t in state.requests.get(api_key, []) if t > now - RATE_WINDOW][-RATE_LIMIT:]
        window.append(now)
        state.requests[api_key] = window[-1000:]
        return {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(max(0, RATE_LIMIT - len(window))),
            "X-RateLimit-Reset": str(int(now) + RATE_WINDOW),
            "X-RateLimit-Window": str(RATE_WINDOW),
        }

    def authenticate(request: Request) -> tuple[str, str]:
        authorization = request.headers.get("authorization", "")
        scheme, _, key = authorization.partition(" ")
        if scheme != "Bearer" or not key.startswith("sk_") or len(key) < 4 or " " in key:
            raise ApiError(
                401, "UnauthorizedError", 'Send your API key as "Authorization: Bearer sk_...".'
            )
        namespace = request.headers.get("x-namespace", "")
        if not namespace:
            raise ApiError(400, "BadRequestError", "The X-Namespace header is required.")
        for flag in _QUERY_FLAGS:
            value = request.query_params.get(flag)
            if value is not None and value not in ("true", "false"):
                raise ApiError(
                    422,
                    "ValidationError",
                    "The request is invalid.",
                    {
                        "validation_errors": [
                            {
                                "type": "bool_parsing",
                                "location": ["query", flag],
                                "message": "Input should be a valid boolean",
                            }
                        ]
                    },
                )
        if request.path_params["retriever_id"] not in (RETRIEVER_ID, RETRIEVER_NAME):
            raise ApiError(
                404,
                "NotFoundError",
                f"Retriever {request.path_params['retriever_id']!r} not found in namespace "
                f"{namespace!r}.",
            )
        return key, namespace

    async def read_body(request: Request) -> dict[str, Any]:
        try:
            body = json.loads(await request.body())
        except ValueError as exc:
            raise ApiError(400, "BadRequestError", "The body is not JSON.") from exc
        problems = [
            {
                "type": error.validator,
                "location": ["body", *error.absolute_path],
                "message": error.message[:200],
            }
            for error in itertools.islice(validator.iter_errors(body), 10)
        ]
        if not problems and _depth(body.get("filters")) > MAX_FILTER_DEPTH:
            problems = [
                {
                    "type": "too_deep",
                    "location": ["body", "filters"],
                    "message": f"Filters nest at most {MAX_FILTER_DEPTH} levels.",
                }
            ]
        if problems:
            raise ApiError(
                422, "ValidationError", "The request is invalid.", {"validation_errors": problems}
            )
        return body

    def flag(request: Request, body: dict[str, Any], name: str) -> bool:
        return body.get(name) is True or request.query_params.get(name) == "true"

    def run(namespace: str, body: dict[str, Any], request: Request) -> tuple[dict, str, bool]:
        """Run the retriever; answer the execution, its ETag, and whether the cache answered."""
        number = next(state.counter)
        execution_id = "exec_" + hashlib.sha256(f"run-{number}".encode()).hexdigest()[:24]
        fingerprint = _fingerprint(namespace, body)
        etag = '"' + hashlib.sha256(
            json.dumps([fingerprint, body.get("pagination"), body.get("limit"),
                        body.get("offset"), body.get("page_size")], sort_keys=True,
                       default=str).encode()
        ).hexdigest()[:16] + '"'  # fmt: skip
        answer: dict[str, Any] = {
            "retriever_id": RETRIEVER_ID,
            "execution_id": execution_id,
            "trace_id": f"trace_{number:08x}",
            "warnings": [],
            "optimization_applied": False,
            "consistency_mode": (body.get("consistency") or {}).get("mode", "strong"),
            "learned_fusion_context": None,
            "enrichment_skipped": False,
        }
        if body.get("retriever_id") not in (None, RETRIEVER_ID, RETRIEVER_NAME):
            answer["warnings"].append(
                f"retriever_id {body['retriever_id']!r} in the body names another retriever; "
                f"the path's retriever {RETRIEVER_ID!r} ran."
            )
        if body.get("pagination") is not None and ("limit" in body or "offset" in body):
            answer["warnings"].append("pagination was sent: limit and offset were ignored.")
        credits = state.credits.get(namespace, STARTING_CREDITS)
        unknown = set(body.get("collection_identifiers") or ()) - COLLECTIONS
        cache_key = json.dumps([fingerprint, etag], sort_keys=True)
        cached = None if flag(request, body, "skip_cache") else state.cache.get(cache_key)
        if unknown or credits < CREDITS_PER_RUN:
            error = (
                "Retriever execution failed: Collection not found"
                if unknown
                else "Budget exceeded: Maximum credits limit reached"
            )
            answer |= {
                "status": "failed",
                "error": error,
                "documents": [],
                "pagination": {
                    "method": "cursor",
                    "limit": 20,
                    "returned": 0,
                    "total": 0,
                    "cursor": None,
                    "has_next": False,
                },
                "stage_statistics": {"stages": {}, "total_time_ms": 0.0, "credits_used": 0.0},
                "budget": {"credits_used": 0.0, "credits_remaining": credits, "time_used_ms": 0.0},
                "cache_hit": False,
                "cached_at": None,
            }
            return answer, etag, False
        if cached is not None:
            cached_at, page, meta = cached
            used = 0.0
        else:
            result, limits = _rank(body)
            page, meta = _page(body, result, fingerprint)
            page = [_select(d, body.get("select")) for d in page]
            cached_at, used = time.time(), CREDITS_PER_RUN
            state.cache[cache_key] = (cached_at, page, meta)
            if limits:
                answer["limits"] = limits
        state.credits[namespace] = credits - used
        duration = 3.5 + len(page) * 0.1
        statistics = {
            "stages": {
                STAGE: {
                    "input_count": len(DOCUMENTS),
                    "output_count": meta["total"],
                    "duration_ms": duration,
                    "efficiency": round(meta["total"] / len(DOCUMENTS), 4),
                    "cache_hit": None,
                    "llm_calls": 0,
                    "tokens_used": 0,
                    "stage_cache_hit": None,
                    "cached_at": None,
                }
            },
            "total_time_ms": duration,
            "credits_used": used,
            "server_service_ms": duration + 1.5,
        }
        answer |= {
            "status": "completed",
            "documents": page,
            "pagination": meta,
            "stage_statistics": statistics,
            "budget": {
                "credits_used": used,
                "credits_remaining": credits - used,
                "time_used_ms": duration,
            },
            "cache_hit": cached is not None,
            "cached_at": cached_at if cached is not None else None,
        }
        if number % DEGRADED_EVERY == DEGRADED_EVERY - 1:
            answer["status"] = "degraded"
            answer["degraded"] = [
                {
                    "resource": "stage",
                    "id": None,
                    "reason": "Stage 'highlight' timed out; documents carry no highlights.",
                    "next_step": "Retry the request to get highlights.",
                    "stage": None,
                }
            ]
            answer["completeness"] = {"highlight": "skipped"}
        if body.get("target_collection_id"):
            answer["written_to"] = {
                "collection_id": body["target_collection_id"],
                "count": len(page),
            }
        if flag(request, body, "include_legacy_results"):
            answer["results"] = list(page)
        return answer, etag, cached is not None

    def remember(namespace: str, answer: dict[str, Any], started: str) -> None:
        state.runs[answer["execution_id"]] = Run(
            namespace=namespace,
            execution_id=answer["execution_id"],
            answer={k: v for k, v in answer.items() if k not in ("documents", "results")}
            | {"total_returned": len(answer["documents"])},
            created_at=started,
            completed_at=_now(),
        )

    def stream(answer: dict[str, Any]) -> Iterator[str]:
        base = {"execution_id": answer["execution_id"], "stage_name": STAGE, "total_stages": 1}
        yield (
            "data: " + json.dumps({"event_type": "stage_start", **base, "stage_index": 0}) + "\n\n"
        )
        if answer["status"] == "failed":
            event = {
                "event_type": "execution_error",
                **base,
                "stage_index": 0,
                "error": answer["error"],
            }
            yield "data: " + json.dumps(event) + "\n\n"
            return
        statistics = answer["stage_statistics"]["stages"][STAGE]
        event = {"event_type": "stage_complete", **base, "stage_index": 0, "statistics": statistics}
        yield "data: " + json.dumps(event) + "\n\n"
        event = {
            "event_type": "execution_complete",
            **base,
            "stage_index": 0,
            "documents": answer["documents"],
            "pagination": answer["pagination"],
            "budget_used": answer["budget"],
        }
        yield "data: " + json.dumps(event) + "\n\n"

    async def execute(request: Request) -> Response:
        headers: dict[str, str] = {}
        try:
            key, namespace = authenticate(request)
            headers = rate_headers(key)
            body = await read_body(request)
            if flag(request, body, "explain"):
                raise ApiError(
                    403,
                    "NotEnabledError",
                    "Explain plans are not enabled for this organization; contact support.",
                )
            started = _now()
            answer, etag, hit = run(namespace, body, request)
        except ApiError as error:
            state.answered[f"{error.status} {error.kind}"] += 1
            return _envelope(error, headers)
        if request.headers.get("if-none-match") == etag and answer["status"] != "failed":
            state.answered["304"] += 1
            return Response(status_code=304, headers={**headers, "ETag": etag})
        state.answered[answer["status"]] += 1
        remember(namespace, answer, started)
        headers |= {
            "ETag": etag,
            "Cache-Control": "private, max-age=0, must-revalidate",
            "X-Cache": "HIT" if hit else "MISS",
        }
        if body.get("stream") is True:
            return StreamingResponse(
                stream(answer), media_type="text/event-stream", headers=headers
            )
        return JSONResponse(answer, headers=headers)

    async def get_execution(request: Request) -> Response:
        headers: dict[str, str] = {}
        try:
            key, namespace = authenticate(request)
            headers = rate_headers(key)
            execution_id = request.path_params["execution_id"]
            stored = state.runs.get(execution_id)
            if stored is None or stored.namespace != namespace:
                raise ApiError(404, "NotFoundError", f"Execution {execution_id!r} not found.")
        except ApiError as error:
            state.answered[f"{error.status} {error.kind}"] += 1
            return _envelope(error, headers)
        state.answered["statistics-only read-back"] += 1
        answer = {
            **stored.answer,
            "documents": [],
            "documents_retained": False,
            "created_at": stored.created_at,
            "completed_at": stored.completed_at,
            "current_stage": None,
            "stages_completed": 1,
            "total_stages": 1,
        }
        return JSONResponse(answer, headers=headers)

    app = Starlette(
        routes=[
            Route("/v1/retrievers/{retriever_id}/execute", execute, methods=["POST"]),
            Route(
                "/v1/retrievers/{retriever_id}/executions/{execution_id}",
                get_execution,
                methods=["GET"],
            ),
        ]
    )
    app.state.real_shaped = state
    return app
