"""Never a 500 on bad input: Schemathesis fuzzes both operations in-process (strict mode on)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from mixpeek_toolkit import spec
from mixpeek_toolkit.mockserver import Settings, create_app
from tests.mockserver.conftest import AUTH

APP = create_app(Settings(seed=5, strict=True, rate_limit=1_000_000))
SCHEMA = schemathesis.openapi.from_path(spec.OPENAPI_PATH)
SCHEMA.config.update(headers=AUTH)
SCHEMA.app = APP


@SCHEMA.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_fuzzed_requests_never_get_a_500_and_errors_use_the_envelope(case):
    response = case.call()
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert body["success"] is False and body["status"] == response.status_code
        assert body["error"]["type"] and body["error"]["message"]
