"""Percentiles, ratios, flatness and growth, as the bench reports them."""

from __future__ import annotations

import math

import pytest

from benchmarks.stats import (
    LoadResult,
    growth_exponent,
    growth_factor,
    median,
    percentile,
    ratio,
    rise_after,
)


def test_percentiles_interpolate_between_the_nearest_ranks():
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 5.0
    assert median(values) == 3.0
    assert percentile([1.0, 2.0], 50) == 1.5
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)


def test_a_percentile_of_nothing_is_nan_and_of_one_value_is_that_value():
    assert math.isnan(percentile([], 50))
    assert percentile([7.0], 99) == 7.0


@pytest.mark.parametrize("q", [-1, 100.5])
def test_a_percentile_outside_0_to_100_is_refused(q):
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], q)


def test_a_ratio_needs_both_figures_and_a_non_zero_denominator():
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(None, 2.0) is None
    assert ratio(3.0, None) is None
    assert ratio(3.0, 0.0) is None
    assert ratio(math.nan, 2.0) is None


def test_the_rise_is_measured_from_the_first_point_at_or_after_the_start():
    series = [(0, 70.0), (100_000, 100.0), (200_000, 106.0), (300_000, 107.0), (400_000, 108.5)]
    assert rise_after(series, 200_000) == pytest.approx(2.5)
    assert rise_after(series, 400_000) is None  # one point: nothing to compare
    assert rise_after(series, 500_000) is None


def test_growth_is_1_for_linear_costs_less_for_a_fixed_part_more_for_quadratic():
    sizes = [10_000, 30_000, 100_000]
    assert growth_factor(sizes, [1.0, 3.0, 10.0]) == pytest.approx(1.0)
    assert growth_factor(sizes, [11.0, 13.0, 20.0]) < 1.0
    assert growth_factor(sizes, [1.0, 9.0, 100.0]) == pytest.approx(10.0)
    assert growth_exponent(sizes, [1.0, 3.0, 10.0]) == pytest.approx(1.0)
    assert growth_exponent(sizes, [1.0, 9.0, 100.0]) == pytest.approx(2.0)


def test_growth_needs_two_sizes():
    assert growth_factor([10], [1.0]) is None
    assert growth_exponent([10], [1.0]) is None


def test_a_load_result_from_latencies_counts_requests_and_rate():
    result = LoadResult.from_latencies([1.0, 2.0, 3.0, 4.0], 2.0, 1, "python-asyncio")
    assert (result.requests, result.rps, result.p50_ms, result.errors) == (4, 2.0, 2.5, 1)
    assert result.as_dict()["rps"] == 2.0
    assert LoadResult(0, 0.0, math.nan, math.nan).rps == 0.0
