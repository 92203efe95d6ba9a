"""A tiny, independent implementation of the contract, written only from spec/openapi.yaml.

It exists to prove the suites never assume the target is our mock: they must pass against
this server as well as against ``mockserver``. It keeps every rule of the contract in the
plainest possible way (one retriever, thirty documents, offset/cursor/scroll/keyset pages,
poll-driven in-flight executions) and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mixpeek_toolkit import spec

RETRIEVERS = {"ret_product_search": "ret_product_search", "product-search": "ret_product_search"}
DOCUMENTS = tuple(
    {
        "document_id": f"doc_{index:03d}",
        "score": round(1.0 - index / 40, 4),
        "collection_id": "col_products",
        "payload": {"text": f"Product {index}", "metadata": {"rank": index}},
    }
    for index in range(30)
)
ERROR_TYPES = {
    400: "BadRequestError",
    401: "UnauthorizedError",
    403: "ForbiddenError",
    404: "NotFoundError",
    422: "ValidationError",
}
STATUS_ORDER = ("pending", "processing", "completed")


class ApiError(Exception):
    def __init__(self, status: int, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.details = status, message, details


@dataclass
class Execution:
    namespace: str
    retriever_id: str
    body: dict[str, Any]
    status: str
    total_stages: int = 2
    stages_completed: int = 0
    created_at: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ"))
    response: dict[str, Any] = field(default_factory=dict)


@dataclass
class ServerState:
    executions: dict[str, Execution] = field(default_factory=dict)
    credits: dict[str, float] = field(default_factory=dict)
    counter: itertools.count = field(default_factory=itertools.count)


def _validator(document: dict[str, Any], name: str) -> jsonschema.Draft202012Validator:
    registry = Registry().with_resource(
        "urn:spec", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return jsonschema.Draft202012Validator(
        {"$ref": f"urn:spec#/components/schemas/{name}"}, registry=registry
    )


def _envelope(status: int, message: str, details: dict[str, Any] | None = None) -> JSONResponse:
    error: dict[str, Any] = {"type": ERROR_TYPES[status], "message": message}
    if details:
        error["details"] = details
    return JSONResponse({"success": False, "status": status, "error": error}, status_code=status)


def _rate_headers() -> dict[str, str]:
    reset = str(int(time.time()) + 60)
    return {
        "X-RateLimit-Limit": "600",
        "X-RateLimit-Remaining": "599",
        "X-RateLimit-Reset": reset,
        "X-RateLimit-Window": "60",
    }


def _encode(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def _decode(token: str, fingerprint: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if data["f"] != fingerprint:
            raise ValueError
        return int(data["o"])
    except Exception as exc:
        raise ApiError(400, "The pagination cursor is invalid.") from exc


def _page(body: dict[str, Any], result: list[dict[str, Any]], fingerprint: str) -> dict[str, Any]:
    total = len(result)
    pagination = body.get("pagination")
    if pagination is None and ("limit" in body or "offset" in body):
        pagination = {"method": "legacy"}
    if pagination is None:
        pagination = {"method": "cursor", "limit": body.get("page_size", 20)}
    method = pagination.get("method", "cursor")
    if method in ("offset", "legacy"):
        if method == "offset":
            size = int(pagination.get("page_size", 10))
            start = (int(pagination.get("page_number", 1)) - 1) * size
        else:
            size = int(body.get("limit", body.get("page_size", 20)))
            start = int(body.get("offset", 0))
        page = result[start : start + size]
        meta = {
            "method": "offset",
            "total": total,
            "limit": size,
            "offset": start,
            "has_next": start + size < total,
            "has_previous": start > 0,
            "returned": len(page),
        }
        return {"documents": page, "pagination": meta}
    size = int(pagination.get("limit", 100 if method == "scroll" else 10))
    token = pagination.get({"cursor": "cursor", "scroll": "scroll_id"}.get(method, "after"))
    if method == "keyset":
        start = _decode(token["token"], fingerprint) if token else 0
    else:
        start = _decode(token, fingerprint) if token else 0
    page = result[start : start + size]
    has_next = start + size < total
    next_token = _encode({"f": fingerprint, "o": start + size}) if has_next else None
    meta: dict[str, Any] = {"method": method, "has_next": has_next, "returned": len(page)}
    meta["total"] = total
    if method == "cursor":
        meta |= {"cursor": next_token, "page_size": size}
    elif method == "scroll":
        meta |= {"scroll_id": next_token, "limit": size}
    else:
        meta |= {"next_cursor": {"token": next_token} if next_token else None, "limit": size}
    return {"documents": page, "pagination": meta}


def create_reference_app() -> Starlette:
    """Build a fresh reference server; all its state lives on ``app.state``."""
    document = spec.load_openapi()
    request_validator = _validator(document, "ExecuteRetrieverRequest")
    state = ServerState()

    def authenticate(request: Request) -> tuple[str, str]:
        auth = request.headers.get("authorization", "")
        if not re.fullmatch(r"Bearer sk_\S+", auth):
            raise ApiError(401, 'Send "Authorization: Bearer sk_...".')
        namespace = request.headers.get("x-namespace")
        if not namespace:
            raise ApiError(400, "The X-Namespace header is required.")
        for name in (
            "return_presigned_urls",
            "return_vectors",
            "explain",
            "skip_cache",
            "include_legacy_results",
        ):
            value = request.query_params.get(name)
            if value is not None and value not in ("true", "false"):
                raise ApiError(422, f"Query parameter {name} must be a boolean.")
        retriever = RETRIEVERS.get(request.path_params["retriever_id"])
        if retriever is None:
            raise ApiError(404, "Retriever not found.")
        return namespace, retriever

    def finish(execution: Execution, execution_id: str) -> None:
        body = execution.body
        inputs = body.get("inputs") or {}
        result = [d for d in DOCUMENTS if d["score"] >= inputs.get("min_score", 0)]
        result = result[: int(inputs.get("top_k", len(result)))]
        if body.get("sort") or body.get("group_by") or body.get("filters"):
            result = result[:0]
        fingerprint = hashlib.sha256(
            json.dumps(
                {k: v for k, v in body.items() if k != "pagination"}, sort_keys=True
            ).encode()
        ).hexdigest()[:16]
        page = _page(body, result, fingerprint)
        credits = state.credits.get(execution.namespace, 100.0)
        used = 0.5 if credits >= 0.5 else 0.0
        state.credits[execution.namespace] = credits - used
        execution.status = "completed"
        execution.stages_completed = execution.total_stages
        execution.response = page | {
            "stage_statistics": {"stages": {}, "total_time_ms": 1.0, "credits_used": used},
            "budget": {
                "credits_used": used,
                "credits_remaining": credits - used,
                "time_used_ms": 1.0,
            },
        }
        if body.get("collection_identifiers") and any(
            c not in ("col_products", "products") for c in body["collection_identifiers"]
        ):
            execution.status = "failed"
            execution.response |= {
                "documents": [],
                "error": "Retriever execution failed: Collection not found",
            }

    def render(execution_id: str, execution: Execution, detail: bool) -> dict[str, Any]:
        in_flight = execution.status in ("pending", "processing")
        base = execution.response or {
            "documents": [],
            "pagination": {"method": "cursor", "cursor": None, "has_next": False, "page_size": 20},
            "stage_statistics": {"stages": {}, "total_time_ms": 0.0, "credits_used": 0.0},
            "budget": {
                "credits_used": 0.0,
                "credits_remaining": state.credits.get(execution.namespace, 100.0),
                "time_used_ms": 0.0,
            },
        }
        body = {
            "retriever_id": execution.retriever_id,
            "execution_id": execution_id,
            "status": execution.status,
            **base,
        }
        body.setdefault("error", None)
        if detail:
            body |= {
                "created_at": execution.created_at,
                "completed_at": None if in_flight else execution.created_at,
                "current_stage": "search" if in_flight else None,
                "stages_completed": execution.stages_completed,
                "total_stages": execution.total_stages,
            }
        return body

    async def execute(request: Request) -> JSONResponse:
        try:
            namespace, retriever = authenticate(request)
            try:
                body = json.loads(await request.body())
            except ValueError as exc:
                raise ApiError(400, "The body is not JSON.") from exc
            errors = list(request_validator.iter_errors(body))
            if errors:
                issues = [
                    {
                        "type": e.validator,
                        "location": ["body", *e.absolute_path],
                        "message": e.message,
                    }
                    for e in errors[:10]
                ]
                raise ApiError(422, "The request is invalid.", {"validation_errors": issues})
        except ApiError as error:
            return _envelope(error.status, error.message, error.details)
        execution_id = f"exec_{next(state.counter):024x}"
        prefer = request.headers.get("prefer", "")
        execution = Execution(namespace, retriever, body, status="completed")
        if "respond-async" in prefer or "outcome=pending" in prefer:
            execution.status = "pending"
        elif "outcome=processing" in prefer:
            execution.status, execution.stages_completed = "processing", 1
        else:
            try:
                finish(execution, execution_id)
            except ApiError as error:
                return _envelope(error.status, error.message)
        state.executions[execution_id] = execution
        return JSONResponse(render(execution_id, execution, False), headers=_rate_headers())

    async def get_execution(request: Request) -> JSONResponse:
        try:
            namespace, retriever = authenticate(request)
            execution_id = request.path_params["execution_id"]
            execution = state.executions.get(execution_id)
            if execution is None or (execution.namespace, execution.retriever_id) != (
                namespace,
                retriever,
            ):
                raise ApiError(404, f"Execution {execution_id!r} not found.")
        except ApiError as error:
            return _envelope(error.status, error.message)
        if execution.status == "pending":
            execution.status = "processing"
        elif execution.status == "processing":
            execution.stages_completed += 1
            if execution.stages_completed >= execution.total_stages:
                finish(execution, execution_id)
        return JSONResponse(render(execution_id, execution, True), headers=_rate_headers())

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
    app.state.reference = state
    return app
