"""The world a namespace sees: its retrievers and its collections of documents.

A :class:`WorldTemplate` is loaded once from a fixture (YAML or JSON file, YAML text, or
an already parsed mapping; see ``docs/world.md`` for the format) and never changes.
Every namespace gets its own :class:`NamespaceWorld` from it: copy-on-write, so creating
one costs a few microseconds (it shares the template's immutable collections) and
adding documents or retrievers to one namespace never shows in another, nor in the
template.

Errors::

    ValueError
     +-- WorldError            a fixture or a change to a world is invalid (names the path)
     |    +-- UnknownCollection   documents added to a collection the world lacks
     |    +-- DuplicateId         an id or name that is already taken
     +-- MissingInputs         required retriever inputs are absent (``names`` lists them)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..generated.models import RetrieverInputs
from .fields import DocumentColumns
from .scoring import CollectionIndex

__all__ = [
    "STAGE_KINDS",
    "CollectionSpec",
    "DuplicateId",
    "InputField",
    "MissingInputs",
    "NamespaceWorld",
    "RetrieverSpec",
    "StageSpec",
    "StoredDocument",
    "UnknownCollection",
    "WorldError",
    "WorldTemplate",
    "default_world_path",
    "load_world",
    "resolve_inputs",
]

StageKind = Literal["search", "filter", "rerank", "sort", "group", "select"]
STAGE_KINDS: tuple[str, ...] = StageKind.__args__
InputType = Literal["text", "string", "number", "integer", "boolean", "vector", "filters", "object"]


class WorldError(ValueError):
    """A world fixture, or a change to a world, is invalid. The message names the path."""


class UnknownCollection(WorldError):
    """No collection of the world has this id or name."""


class DuplicateId(WorldError):
    """The id or name is already taken in this world."""


class MissingInputs(ValueError):
    """Required inputs of a retriever are absent; ``names`` lists every one of them."""

    def __init__(self, retriever_id: str, names: Sequence[str]) -> None:
        self.retriever_id = retriever_id
        self.names = list(names)
        listed = ", ".join(repr(n) for n in self.names)
        super().__init__(
            f"Retriever {retriever_id!r} requires input(s) {listed}; send them in 'inputs'."
        )


# --------------------------------------------------------------------------- domain values


@dataclass(frozen=True, slots=True)
class InputField:
    """One input of a retriever's input schema.

    ``field``, when set, is a document dot path the input filters on by equality
    (``media_type`` -> ``metadata.media_type``).
    """

    name: str
    type: str
    required: bool
    default: Any
    description: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class StageSpec:
    name: str
    kind: str  # one of STAGE_KINDS


@dataclass(frozen=True, slots=True)
class RetrieverSpec:
    retriever_id: str
    name: str
    description: str
    collection_ids: tuple[str, ...]
    inputs: tuple[InputField, ...]
    stages: tuple[StageSpec, ...]
    default_top_k: int
    credits_per_execution: float


@dataclass(frozen=True, slots=True)
class StoredDocument:
    document_id: str
    collection_id: str
    payload: Mapping[str, Any]  # never mutated: the engine copies what it answers


@dataclass(frozen=True)
class CollectionSpec:
    """A collection and its documents. ``index`` (token statistics, for scoring) is built
    on creation; ``columns`` (field columns, for filters) as the filters ask for fields."""

    collection_id: str
    name: str
    documents: tuple[StoredDocument, ...]
    index: CollectionIndex = field(init=False, repr=False, compare=False)
    columns: DocumentColumns = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "index", CollectionIndex.build([d.payload for d in self.documents])
        )
        object.__setattr__(self, "columns", DocumentColumns(self.documents))


@dataclass(frozen=True)
class WorldTemplate:
    """An immutable world; :meth:`NamespaceWorld.from_template` makes a namespace's copy."""

    retrievers: tuple[RetrieverSpec, ...]
    collections: tuple[CollectionSpec, ...]
    _retrievers_by_id: Mapping[str, RetrieverSpec] = field(init=False, repr=False, compare=False)
    _collections_by_id: Mapping[str, CollectionSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {c.collection_id: c for c in self.collections}
        object.__setattr__(self, "_collections_by_id", MappingProxyType(by_id))
        ret_by_id = {r.retriever_id: r for r in self.retrievers}
        object.__setattr__(self, "_retrievers_by_id", MappingProxyType(ret_by_id))


# --------------------------------------------------------------------------- fixture format

_Name = Annotated[str, Field(min_length=1)]
"""Names are plain non-empty strings, as in the real API: spaces and any script allowed."""
_TOP_K = RetrieverInputs.model_fields["top_k"].metadata  # the spec's bounds of inputs.top_k


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _InputModel(_Strict):
    name: _Name
    type: InputType = "text"
    required: bool = False
    default: Any = None
    description: str = ""
    field: str | None = Field(default=None, min_length=1)


class _StageModel(_Strict):
    name: _Name
    kind: StageKind


class _RetrieverModel(_Strict):
    retriever_id: Annotated[str, Field(pattern=r"^ret_[A-Za-z0-9_]+$", max_length=128)]
    name: _Name
    description: str = ""
    collections: Annotated[list[_Name], Field(min_length=1)]
    inputs: list[_InputModel] = []
    stages: Annotated[list[_StageModel], Field(min_length=1)]
    default_top_k: Annotated[int, *_TOP_K] = 10
    credits_per_execution: Annotated[float, Field(ge=0)] = 0.5


class _DocumentModel(_Strict):
    document_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    payload: dict[str, Any]


class _CollectionModel(_Strict):
    collection_id: Annotated[str, Field(pattern=r"^col_[A-Za-z0-9_]+$", max_length=128)]
    name: _Name
    documents: list[_DocumentModel] = []


class _WorldModel(_Strict):
    version: Literal[1] = 1
    collections: list[_CollectionModel] = []
    retrievers: list[_RetrieverModel] = []


def _path(where: str, location: Sequence[str | int]) -> str:
    out = where
    for part in location:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


_MODEL_NAME = re.compile(r" or instance of _\w+")


def _validated(
    model: type[BaseModel], data: Any, where: str = "", what: str = "world fixture"
) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_path(where, e['loc'])}: {_MODEL_NAME.sub('', e['msg'])}"
            for e in exc.errors(include_url=False)[:5]
        )
        more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
        raise WorldError(f"Invalid {what}: {problems}{more}") from None


def _document_id(collection_id: str, position: int, payload: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(
        json.dumps([collection_id, position, payload], sort_keys=True, default=str).encode()
    ).hexdigest()
    return f"doc_{digest[:16]}"


def _build_documents(
    collection_id: str, models: Sequence[_DocumentModel], start: int, taken: set[str], where: str
) -> list[StoredDocument]:
    documents = []
    for i, model in enumerate(models):
        document_id = model.document_id or _document_id(collection_id, start + i, model.payload)
        if document_id in taken:
            raise DuplicateId(
                f"{where}[{i}].document_id: {document_id!r} already exists in collection "
                f"{collection_id!r}"
            )
        taken.add(document_id)
        documents.append(StoredDocument(document_id, collection_id, model.payload))
    return documents


def _build_retriever(
    model: _RetrieverModel, resolve: Mapping[str, str], where: str
) -> RetrieverSpec:
    collection_ids: list[str] = []
    for i, identifier in enumerate(model.collections):
        if identifier not in resolve:
            raise UnknownCollection(
                f"{where}.collections[{i}]: no collection has the id or name {identifier!r}"
            )
        if resolve[identifier] not in collection_ids:
            collection_ids.append(resolve[identifier])
    for kind, items in (("input", model.inputs), ("stage", model.stages)):
        names = [item.name for item in items]
        if len(set(names)) != len(names):
            duplicate = next(n for n in names if names.count(n) > 1)
            raise WorldError(f"{where}: {kind} name {duplicate!r} appears more than once")
    for i, item in enumerate(model.inputs):
        if item.required and item.default is not None:
            raise WorldError(
                f"{where}.inputs[{i}]: input {item.name!r} is required and has a default; "
                "drop one of them"
            )
    return RetrieverSpec(
        retriever_id=model.retriever_id,
        name=model.name,
        description=model.description,
        collection_ids=tuple(collection_ids),
        inputs=tuple(
            InputField(i.name, i.type, i.required, i.default, i.description, i.field)
            for i in model.inputs
        ),
        stages=tuple(StageSpec(s.name, s.kind) for s in model.stages),
        default_top_k=model.default_top_k,
        credits_per_execution=model.credits_per_execution,
    )


def _parse_source(source: Path | str | bytes | Mapping[str, Any]) -> Any:
    if isinstance(source, Mapping):
        return source
    if (
        isinstance(source, str)
        and "\n" not in source
        and source.endswith((".yaml", ".yml", ".json"))
    ):
        source = Path(source)
    if isinstance(source, Path):
        try:
            text: str | bytes = source.read_bytes()
        except OSError as exc:
            raise WorldError(f"Cannot read world fixture {str(source)!r}: {exc.strerror}") from None
    else:
        text = source
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        raise WorldError(f"World fixture is not valid YAML or JSON: {exc}") from None


def load_world(source: Path | str | bytes | Mapping[str, Any]) -> WorldTemplate:
    """Load and check a world fixture: a file path (YAML or JSON), YAML/JSON text, or a mapping.

    A ``str`` is read as a path when it is one line ending in ``.yaml``, ``.yml`` or
    ``.json``, else as the fixture's text. Raises :class:`WorldError` naming the bad path.
    """
    data = _parse_source(source)
    if not isinstance(data, Mapping):
        raise WorldError(
            "Invalid world fixture: the top level must be a mapping with 'collections' and "
            f"'retrievers', not {type(data).__name__}"
        )
    world = _validated(_WorldModel, data)
    collections: list[CollectionSpec] = []
    resolve: dict[str, str] = {}
    for i, c in enumerate(world.collections):
        where = f"collections[{i}]"
        for key in (c.collection_id, c.name):
            if key in resolve:
                raise DuplicateId(f"{where}: the id or name {key!r} is already taken")
        resolve[c.collection_id] = c.collection_id
        resolve[c.name] = c.collection_id
        documents = _build_documents(c.collection_id, c.documents, 0, set(), f"{where}.documents")
        collections.append(CollectionSpec(c.collection_id, c.name, tuple(documents)))
    retrievers: list[RetrieverSpec] = []
    taken: set[str] = set()
    for i, r in enumerate(world.retrievers):
        where = f"retrievers[{i}]"
        for key in (r.retriever_id, r.name):
            if key in taken:
                raise DuplicateId(f"{where}: the id or name {key!r} is already taken")
        taken.update((r.retriever_id, r.name))
        retrievers.append(_build_retriever(r, resolve, where))
    return WorldTemplate(retrievers=tuple(retrievers), collections=tuple(collections))


def default_world_path() -> Path:
    """The packaged default world fixture."""
    return Path(__file__).with_name("fixtures") / "default_world.yaml"


# --------------------------------------------------------------------------- inputs


def resolve_inputs(retriever: RetrieverSpec, inputs: Mapping[str, Any] | None) -> dict[str, Any]:
    """The request's inputs with the retriever's defaults filled in.

    An input sent as ``null`` counts as absent. Raises :class:`MissingInputs` naming
    every required input that is absent. Inputs the schema does not declare are kept.
    """
    resolved = {k: v for k, v in (inputs or {}).items() if v is not None}
    missing = []
    for spec in retriever.inputs:
        if spec.name in resolved:
            continue
        if spec.required:
            missing.append(spec.name)
        elif spec.default is not None:
            resolved[spec.name] = spec.default
    if missing:
        raise MissingInputs(retriever.retriever_id, missing)
    return resolved


# --------------------------------------------------------------------------- namespace copy


class NamespaceWorld:
    """One namespace's world: shares the template's collections until it changes them."""

    __slots__ = ("_collection_names", "_collections", "_owned", "_retrievers", "version")

    def __init__(
        self,
        collections: Mapping[str, CollectionSpec],
        retrievers: Mapping[str, RetrieverSpec],
    ) -> None:
        self._collections = collections
        self._retrievers = retrievers
        self._collection_names: Mapping[str, str] | None = None
        self._owned = False
        self.version = 0
        """How many changes this world has seen (documents or retrievers added)."""

    @classmethod
    def from_template(cls, template: WorldTemplate) -> NamespaceWorld:
        return cls(template._collections_by_id, template._retrievers_by_id)

    def copy(self) -> NamespaceWorld:
        """A world that starts as this one and changes on its own (copy on write)."""
        twin = NamespaceWorld(self._collections, self._retrievers)
        twin.version = self.version
        return twin

    # -- reading

    @property
    def retrievers(self) -> tuple[RetrieverSpec, ...]:
        return tuple(self._retrievers.values())

    @property
    def collections(self) -> tuple[CollectionSpec, ...]:
        return tuple(self._collections.values())

    def find_retriever(self, id_or_name: str) -> RetrieverSpec | None:
        found = self._retrievers.get(id_or_name)
        if found is not None:
            return found
        return next((r for r in self._retrievers.values() if r.name == id_or_name), None)

    def find_collection(self, id_or_name: str) -> CollectionSpec | None:
        if id_or_name in self._collections:
            return self._collections[id_or_name]
        if self._collection_names is None:
            self._collection_names = {c.name: i for i, c in self._collections.items()}
        collection_id = self._collection_names.get(id_or_name)
        return None if collection_id is None else self._collections[collection_id]

    def resolve_collections(
        self, identifiers: Sequence[str]
    ) -> tuple[list[CollectionSpec], list[str]]:
        """(collections found, in order, duplicates removed after resolving names; unknown identifiers)."""
        found: list[CollectionSpec] = []
        seen: set[str] = set()
        unknown: list[str] = []
        for identifier in identifiers:
            collection = self.find_collection(identifier)
            if collection is None:
                if identifier not in unknown:
                    unknown.append(identifier)
            elif collection.collection_id not in seen:
                seen.add(collection.collection_id)
                found.append(collection)
        return found, unknown

    def collections_of(self, retriever: RetrieverSpec) -> list[CollectionSpec]:
        """The retriever's default collections that exist in this world."""
        return [self._collections[i] for i in retriever.collection_ids if i in self._collections]

    def describe(self) -> dict[str, Any]:
        """This world as ``GET /_mock/world`` answers it."""
        return {
            "retrievers": [
                {
                    "retriever_id": r.retriever_id,
                    "name": r.name,
                    "description": r.description,
                    "collections": list(r.collection_ids),
                    "inputs": [
                        {
                            "name": i.name,
                            "type": i.type,
                            "required": i.required,
                            "default": i.default,
                            "description": i.description,
                        }
                        for i in r.inputs
                    ],
                    "stages": [{"name": s.name, "kind": s.kind} for s in r.stages],
                    "default_top_k": r.default_top_k,
                    "credits_per_execution": r.credits_per_execution,
                }
                for r in self._retrievers.values()
            ],
            "collections": [
                {
                    "collection_id": c.collection_id,
                    "name": c.name,
                    "document_count": len(c.documents),
                }
                for c in self._collections.values()
            ],
        }

    # -- writing (copy on first write)

    def _own(self) -> None:
        if not self._owned:
            self._collections = dict(self._collections)
            self._retrievers = dict(self._retrievers)
            self._owned = True

    def add_documents(self, collection: str, payloads: Sequence[Mapping[str, Any]]) -> int:
        """Add documents (each ``{"document_id"?: ..., "payload": {...}}``) to a collection.

        Returns how many were added. Raises :class:`UnknownCollection`,
        :class:`DuplicateId` or :class:`WorldError` (malformed document); nothing is
        added unless every document is valid.
        """
        current = self.find_collection(collection)
        if current is None:
            raise UnknownCollection(f"No collection has the id or name {collection!r}")
        models = [
            _validated(_DocumentModel, p, f"documents[{i}]", "document")
            for i, p in enumerate(payloads)
        ]
        taken = {d.document_id for d in current.documents}
        added = _build_documents(
            current.collection_id, models, len(current.documents), taken, "documents"
        )
        self._own()
        assert isinstance(self._collections, dict)
        self._collections[current.collection_id] = CollectionSpec(
            current.collection_id, current.name, (*current.documents, *added)
        )
        self._collection_names = None
        self.version += 1
        return len(added)

    def add_retriever(self, spec_or_mapping: RetrieverSpec | Mapping[str, Any]) -> RetrieverSpec:
        """Add a retriever (a :class:`RetrieverSpec` or one retriever in the fixture format).

        Raises :class:`DuplicateId` when its id or name is taken, :class:`UnknownCollection`
        when it names a collection this world lacks, :class:`WorldError` when malformed.
        """
        if isinstance(spec_or_mapping, RetrieverSpec):
            spec = spec_or_mapping
            missing = [i for i in spec.collection_ids if i not in self._collections]
            if missing:
                raise UnknownCollection(f"retriever.collections: no collection {missing[0]!r}")
        else:
            model = _validated(_RetrieverModel, spec_or_mapping, "retriever", "retriever")
            resolve = {c.collection_id: c.collection_id for c in self._collections.values()}
            resolve |= {c.name: c.collection_id for c in self._collections.values()}
            spec = _build_retriever(model, resolve, "retriever")
        for key in (spec.retriever_id, spec.name):
            if self.find_retriever(key) is not None:
                raise DuplicateId(f"A retriever with the id or name {key!r} already exists")
        self._own()
        assert isinstance(self._retrievers, dict)
        self._retrievers[spec.retriever_id] = spec
        self.version += 1
        return spec
