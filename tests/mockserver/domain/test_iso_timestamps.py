"""Timestamps are written as ``datetime.isoformat`` writes them, with ``Z`` for UTC.

``iso`` is on every answer's path (``created_at``, ``completed_at``, the journal), so it
keeps the date and time of the last few seconds; the text is the same as datetime's:
microseconds rounded half to even, left out when they are zero, a carry into the next
second, times before 1970.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixpeek_toolkit.mockserver.executions import iso

LATEST = 253_402_300_799.0  # 9999-12-31T23:59:59Z, the last second datetime writes


def reference(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize(
    "timestamp",
    [0.0, 1.0, 1.5, -1.5, -0.0000004, 1e-7, 1_000_000_000.9999995, 1_763_771_036.1035535, LATEST],
)
def test_edge_cases_read_as_datetime_writes_them(timestamp):
    assert iso(timestamp) == reference(timestamp)


@settings(max_examples=3_000, deadline=None, derandomize=True, database=None)
@given(st.floats(min_value=-2_000_000_000, max_value=LATEST, allow_nan=False))
def test_any_timestamp_reads_as_datetime_writes_it(timestamp):
    assert iso(timestamp) == reference(timestamp)


@settings(max_examples=1_000, deadline=None, derandomize=True, database=None)
@given(st.integers(0, 4_000_000_000), st.integers(0, 999_999), st.sampled_from([0, 5e-7, 4e-7]))
def test_microsecond_boundaries_round_half_to_even(seconds, micros, nudge):
    timestamp = seconds + micros / 1e6 + nudge
    assert iso(timestamp) == reference(timestamp)
