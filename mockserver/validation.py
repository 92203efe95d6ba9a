"""The spec, compiled once per app into validators for requests and responses.

:class:`SpecContract` walks ``spec.load_openapi()`` and compiles, with jsonschema_rs,
one validator per request body, per parameter and per (response status, media type)
of each operation. Request problems become ``422`` issues ``{type, location,
message}`` whose location starts with the request part (``body``, ``path``,
``query``, ``header``); in strict mode a response that breaks its schema raises
:class:`~mixpeek_toolkit.mockserver.errors.ContractViolation`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

from .errors import ContractViolation, RequestValidationFailed

__all__ = ["OperationContract", "SpecContract", "issues_from_errors"]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
MAX_BODY_DEPTH = 32
"""Default nesting limit of a request body (``Settings.max_body_depth``): a mock safety cap."""
MAX_MESSAGE_CHARS = 500
ECHO_CHARS = 80

# jsonschema keyword -> the machine-readable issue type (pydantic's vocabulary).
ISSUE_TYPES: dict[str, str] = {
    "maximum": "less_than_equal",
    "minimum": "greater_than_equal",
    "exclusiveMaximum": "less_than",
    "exclusiveMinimum": "greater_than",
    "maxLength": "string_too_long",
    "minLength": "string_too_short",
    "maxItems": "too_long",
    "minItems": "too_short",
    "maxProperties": "too_long",
    "minProperties": "too_short",
    "required": "missing",
    "additionalProperties": "extra_forbidden",
    "type": "type_error",
    "enum": "enum",
    "const": "literal_error",
    "pattern": "string_pattern_mismatch",
    "oneOf": "union_tag_invalid",
    "anyOf": "union_invalid",
}


def issues_from_errors(
    errors: Iterable[jsonschema_rs.ValidationError], prefix: tuple[str | int, ...]
) -> list[dict[str, Any]]:
    """Turn jsonschema_rs errors into ``{type, location, message}`` issues."""
    issues: list[dict[str, Any]] = []
    for error in errors:
        kind = error.kind
        name = kind.name
        location = [*prefix, *error.instance_path]
        if name in ("oneOf", "anyOf") and getattr(kind, "context", None):
            branch = _closest_branch(kind.context)
            nested = issues_from_errors(branch, prefix)
            if nested:
                issues.extend(nested)
                continue
        if name == "required":
            prop = kind.as_dict().get("property")
            issues.append(
                {"type": "missing", "location": [*location, prop], "message": "Field required"}
            )
        elif name == "additionalProperties":
            for key in kind.as_dict().get("unexpected", []):
                issues.append(
                    {
                        "type": "extra_forbidden",
                        "location": [*location, key],
                        "message": f"Unknown field {key!r}: the schema does not allow it",
                    }
                )
        else:
            issues.append(
                {
                    "type": ISSUE_TYPES.get(name, name),
                    "location": location,
                    "message": _short_message(error),
                }
            )
    return issues


def _short_message(error: jsonschema_rs.ValidationError) -> str:
    """The error's message, with a long echoed value cut short (a 1 MB string stays out)."""
    message = error.message
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    echoed = json.dumps(error.instance, separators=(",", ":"), ensure_ascii=False)
    if len(echoed) > ECHO_CHARS and echoed in message:
        return message.replace(echoed, echoed[:ECHO_CHARS] + "...", 1)[:MAX_MESSAGE_CHARS]
    return message[:MAX_MESSAGE_CHARS] + "..."


def _closest_branch(context: list[list[jsonschema_rs.ValidationError]]):
    """The oneOf/anyOf branch the instance was meant for: the one whose tag matched."""

    def rank(branch: list[jsonschema_rs.ValidationError]) -> tuple[int, int]:
        tag_mismatch = any(e.kind.name == "const" for e in branch)
        return (1 if tag_mismatch else 0, len(branch))

    return min(context, key=rank)


def _nesting_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests containers deeper than ``limit`` (iterative, no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


@dataclass
class Parameter:
    name: str
    location: str  # path | query | header
    required: bool
    validator: jsonschema_rs.Validator
    is_boolean: bool
    is_integer: bool


@dataclass
class OperationContract:
    """The compiled validators of one operation."""

    operation_id: str
    parameters: dict[tuple[str, str], Parameter] = field(default_factory=dict)
    body: jsonschema_rs.Validator | None = None
    responses: dict[tuple[str, str], jsonschema_rs.Validator] = field(default_factory=dict)
    error_statuses: tuple[int, ...] = ()
    statuses: frozenset[str] = frozenset()

    def validate_parameters(
        self,
        path: Mapping[str, str],
        query: Mapping[str, str],
    ) -> list[dict[str, Any]]:
        """Issues of the path and query parameters (query strings are coerced first)."""
        issues: list[dict[str, Any]] = []
        for (location, name), param in self.parameters.items():
            source = path if location == "path" else query if location == "query" else None
            if source is None:
                continue
            if name not in source:
                if param.required:
                    issues.append(
                        {
                            "type": "missing",
                            "location": [location, name],
                            "message": "Field required",
                        }
                    )
                continue
            value: Any = _coerce(source[name], param)
            errors = list(param.validator.iter_errors(value))
            issues.extend(issues_from_errors(errors, (location, name)))
        return issues

    def validate_body(self, body: Any, *, max_depth: int = MAX_BODY_DEPTH) -> None:
        """Raise a 422 listing every problem of the body.

        A body nesting deeper than ``max_depth`` is refused first (code ``body_too_deep``):
        a cap of the mock, not of the contract.
        """
        if self.body is None:
            return
        if _nesting_depth_exceeds(body, max_depth):
            message = f"The body nests deeper than {max_depth} levels (a limit of this server)."
            raise RequestValidationFailed(
                [{"type": "too_deep", "location": ["body"], "message": message}],
                message,
                code="body_too_deep",
            )
        if self.body.is_valid(body):
            return
        raise RequestValidationFailed(issues_from_errors(self.body.iter_errors(body), ("body",)))

    def check_response(self, status: int, media_type: str | None, body: Any) -> None:
        """Strict mode: raise :class:`ContractViolation` when ``body`` breaks the spec.

        ``media_type`` None is an answer without a body (a ``304``): its status must be
        declared without content.
        """
        if media_type is None:
            if str(status) not in self.statuses:
                raise ContractViolation(
                    f"Strict mode: {self.operation_id} has no {status} response in the spec."
                )
            if any(code == str(status) for code, _ in self.responses):
                raise ContractViolation(
                    f"Strict mode: the {status} response of {self.operation_id} has a body "
                    "in the spec, but none was sent."
                )
            return
        validator = self.responses.get((str(status), media_type))
        if validator is None:
            if not any(code == str(status) for code, _ in self.responses):
                raise ContractViolation(
                    f"Strict mode: {self.operation_id} has no {status} response in the spec."
                )
            return
        if validator.is_valid(body):
            return
        problems = "; ".join(
            f"{'/'.join(map(str, e.instance_path)) or '<root>'}: {e.message}"
            for e in validator.iter_errors(body)
        )
        raise ContractViolation(
            f"Strict mode: the {status} response of {self.operation_id} breaks the spec: {problems}"
        )


def _coerce(raw: str, param: Parameter) -> Any:
    if param.is_boolean:
        return {"true": True, "false": False}.get(raw.lower(), raw)
    if param.is_integer:
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


class SpecContract:
    """Every operation of the spec, compiled once."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self._components = spec.get("components", {})
        self._schemas: dict[str, jsonschema_rs.Validator] = {}
        self.operations: dict[str, OperationContract] = {}
        for path_item in spec.get("paths", {}).values():
            shared = path_item.get("parameters", [])
            for method in HTTP_METHODS:
                operation = path_item.get(method)
                if operation is not None:
                    contract = self._compile_operation(operation, shared)
                    self.operations[contract.operation_id] = contract

    def compile(self, schema: Mapping[str, Any]) -> jsonschema_rs.Validator:
        """A validator for ``schema`` whose ``#/components/...`` refs resolve against the spec."""
        return jsonschema_rs.Draft202012Validator({**schema, "components": self._components})

    def schema(self, name: str) -> jsonschema_rs.Validator:
        """The validator of ``components.schemas[name]`` (compiled on first use, then kept)."""
        validator = self._schemas.get(name)
        if validator is None:
            validator = self._schemas[name] = self.compile({"$ref": f"#/components/schemas/{name}"})
        return validator

    def component(self, kind: str, name: str) -> dict[str, Any]:
        return self._components[kind][name]

    def _resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            _, _, kind, name = node["$ref"].split("/")
            node = self._components[kind][name]
        return node

    def _compile_operation(self, operation: Mapping[str, Any], shared: list) -> OperationContract:
        contract = OperationContract(operation_id=operation["operationId"])
        for raw in [*shared, *operation.get("parameters", [])]:
            param = self._resolve(raw)
            schema = self._resolve(param.get("schema", {}))
            contract.parameters[(param["in"], param["name"])] = Parameter(
                name=param["name"],
                location=param["in"],
                required=bool(param.get("required", False)),
                validator=self.compile(param.get("schema", {})),
                is_boolean=schema.get("type") == "boolean",
                is_integer=schema.get("type") == "integer",
            )
        body = operation.get("requestBody")
        if body is not None:
            media = self._resolve(body).get("content", {}).get("application/json")
            if media is not None:
                contract.body = self.compile(media.get("schema", {}))
        statuses = []
        for status, raw_response in operation.get("responses", {}).items():
            response = self._resolve(raw_response)
            if status.isdigit() and int(status) >= 400:
                statuses.append(int(status))
            for media_type, media in response.get("content", {}).items():
                contract.responses[(status, media_type)] = self.compile(media.get("schema", {}))
        contract.error_statuses = tuple(sorted(statuses))
        contract.statuses = frozenset(operation.get("responses", {}))
        return contract

    def header_parameter(self, operation_id: str, name: str) -> Parameter:
        return self.operations[operation_id].parameters[("header", name)]
