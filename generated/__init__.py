"""Pydantic v2 models generated from ``spec/openapi.yaml``.

The models live in :mod:`mixpeek_toolkit.generated.models`, written by datamodel-code-generator with
the options pinned under ``[tool.datamodel-codegen]`` in ``pyproject.toml``. Never
edit them by hand: change the spec and run ``make generate``.
"""
