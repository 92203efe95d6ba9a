"""Fixtures shared by the tests of the contract document."""

from __future__ import annotations

from typing import Any

import pytest

from mixpeek_toolkit import spec


@pytest.fixture(scope="session")
def openapi() -> dict[str, Any]:
    return spec.load_openapi()
