"""The contract: ``spec/openapi.yaml``, the single source of truth of this toolkit.

Everything else (generated models, mock server, contract suites) reads the document
through this module, so there is one place that knows where it lives and how a part of
it becomes a standalone JSON Schema.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = ["JSON_SCHEMA_DIALECT", "OPENAPI_PATH", "load_openapi", "schema_for"]

OPENAPI_PATH: Path = Path(__file__).with_name("openapi.yaml")

#: OpenAPI 3.1 schemas are JSON Schema 2020-12 (plus annotations such as
#: ``discriminator`` and ``example`` that validators ignore).
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def load_openapi() -> dict[str, Any]:
    """The OpenAPI document as a fresh dict: each caller gets its own copy to change.

    The file is parsed once per process (a few modules read it at import); each call
    then costs a copy (well under a millisecond), not a parse (tens of milliseconds).
    """
    return pickle.loads(_parsed())


@functools.cache
def _parsed() -> bytes:
    """The parsed document, pickled: the one parse, kept in a form nobody can change."""
    with OPENAPI_PATH.open("rb") as handle:
        document = yaml.load(handle, Loader=yaml.CSafeLoader)
    return pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL)


def schema_for(schema: Mapping[str, Any], document: Mapping[str, Any]) -> dict[str, Any]:
    """Make ``schema`` (which may ``$ref`` into ``#/components/...``) a standalone JSON Schema.

    The document's ``components`` ride along under the same key, so every
    ``#/components/schemas/X`` reference resolves inside the returned schema:

    >>> doc = load_openapi()
    >>> root = schema_for({"$ref": "#/components/schemas/ExecutionStatus"}, doc)
    >>> sorted(root)
    ['$ref', '$schema', 'components']
    """
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        **schema,
        "components": document["components"],
    }
