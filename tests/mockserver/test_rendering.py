"""Answers of executions are rendered once when terminal, never while in flight."""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any

import pydantic_core
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixpeek_toolkit.generated.models import ExecutionDetail, KnownExecutionStatus
from mixpeek_toolkit.mockserver.executions import Execution, view
from mixpeek_toolkit.mockserver.rendering import (
    RENDERED_EXECUTIONS_SIZE,
    RenderedExecutions,
    render_json,
)
from tests.mockserver.conftest import execute_path, execution_path

RETRIEVER = "ret_product_search"


def _execution(execution_id: str, *, step: int = 2) -> Execution:
    return Execution(
        execution_id=execution_id,
        namespace="team-a",
        retriever_id=RETRIEVER,
        created_at=1_800_000_000.0,
        stage_names=("semantic_search",),
        final_status=KnownExecutionStatus.COMPLETED,
        error=None,
        step=step,
        completed_at=1_800_000_000.5 if step == 2 else None,
        documents=(
            {
                "document_id": "doc_a",
                "score": 1e-05,
                "payload": {"title": "Café", "rating": float("nan")},
            },
        ),
        pagination={"method": "cursor", "cursor": None, "has_next": False, "page_size": 20},
        stage_statistics={},
        total_time_ms=12.5,
        credits_used=0.5,
        credits_remaining=999.5,
    )


def test_rendering_matches_the_generated_model_byte_for_byte() -> None:
    body = view(_execution("exec_aaaaaaaaaaaaaaaaaaaaaaaa"))
    model = ExecutionDetail.model_validate(body)
    assert render_json(body) == model.__pydantic_serializer__.to_json(model, exclude_unset=True)


def test_only_terminal_executions_are_kept_and_only_for_the_same_record() -> None:
    rendered = RenderedExecutions(max_size=4)
    in_flight = _execution("exec_bbbbbbbbbbbbbbbbbbbbbbbb", step=1)
    rendered.keep(in_flight, b"in flight")
    assert rendered.get(in_flight) is None
    done = _execution("exec_cccccccccccccccccccccccc")
    rendered.keep(done, b"done")
    assert rendered.get(done) == b"done"
    assert rendered.get(dataclasses.replace(done)) is None  # another record, same id


def test_at_most_max_size_answers_are_kept_least_recently_used_first_out() -> None:
    rendered = RenderedExecutions(max_size=2)
    a, b, c = (_execution(f"exec_{letter * 24}") for letter in "abc")
    rendered.keep(a, b"a"), rendered.keep(b, b"b")
    assert rendered.get(a) == b"a"  # b is now the least recently used
    rendered.keep(c, b"c")
    assert len(rendered) == 2 and rendered.get(b) is None and rendered.get(a) == b"a"
    assert 1 <= RENDERED_EXECUTIONS_SIZE <= 10_000
    with pytest.raises(ValueError, match="at least 1"):
        RenderedExecutions(max_size=0)


@pytest.mark.anyio
async def test_a_completed_execution_reads_back_what_execute_answered_every_time(client):
    executed = await client.post(execute_path(RETRIEVER), json={"inputs": {"query": "tea"}})
    execution_id = executed.json()["execution_id"]
    reads = [(await client.get(execution_path(RETRIEVER, execution_id))).content for _ in "ab"]
    assert reads[0] == reads[1]  # rendered once, answered as the same bytes
    read = json.loads(reads[0])
    assert read.pop("documents_retained") is True
    assert read.pop("total_returned") == len(executed.json()["documents"])
    assert read == executed.json()


@pytest.mark.anyio
async def test_an_in_flight_execution_still_advances_on_each_read(client):
    started = await client.post(
        execute_path(RETRIEVER), json={"inputs": {}}, headers={"Prefer": "respond-async"}
    )
    execution_id = started.json()["execution_id"]
    statuses = [started.json()["status"]]
    for _ in range(3):
        read = await client.get(execution_path(RETRIEVER, execution_id))
        statuses.append(json.loads(read.content)["status"])
    assert statuses == ["pending", "processing", "completed", "completed"]


# --------------------------------------------------------------------------- orjson


def _reference(body: Any) -> bytes:
    """What the generated models' serializer writes."""
    return pydantic_core.to_json(body, inf_nan_mode="null")


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats()  # NaN, infinities, subnormals, -0.0 included
    | st.floats(min_value=-1e-3, max_value=1e-3)
    | st.floats(min_value=1e15, max_value=1e22)
    | st.text()
    | st.text(st.characters(max_codepoint=0x2030))  # control characters, U+2028
)
OTHERS = (
    st.integers(min_value=2**64)  # beyond orjson's integers
    | st.integers(max_value=-(2**63) - 1)
    | st.sets(st.integers(0, 3), max_size=2)
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(datetime.UTC))
    | st.decimals(allow_nan=False)
    | st.tuples(st.integers(), st.text())
)


def _json(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=12,
    )


@settings(max_examples=500, deadline=None)
@given(_json(JSON_SCALARS))
def test_json_data_renders_to_the_bytes_of_the_models_serializer(body: Any) -> None:
    assert render_json(body) == _reference(body)


@settings(max_examples=300, deadline=None)
@given(_json(JSON_SCALARS | OTHERS))
def test_any_other_value_renders_as_the_models_serializer_renders_it(body: Any) -> None:
    try:
        expected = _reference(body)
    except (pydantic_core.PydanticSerializationError, ValueError) as refused:
        with pytest.raises(type(refused)):
            render_json(body)
        return
    assert render_json(body) == expected


@pytest.mark.parametrize(
    "odd",
    [
        "lone \ud800 surrogate",
        {1: "a non-string key"},
        {"big": 2**70},
        {"when": datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)},
        {"enum": KnownExecutionStatus.COMPLETED},
        [dataclasses.make_dataclass("Point", ["x"])(1)],
    ],
)
def test_values_orjson_would_write_differently_fall_back_to_pydantic_core(odd: Any) -> None:
    try:
        expected = _reference(odd)
    except (pydantic_core.PydanticSerializationError, ValueError) as refused:
        with pytest.raises(type(refused)):
            render_json(odd)
        return
    assert render_json(odd) == expected


def test_json_data_is_rendered_by_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    from mixpeek_toolkit.mockserver import rendering

    def refuse(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("pydantic-core was asked to render JSON's own types")

    monkeypatch.setattr(rendering.pydantic_core, "to_json", refuse)
    assert render_json(view(_execution("exec_dddddddddddddddddddddddd"))).startswith(b"{")
