"""Deliberately broken implementations: the mock, wrapped so that it breaks exactly one rule.

Each :class:`Breakage` wraps any ASGI app (``create_app(Settings(...))``) in a middleware
that rewrites requests or JSON responses in one way. The contract suite must fail on each
of them, naming ``rule``, and pass on the unbroken mock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Json = Any
Scope = dict[str, Any]


def _is_get(scope: Scope) -> bool:
    return scope["method"] == "GET"


class Rewriting:
    """ASGI middleware: optionally rewrites the request (scope, body) and the JSON response."""

    def __init__(
        self,
        app: Any,
        *,
        request: Callable[[Scope, Json], Json] | None = None,
        response: Callable[[Scope, int, Json], tuple[int, Json]] | None = None,
    ) -> None:
        self.app, self.rewrite_request, self.rewrite_response = app, request, response

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        if self.rewrite_request is not None:
            try:
                parsed = json.loads(body) if body else None
            except ValueError:
                parsed = None
            rewritten = self.rewrite_request(scope, parsed)
            if parsed is not None and rewritten is not None:
                body = json.dumps(rewritten).encode()
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        if self.rewrite_response is None:
            await self.app(scope, replay, send)
            return
        start: dict[str, Any] = {}
        parts: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body"):
                    await self._answer(scope, start, b"".join(parts), send)

        await self.app(scope, replay, capture)

    async def _answer(self, scope: Scope, start: dict[str, Any], content: bytes, send: Any) -> None:
        status = start["status"]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        try:
            body = json.loads(content)
        except ValueError:
            body = None
        if body is not None:
            status, body = self.rewrite_response(scope, status, body)
            content = json.dumps(body).encode()
        headers.append((b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


def _set_header(scope: Scope, name: str, value: str) -> None:
    key = name.lower().encode()
    scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != key] + [
        (key, value.encode())
    ]


def _completed(status: int, body: Json) -> bool:
    return status == 200 and isinstance(body, dict) and body.get("status") == "completed"


# --- the breakages ----------------------------------------------------------------------------


def missing_required_field(app: Any) -> Any:
    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if status == 200 and isinstance(body, dict):
            body.pop("budget", None)
        return status, body

    return Rewriting(app, response=response)


def empty_status(app: Any) -> Any:
    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if _completed(status, body):
            body["status"] = ""
        return status, body

    return Rewriting(app, response=response)


def done_for_finished_runs(app: Any) -> Any:
    """Answers `done` where the API answers `completed`: a status the API never answers."""

    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if _completed(status, body):
            body["status"] = "done"
        return status, body

    return Rewriting(app, response=response)


def unsorted_scores(app: Any) -> Any:
    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if _completed(status, body) and len(body.get("documents", [])) > 1:
            body["documents"].reverse()
        return status, body

    return Rewriting(app, response=response)


def ignored_top_k(app: Any) -> Any:
    def request(scope: Scope, body: Json) -> Json:
        if isinstance(body, dict) and isinstance(body.get("inputs"), dict):
            body["inputs"].pop("top_k", None)
        return body

    return Rewriting(app, request=request)


def duplicate_ids(app: Any) -> Any:
    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        documents = body.get("documents") if _completed(status, body) else None
        if documents and len(documents) > 1:
            documents[1] = {**documents[1], "document_id": documents[0]["document_id"]}
        return status, body

    return Rewriting(app, response=response)


def leaky_namespaces(app: Any, namespace: str) -> Any:
    def request(scope: Scope, body: Json) -> Json:
        if _is_get(scope):
            _set_header(scope, "X-Namespace", namespace)
        return body

    return Rewriting(app, request=request)


def ignored_auth(app: Any) -> Any:
    def request(scope: Scope, body: Json) -> Json:
        _set_header(scope, "Authorization", "Bearer sk_test_anyone")
        return body

    return Rewriting(app, request=request)


def found_unknown_ids(app: Any) -> Any:
    last: dict[str, Json] = {}

    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if status == 200 and isinstance(body, dict) and "execution_id" in body:
            last["execution"] = body
        if _is_get(scope) and status == 404 and "execution" in last:
            requested = scope["path"].rstrip("/").split("/")[-1]
            return 200, {**last["execution"], "execution_id": requested}
        return status, body

    return Rewriting(app, response=response)


def regressing_status(app: Any) -> Any:
    reads: dict[str, int] = {}

    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if _is_get(scope) and _completed(status, body):
            count = reads[body["execution_id"]] = reads.get(body["execution_id"], 0) + 1
            if count % 2 == 0:
                body["status"], body["error"] = "failed", "Retriever execution failed: flaky"
        return status, body

    return Rewriting(app, response=response)


def lying_has_next(app: Any) -> Any:
    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        pagination = body.get("pagination") if _completed(status, body) else None
        if isinstance(pagination, dict) and "cursor" in pagination:
            pagination["has_next"] = not pagination["has_next"]
        return status, body

    return Rewriting(app, response=response)


def wrong_total(app: Any) -> Any:
    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        pagination = body.get("pagination") if _completed(status, body) else None
        if isinstance(pagination, dict) and isinstance(pagination.get("total"), int):
            pagination["total"] = max(0, pagination["total"] - 1)
        return status, body

    return Rewriting(app, response=response)


def overlapping_pages(app: Any) -> Any:
    def request(scope: Scope, body: Json) -> Json:
        if isinstance(body, dict) and isinstance(body.get("offset"), int) and body["offset"] > 0:
            body["offset"] -= 1
        return body

    return Rewriting(app, request=request)


def server_error_on_explain(app: Any) -> Any:
    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if b"explain=true" in scope.get("query_string", b""):
            error = {"type": "InternalServerError", "message": "explain crashed"}
            return 500, {"success": False, "status": 500, "error": error}
        return status, body

    return Rewriting(app, response=response)


def error_on_completed(app: Any) -> Any:
    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if _completed(status, body):
            body["error"] = "Retriever execution failed: but completed anyway"
        return status, body

    return Rewriting(app, response=response)


def negative_budget(app: Any) -> Any:
    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if status == 200 and isinstance(body, dict) and isinstance(body.get("budget"), dict):
            body["budget"]["credits_remaining"] = -1.5
        return status, body

    return Rewriting(app, response=response)


@dataclass(frozen=True)
class Breakage:
    """One broken implementation: how to break an app, the rule that must catch it, and
    which part of the suite is enough to catch it (Schemathesis phases and/or workflows)."""

    name: str
    wrap: Callable[[Any], Any]
    rule: str
    phases: tuple[str, ...] = ()
    workflows: bool = True


def ignored_min_score(app: Any) -> Any:
    def request(scope: Scope, body: Json) -> Json:
        if isinstance(body, dict) and isinstance(body.get("inputs"), dict):
            body["inputs"].pop("min_score", None)
        return body

    return Rewriting(app, request=request)


def envelope_status_mismatch(app: Any) -> Any:
    """A 404 whose envelope says 400: a client reading `status` would take it for another error."""

    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if status == 404 and isinstance(body, dict) and "status" in body:
            body["status"] = 400
        return status, body

    return Rewriting(app, response=response)


def success_true_on_errors(app: Any) -> Any:
    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if status >= 400 and isinstance(body, dict):
            body["success"] = True
        return status, body

    return Rewriting(app, response=response)


def _degrade(body: Json, entry: dict[str, Any]) -> None:
    body["status"] = "degraded"
    body["degraded"] = [entry]


def degraded_without_reason(app: Any) -> Any:
    """Finished runs reported as degraded, with an entry that does not say why."""

    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if _completed(status, body):
            _degrade(body, {"resource": "collection", "id": "col_products", "reason": ""})
        return status, body

    return Rewriting(app, response=response)


def error_on_degraded(app: Any) -> Any:
    """Degraded runs that carry `error`: a client would take their usable documents for a failure."""

    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if _completed(status, body):
            _degrade(body, {"resource": "stage", "reason": "Stage 'highlight' timed out."})
            body["error"] = "Stage 'highlight' timed out."
        return status, body

    return Rewriting(app, response=response)


def unsorted_degraded_scores(app: Any) -> Any:
    """Degraded runs whose documents come in the wrong order: degraded pages are judged too."""

    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if _completed(status, body):
            _degrade(body, {"resource": "stage", "reason": "Stage 'rerank' timed out."})
            body["documents"].reverse()
        return status, body

    return Rewriting(app, response=response)


def statistics_only_read_back_miscounts(app: Any) -> Any:
    """Reads keep statistics only, as API 0.82 does, but count one document too many."""

    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if _is_get(scope) and _completed(status, body):
            body["total_returned"] = len(body["documents"]) + 1
            body["documents"], body["documents_retained"] = [], False
        return status, body

    return Rewriting(app, response=response)


def keyset_after_lost(app: Any) -> Any:
    """Keyset metadata in API 0.82's shape, whose `after` marker is lost: no next page, ever."""

    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        pagination = body.get("pagination") if _completed(status, body) else None
        if isinstance(pagination, dict) and "next_cursor" in pagination:
            body["pagination"] = {
                "method": "keyset",
                "limit": pagination.get("limit", 10),
                "returned": len(body["documents"]),
                "total": pagination.get("total"),
                "after": None,
            }
        return status, body

    return Rewriting(app, response=response)


def clamp_not_applied(app: Any) -> Any:
    """Reports that top_k was clamped to 2, and answers more documents than that anyway."""

    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if _completed(status, body) and len(body.get("documents", [])) > 2:
            body["limits"] = [
                {"name": "top_k", "requested": 1000, "applied": 2, "ceiling": 2, "stage": None}
            ]
        return status, body

    def request(scope: Scope, body: Json) -> Json:
        if isinstance(body, dict) and isinstance(body.get("inputs"), dict):
            body["inputs"]["top_k"] = 1000
        return body

    return Rewriting(app, request=request, response=response)


def page_size_alias_ignored(app: Any) -> Any:
    """Drops the top-level `page_size` (API 0.82's alias of `limit`): pages come at the default size."""

    def request(scope: Scope, body: Json) -> Json:
        if isinstance(body, dict):
            body.pop("page_size", None)
        return body

    return Rewriting(app, request=request)


def any_bearer_accepted(app: Any) -> Any:
    def request(scope: Scope, body: Json) -> Json:
        sent = dict(scope["headers"]).get(b"authorization")
        if sent is not None and not sent.startswith(b"Bearer sk_"):
            _set_header(scope, "Authorization", "Bearer sk_test_anyone")
        return body

    return Rewriting(app, request=request)


def in_flight_marked_completed(app: Any) -> Any:
    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        in_flight = isinstance(body, dict) and body.get("status") in ("pending", "processing")
        if status == 200 and in_flight and "created_at" in body:
            body["completed_at"] = body["created_at"]
        return status, body

    return Rewriting(app, response=response)


def refuses_long_queries(app: Any) -> Any:
    """Refuses any query longer than 100 characters with 422: valid input the spec never bounds."""

    def request(scope: Scope, body: Json) -> Json:
        inputs = body.get("inputs") if isinstance(body, dict) else None
        query = inputs.get("query") if isinstance(inputs, dict) else None
        scope["refused"] = isinstance(query, str) and len(query) > 100
        return body

    def response(scope: Scope, status: int, body: Json) -> tuple[int, Json]:
        if not scope.get("refused"):
            return status, body
        problem = {
            "type": "string_too_long",
            "location": ["body", "inputs", "query"],
            "message": "String should have at most 100 characters",
        }
        error = {
            "type": "ValidationError",
            "message": "The request is invalid.",
            "code": "query_too_long",
            "details": {"validation_errors": [problem]},
        }
        return 422, {"success": False, "status": 422, "error": error}

    return Rewriting(app, request=request, response=response)
