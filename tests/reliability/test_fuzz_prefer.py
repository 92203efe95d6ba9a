"""The ``Prefer`` grammar under fuzzing: any header is a scenario, nothing, or a 400.

Whatever the header holds, the parser answers a :class:`Scenario` (or ``None``: nothing
asked) or :class:`InvalidPreference` (``400 invalid_preference``), and over HTTP the mock
answers what the parsed scenario asks for: a scripted status, or a normal answer.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mixpeek_toolkit import spec
from mixpeek_toolkit.mockserver.errors import InvalidPreference
from mixpeek_toolkit.mockserver.scenarios import Scenario, ScenarioParser
from mixpeek_toolkit.mockserver.validation import SpecContract
from tests.reliability.conftest import (
    assert_answer_or_envelope,
    assert_envelope,
    execute_path,
    fuzz,
    in_process,
)

PARSER = ScenarioParser(
    SpecContract(spec.load_openapi()).operations["executeRetriever"].error_statuses
)
NAMES = ["respond-async", "outcome", "error", "error-kind", "stages", "latency", "status"]
NAMES += ["retry-after", "return", "wait", "handling", "Outcome", "STAGES"]
VALUES = ["completed", "failed", "degraded", "pending", "processing", "budget_exceeded"]
VALUES += ["timeout", "0", "1", "20", "21", "-1", "10000", "10001", "3600", "400", "429"]
VALUES += ["500", "503", "200", "", '""', '"a, b; c"', '"\\"', "1.5", "²", "¹"]
HEADER_TEXT = st.characters(min_codepoint=0x20, max_codepoint=0xFF)
"""What a header value can hold: latin-1 text without control characters."""


def preference_headers() -> st.SearchStrategy[list[str]]:
    """One to three ``Prefer`` values: grammar-shaped ones and short arbitrary text."""
    word = st.one_of(st.sampled_from(VALUES), st.text(HEADER_TEXT, max_size=6))
    element = st.builds(
        lambda name, value, params, space: (
            name + ("" if value is None else space + "=" + space + value) + "".join(params)
        ),
        st.one_of(st.sampled_from(NAMES), st.text(HEADER_TEXT, min_size=1, max_size=5)),
        st.none() | word,
        st.lists(word.map(";{}".format), max_size=2),
        st.sampled_from(["", " ", "\t"]),
    )
    header = st.one_of(
        st.lists(element, min_size=1, max_size=4).map(", ".join),
        st.text(HEADER_TEXT, max_size=20),  # short: see prefer-redos below
    )
    return st.lists(header, min_size=1, max_size=3)


def parse(headers: list[str]) -> Scenario | InvalidPreference | None:
    try:
        return PARSER.from_prefer(headers)
    except InvalidPreference as refused:
        return refused


@fuzz(max_examples=800)
@given(headers=preference_headers())
def test_any_prefer_header_is_a_scenario_nothing_or_an_invalid_preference(
    headers: list[str],
) -> None:
    parsed = parse(headers)
    if isinstance(parsed, InvalidPreference):
        assert parsed.status == 400 and parsed.code == "invalid_preference"
        assert parsed.message
    else:
        assert parsed is None or (isinstance(parsed, Scenario) and not parsed.is_empty)


@fuzz(max_examples=150)
@given(headers=preference_headers())
def test_the_mock_answers_what_any_prefer_header_asks(mock, headers: list[str]) -> None:
    parsed = parse(headers)
    response = mock.post(
        execute_path(),
        json={"inputs": {"query": "headphones"}},
        headers=[("Prefer", header.encode("latin-1")) for header in headers],
    )
    if isinstance(parsed, InvalidPreference):
        assert_envelope(response, 400, "invalid_preference")
    elif parsed is not None and parsed.status is not None:
        assert_envelope(response, parsed.status, None)
    else:
        assert_answer_or_envelope(response)


@pytest.mark.parametrize("preference", ["stages=²", "latency=³", "status=¹", "retry-after=²"])
def test_a_number_written_with_a_superscript_digit_is_an_invalid_preference(preference):
    with in_process() as (_, client):
        response = client.post(
            execute_path(), json={"inputs": {}}, headers={"Prefer": preference.encode("latin-1")}
        )
    assert_envelope(response, 400, "invalid_preference")


PARSE_BUDGET_S = 5.0
"""Linear parsing takes milliseconds; the backtracking this guards against took minutes."""
CHILD_LIMIT_S = 120.0
"""How long the child may take in all, imports included, before it is killed."""
PARSE_IN_A_CHILD = textwrap.dedent(
    """
    import sys, time
    from mixpeek_toolkit.mockserver.scenarios import split_preferences
    header = sys.argv[1]
    print("ready", flush=True)
    started = time.perf_counter()
    split_preferences([header])
    print(f"parsed in {time.perf_counter() - started:.3f} s", flush=True)
    """
)


@pytest.mark.parametrize(
    "header",
    ['a;  ;  ;  ;  ;  ;  ;  ;  ;  ;  ;  ;  "', "a =" + " " * 60_000 + '"'],
    ids=["40-bytes-of-params", "60-kB-of-spaces"],
)
def test_a_hostile_prefer_header_is_parsed_in_linear_time(header: str) -> None:
    """Parsed in a child process, so a runaway regex is killed rather than waited for. The
    child times the parse itself (its imports do not count); the outer limit only bounds
    a child that never finishes."""
    try:
        child = subprocess.run(
            [sys.executable, "-c", PARSE_IN_A_CHILD, header],
            capture_output=True,
            text=True,
            timeout=CHILD_LIMIT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"Parsing a {len(header)}-byte Prefer header took more than {CHILD_LIMIT_S} s.")
    assert child.returncode == 0, child.stderr
    took = float(child.stdout.split()[-2])  # "... parsed in 0.001 s"
    assert took < PARSE_BUDGET_S, f"Parsing a {len(header)}-byte Prefer header took {took} s."
