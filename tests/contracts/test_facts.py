"""The contract suites read the spec; they never restate it.

Every status, lifecycle rank, error status, degraded-entry field, page size and default the
rules judge by comes from spec/openapi.yaml (its extensions) or the generated models, so a
change of the spec reaches the rules with `make generate` and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mixpeek_toolkit import spec
from mixpeek_toolkit.contracts import facts, pages
from mixpeek_toolkit.generated import models

SCHEMAS = spec.load_openapi()["components"]["schemas"]
CONTRACTS = Path(facts.__file__).parent


def test_the_statuses_and_their_lifecycle_come_from_the_spec():
    known = SCHEMAS["KnownExecutionStatus"]
    assert set(known["enum"]) == facts.KNOWN_STATUSES
    assert dict(facts.STATUS_RANK) == known["x-lifecycle-rank"]
    assert set(known["x-error-statuses"]) == facts.ERROR_STATUSES
    top = max(known["x-lifecycle-rank"].values())
    assert {s for s, r in known["x-lifecycle-rank"].items() if r == top} == facts.TERMINAL
    assert facts.DOCUMENT_STATUSES == facts.TERMINAL - facts.ERROR_STATUSES
    assert facts.IN_FLIGHT == facts.KNOWN_STATUSES - facts.TERMINAL


def test_what_a_degraded_entry_must_say_comes_from_the_spec():
    entry = SCHEMAS["DegradedEntry"]
    assert set(facts.DEGRADED_REQUIRED_FIELDS) == set(entry["required"])
    assert set(facts.DEGRADED_NULLABLE_FIELDS) == {
        name for name, prop in entry["properties"].items() if "null" in prop.get("type", [])
    }


@pytest.mark.parametrize("method", sorted(facts.PAGE_SIZE_FIELD))
def test_page_sizes_defaults_and_maxima_come_from_the_spec(method):
    name, default = facts.PAGE_SIZE_FIELD[method]
    member = next(
        SCHEMAS[ref["$ref"].rsplit("/", 1)[-1]]
        for ref in SCHEMAS["PaginationParams"]["oneOf"]
        if SCHEMAS[ref["$ref"].rsplit("/", 1)[-1]]["properties"]["method"]["const"] == method
    )
    prop = member["properties"][name]
    assert (default, facts.MAX_PAGE_SIZE[method]) == (prop["default"], prop["maximum"])
    assert SCHEMAS["ExecuteRetrieverRequest"]["x-default-page-size"] == facts.DEFAULT_PAGE_SIZE
    assert facts.DEFAULT_METHOD == "cursor"


def test_every_field_the_rules_read_is_declared_by_the_spec():
    response = set(models.ExecutionDetail.model_fields)
    for name in ("degraded", "limits", "documents_retained", "total_returned", "error"):
        assert name in response, name
    assert {facts.PAGE_SIZE_ALIAS, "limit", "offset", "pagination"} <= set(
        models.ExecuteRetrieverRequest.model_fields
    )
    assert facts.TOP_K in models.RetrieverInputs.model_fields
    for method, token in pages.TOKEN_REQUEST_FIELD.items():
        member = getattr(models, f"{method.capitalize()}PaginationParams")
        assert token in member.model_fields, (method, token)
    assert {"next_cursor", "after"} <= set(models.KeysetPaginationResponse1.model_fields)
    assert {"page_number", "page_size"} <= set(models.OffsetPaginationResponse2.model_fields)


@pytest.mark.parametrize("module", sorted(p.name for p in CONTRACTS.glob("*.py")))
def test_no_module_restates_a_status_or_an_error_type(module):
    source = (CONTRACTS / module).read_text()
    restated = [
        value
        for value in (*SCHEMAS["KnownExecutionStatus"]["enum"], *SCHEMAS["KnownErrorType"]["enum"])
        if f'"{value}"' in source or f"'{value}'" in source
    ]
    assert not restated, f"contracts/{module} restates {restated}; read them from facts.py"
