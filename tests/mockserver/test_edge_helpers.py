"""The edge's shortcuts answer exactly what Starlette's slower way would."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.responses import Response

from mixpeek_toolkit.mockserver.edge import _add_missing_headers, _url_path


@pytest.mark.parametrize(
    "path",
    ["/v1/retrievers/ret_a/execute", "/v1/a b/é", "//double", "/a?b", "/a#b", "/a\\b", "/a;b"],
)
def test_the_journaled_path_is_the_request_url_path(path: str) -> None:
    request = Request(
        {"type": "http", "method": "GET", "path": path, "headers": [(b"host", b"mock")]}
    )
    assert _url_path(request) == request.url.path


def test_rate_limit_headers_never_replace_headers_already_set() -> None:
    response = Response(b"{}", headers={"X-RateLimit-Remaining": "0", "Retry-After": "7"})
    expected = Response(b"{}", headers={"X-RateLimit-Remaining": "0", "Retry-After": "7"})
    headers = {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "9"}
    _add_missing_headers(response, headers)
    for name, value in headers.items():
        expected.headers.setdefault(name, value)
    assert response.raw_headers == expected.raw_headers
