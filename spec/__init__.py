"""The contract: ``spec/openapi.yaml``, the single source of truth of this toolkit.

Everything else (generated models, mock server, contract suites) reads the document
through this module, so there is one place that knows where it lives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["OPENAPI_PATH", "load_openapi"]

OPENAPI_PATH: Path = Path(__file__).with_name("openapi.yaml")


def load_openapi() -> dict[str, Any]:
    """Parse the OpenAPI document into a fresh dict (callers may not share it)."""
    with OPENAPI_PATH.open("rb") as handle:
        return yaml.load(handle, Loader=yaml.CSafeLoader)
