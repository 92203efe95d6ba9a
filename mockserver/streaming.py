"""``"stream": true``: the execution as Server-Sent Events of the spec's ``StreamStageEvent``.

Events: ``stage_start`` and ``stage_complete`` for each stage, then
``execution_complete`` (documents, pagination, budget; for a degraded execution also
``status`` and ``degraded``, what it skipped) or, for a failed execution,
``stage_error`` and ``execution_error``. Every event carries the execution's
``trace_id``. The execution is stored like any other, so it can be read back. All
events are built (and, in strict mode, checked) before the answer starts, so a
contract violation still answers a clean 500. Streamed answers are never cached.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ..generated.models import KnownExecutionStatus, StreamStageEvent
from .errors import ContractViolation
from .executions import Execution, view
from .state import MockState

__all__ = ["stream_answer", "stream_events"]

EVENT_STREAM = "text/event-stream"


def stream_events(execution: Execution) -> list[dict[str, Any]]:
    detail = view(execution)
    total = execution.total_stages
    stats = execution.stage_statistics
    base: dict[str, Any] = {"execution_id": execution.execution_id, "total_stages": total}
    if execution.trace_id is not None:
        base["trace_id"] = execution.trace_id
    events: list[dict[str, Any]] = []
    failed = execution.final_status is KnownExecutionStatus.FAILED
    finished = total if not failed else execution.failed_stages_completed
    for index, name in enumerate(execution.stage_names[:finished]):
        events.append(
            {"event_type": "stage_start", "stage_name": name, "stage_index": index, **base}
        )
        complete = {
            "event_type": "stage_complete",
            "stage_name": name,
            "stage_index": index,
            **base,
        }
        if name in stats:
            complete["statistics"] = stats[name]
        events.append(complete)
    last_index = max(total - 1, 0)
    if failed:
        if finished < total:
            name = execution.stage_names[finished]
            events.append(
                {"event_type": "stage_start", "stage_name": name, "stage_index": finished, **base}
            )
            events.append(
                {
                    "event_type": "stage_error",
                    "stage_name": name,
                    "stage_index": finished,
                    "error": execution.error,
                    **base,
                }
            )
        events.append(
            {
                "event_type": "execution_error",
                "stage_index": min(finished, last_index),
                "error": execution.error,
                "budget_used": detail["budget"],
                **base,
            }
        )
    else:
        complete = {
            "event_type": "execution_complete",
            "stage_index": last_index,
            "documents": detail["documents"],
            "pagination": detail["pagination"],
            "budget_used": detail["budget"],
            **base,
        }
        if "degraded" in detail:
            complete["status"] = detail["status"]
            complete["degraded"] = detail["degraded"]
        events.append(complete)
    return events


def stream_answer(mock: MockState, execution: Execution) -> Response:
    validator = mock.contract.schema("StreamStageEvent") if mock.settings.strict else None
    lines = []
    for event in stream_events(execution):
        model = StreamStageEvent.model_validate(event)
        data = model.model_dump_json(exclude_unset=True)
        if validator is not None and not validator.is_valid(
            model.model_dump(mode="json", exclude_unset=True)
        ):
            raise ContractViolation(
                f"Strict mode: a stream event breaks StreamStageEvent: {data[:200]}"
            )
        lines.append(f"data: {data}\n\n")
    return Response(
        "".join(lines),
        media_type=EVENT_STREAM,
        headers={"Cache-Control": "no-cache", "X-Execution-Id": execution.execution_id},
    )
