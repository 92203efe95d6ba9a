"""The generated models read every answer the real API gives, as the official client does.

tests/spec/real_api.py holds what FACTS.md says the real service answers beyond the seeds
(a `degraded` status, 0.82 pagination shapes, statistics-only read-backs, errors without
`success`, ...). The models made from the spec must read each one, and must keep the
fields they do not declare; the official client (the version pinned in constraints.txt)
reading the same values shows they are what the real API sends.
"""

from __future__ import annotations

import mixpeek
import pytest
from pydantic import BaseModel

from mixpeek_toolkit.generated import models
from tests.spec.real_api import ERRORS, REQUESTS, RESPONSES, Behaviour


def model(behaviour: Behaviour) -> type[BaseModel]:
    return getattr(models, behaviour.schema)


@pytest.mark.parametrize("behaviour", RESPONSES + ERRORS, ids=lambda b: b.name)
def test_the_models_read_each_real_api_answer_and_write_it_back(behaviour: Behaviour) -> None:
    parsed = model(behaviour).model_validate(behaviour.value)
    assert parsed.model_dump(mode="json", by_alias=True, exclude_unset=True) == behaviour.value


@pytest.mark.parametrize("behaviour", REQUESTS, ids=lambda b: b.name)
def test_the_models_read_each_request_the_real_api_accepts(behaviour: Behaviour) -> None:
    parsed = model(behaviour).model_validate(behaviour.value)
    assert parsed.model_dump(mode="json", by_alias=True, exclude_unset=True) == behaviour.value


@pytest.mark.parametrize("behaviour", RESPONSES, ids=lambda b: b.name)
def test_the_official_client_reads_each_answer_too(behaviour: Behaviour) -> None:
    client_model = getattr(mixpeek, behaviour.schema)
    parsed = client_model.from_dict(behaviour.value)
    assert parsed.execution_id == behaviour.value["execution_id"]
    assert parsed.status == behaviour.value["status"]


@pytest.mark.parametrize("behaviour", ERRORS, ids=lambda b: b.name)
def test_the_official_client_reads_each_error_too(behaviour: Behaviour) -> None:
    parsed = mixpeek.ErrorResponse.from_dict(behaviour.value)
    assert parsed.error.type == behaviour.value["error"]["type"]
