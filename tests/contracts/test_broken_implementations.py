"""Proof of power: the suite fails on every deliberately broken implementation, naming the
rule it breaks, and passes on the unbroken mock and on an independent reference server."""

from __future__ import annotations

import pytest

from mixpeek_toolkit.contracts.suite import run_contract
from mixpeek_toolkit.contracts.target import Target
from mixpeek_toolkit.mockserver import Settings, create_app
from tests.contracts import broken
from tests.contracts.reference_server import create_reference_app

TARGET = Target(max_examples=8, seed=7, max_polls=10)

BREAKAGES = [
    broken.Breakage(
        "missing_required_field",
        broken.missing_required_field,
        "response_schema_conformance",
        phases=("examples",),
        workflows=False,
    ),
    broken.Breakage(
        "empty_status",
        broken.empty_status,
        "response_schema_conformance",
        phases=("examples",),
        workflows=False,
    ),
    broken.Breakage(
        "done_for_finished_runs", broken.done_for_finished_runs, "execution_status_is_known"
    ),
    broken.Breakage(
        "server_error_on_explain",
        broken.server_error_on_explain,
        "not_a_server_error",
        phases=("coverage",),  # enumerates each boolean query parameter, explain=true too
        workflows=False,
    ),
    broken.Breakage("unsorted_scores", broken.unsorted_scores, "documents_sorted_by_score"),
    broken.Breakage("ignored_top_k", broken.ignored_top_k, "page_within_requested_size"),
    broken.Breakage("duplicate_ids", broken.duplicate_ids, "document_ids_unique"),
    broken.Breakage(
        "leaky_namespaces",
        lambda app: broken.leaky_namespaces(app, TARGET.namespace),
        "namespace_isolation",
    ),
    broken.Breakage("ignored_auth", broken.ignored_auth, "unauthenticated_requests_refused"),
    broken.Breakage(
        "found_unknown_ids", broken.found_unknown_ids, "unknown_execution_is_not_found"
    ),
    broken.Breakage("regressing_status", broken.regressing_status, "terminal_state_never_changes"),
    broken.Breakage(
        "lying_has_next", broken.lying_has_next, "pagination_agrees_with_total_and_has_next"
    ),
    broken.Breakage("wrong_total", broken.wrong_total, "pagination_agrees_with_total_and_has_next"),
    broken.Breakage(
        "overlapping_pages", broken.overlapping_pages, "pagination_walk_yields_each_document_once"
    ),
    broken.Breakage(
        "error_on_completed", broken.error_on_completed, "error_set_exactly_when_failed"
    ),
    broken.Breakage("negative_budget", broken.negative_budget, "budget_figures_coherent"),
    broken.Breakage(
        "ignored_min_score",
        broken.ignored_min_score,
        "scores_at_least_min_score",
        phases=("examples",),  # the spec's min_score example asks for 0.7
        workflows=False,
    ),
    broken.Breakage(
        "envelope_status_mismatch",
        broken.envelope_status_mismatch,
        "error_envelope_matches_status",
    ),
    broken.Breakage(
        "success_true_on_errors", broken.success_true_on_errors, "error_envelope_matches_status"
    ),
    broken.Breakage(
        "degraded_without_reason",
        broken.degraded_without_reason,
        "degraded_entries_say_what_was_skipped",
    ),
    broken.Breakage("error_on_degraded", broken.error_on_degraded, "error_set_exactly_when_failed"),
    broken.Breakage(
        "unsorted_degraded_scores", broken.unsorted_degraded_scores, "documents_sorted_by_score"
    ),
    broken.Breakage(
        "statistics_only_read_back_miscounts",
        broken.statistics_only_read_back_miscounts,
        "execution_read_back_matches_creation",
    ),
    broken.Breakage(
        "keyset_after_lost", broken.keyset_after_lost, "pagination_agrees_with_total_and_has_next"
    ),
    broken.Breakage("clamp_not_applied", broken.clamp_not_applied, "page_within_requested_size"),
    broken.Breakage(
        "page_size_alias_ignored", broken.page_size_alias_ignored, "page_within_requested_size"
    ),
    broken.Breakage(
        "any_bearer_accepted", broken.any_bearer_accepted, "wrongly_authenticated_requests_refused"
    ),
    broken.Breakage(
        "in_flight_marked_completed",
        broken.in_flight_marked_completed,
        "in_flight_execution_is_coherent",
    ),
    broken.Breakage(
        "refuses_long_queries", broken.refuses_long_queries, "valid_requests_are_accepted"
    ),
]


def mock_app():
    return create_app(Settings(strict=True, rate_limit=1_000_000))


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda breakage: breakage.name)
def test_the_suite_names_the_rule_a_broken_implementation_breaks(breakage: broken.Breakage) -> None:
    report = run_contract(
        TARGET,
        app=breakage.wrap(mock_app()),
        schemathesis=bool(breakage.phases),
        phases=breakage.phases or None,
        workflows=breakage.workflows,
    )

    assert breakage.rule in report.broken_rules, report.summary()
    assert f"BROKEN RULE {breakage.rule}" in report.summary()


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda breakage: breakage.name)
def test_the_same_slice_of_the_suite_passes_on_the_unbroken_mock(breakage: broken.Breakage) -> None:
    report = run_contract(
        TARGET,
        app=mock_app(),
        schemathesis=bool(breakage.phases),
        phases=breakage.phases or None,
        workflows=breakage.workflows,
    )

    assert report.ok, report.summary()


def test_the_workflows_pass_on_an_independent_reference_server() -> None:
    report = run_contract(TARGET, app=create_reference_app(), schemathesis=False)

    assert report.ok, report.summary()
