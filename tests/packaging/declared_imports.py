"""Check that every import of a shipped module is declared for the part it belongs to.

The wheel has three parts, each with its own declaration in pyproject.toml:

- the **core** (``spec/``, ``generated/``, ``mockserver/`` but its ``testing/``):
  ``[project].dependencies``, what a plain ``pip install`` brings;
- the **pytest** part (``mockserver/testing/``, the fixtures and their engine): the core and
  ``[project.optional-dependencies] pytest``;
- the **contracts** part (``contracts/``): the core and ``[project.optional-dependencies]
  contracts``.

Every ``.py`` file is parsed (never imported); each absolute import, at any depth (inside
functions too), names a top-level module. The standard library and the toolkit itself are
left out; any other name is mapped to the distribution that provides it in this
environment, which the part must declare *directly*: a distribution that only comes as a
dependency of a declared one may disappear with its next release. A part that imports
another part (relatively, e.g. ``contracts`` -> ``..mockserver.testing``) must also
declare what that part imports.
"""

from __future__ import annotations

import ast
import importlib.metadata
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

#: The project's own import name: ``mixpeek_toolkit.<folder>`` is the folder installed.
IMPORT_NAME = "mixpeek_toolkit"


@dataclass(frozen=True)
class Part:
    """Folders of the repository shipped together, declared by one section of pyproject."""

    name: str
    folders: tuple[str, ...]
    extra: str | None
    """The extra that declares what this part adds to the core; ``None`` for the core."""

    @property
    def declaration(self) -> str:
        """Where in pyproject.toml a dependency of this part is declared."""
        if self.extra is None:
            return "[project].dependencies"
        return f"[project.optional-dependencies] {self.extra}"


CORE = Part("core", ("spec", "generated", "mockserver"), extra=None)
PYTEST = Part("pytest", ("mockserver/testing",), extra="pytest")
CONTRACTS = Part("contracts", ("contracts",), extra="contracts")
PARTS = (CORE, PYTEST, CONTRACTS)


def part_of(module: str, parts: Sequence[Part] = PARTS) -> Part | None:
    """The part of a module path (``mockserver/testing/handle.py``): its longest folder."""
    owners = [
        (len(folder), part)
        for part in parts
        for folder in part.folders
        if module == folder or module.startswith(f"{folder}/")
    ]
    return max(owners, key=lambda owner: owner[0])[1] if owners else None


@dataclass(frozen=True)
class Allowed:
    """An import a part may make without declaring it, and why."""

    module: str
    imported: str
    reason: str


@dataclass(frozen=True)
class Import:
    """One absolute import of a third-party top-level module."""

    module: str
    line: int
    name: str

    @property
    def top(self) -> str:
        return self.name.split(".")[0]


@dataclass
class ModuleImports:
    """What one shipped module imports: third-party modules and other shipped modules."""

    module: str
    third_party: list[Import] = field(default_factory=list)
    internal: set[str] = field(default_factory=set)
    """Shipped modules imported, as paths without suffix (``mockserver/testing/server``)."""
    generic: list[Import] = field(default_factory=list)
    """Absolute imports of a shipped folder by its bare name (``import mockserver``)."""


def scan_module(root: Path, path: Path, shipped_folders: Iterable[str]) -> ModuleImports:
    module = path.relative_to(root).as_posix()
    found = ModuleImports(module)
    package = list(path.relative_to(root).parent.parts)
    shipped = {folder.split("/")[0] for folder in shipped_folders}
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                _absolute(found, node.lineno, alias.name, shipped)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            assert node.module is not None
            _absolute(found, node.lineno, node.module, shipped)
            if node.module == IMPORT_NAME:
                found.internal.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - (node.level - 1)]
            target = [*base, *(node.module.split(".") if node.module else [])]
            found.internal.add("/".join(target))
            # `from .. import spec` and `from . import checks` import modules by name.
            found.internal.update("/".join([*target, alias.name]) for alias in node.names)
    return found


def _absolute(found: ModuleImports, line: int, name: str, shipped: set[str]) -> None:
    top = name.split(".")[0]
    if top == IMPORT_NAME:
        found.internal.add("/".join(name.split(".")[1:]))
    elif top in shipped:
        found.generic.append(Import(found.module, line, name))
    elif top not in sys.stdlib_module_names and top != "__future__":
        found.third_party.append(Import(found.module, line, name))


def scan(root: Path, parts: Sequence[Part] = PARTS) -> list[ModuleImports]:
    """Every shipped ``.py`` file under ``root`` (a checkout) and what it imports."""
    folders = [folder for part in parts for folder in part.folders]
    paths = sorted(
        {
            path
            for folder in folders
            for path in (root / folder).rglob("*.py")
            if "__pycache__" not in path.parts
        }
    )
    return [scan_module(root, path, folders) for path in paths]


def declared_distributions(pyproject: Path) -> dict[str | None, frozenset[NormalizedName]]:
    """What pyproject.toml declares directly: ``None`` is the core, other keys the extras.

    An extra naming the project itself (``[dev]`` -> ``project[contracts,pytest]``)
    declares those extras' requirements too.
    """
    project = tomllib.loads(pyproject.read_text())["project"]
    own = canonicalize_name(project["name"])
    optional: Mapping[str, list[str]] = project.get("optional-dependencies", {})

    def names(requirements: Iterable[str], seen: frozenset[str]) -> set[NormalizedName]:
        result: set[NormalizedName] = set()
        for line in requirements:
            requirement = Requirement(line)
            if canonicalize_name(requirement.name) != own:
                result.add(canonicalize_name(requirement.name))
                continue
            for extra in requirement.extras - seen:
                result |= names(optional.get(extra, []), seen | {extra})
        return result

    declared: dict[str | None, frozenset[NormalizedName]] = {
        None: frozenset(names(project.get("dependencies", []), frozenset()))
    }
    for extra, requirements in optional.items():
        declared[extra] = frozenset(names(requirements, frozenset({extra})))
    return declared


@cache
def _providers() -> Mapping[str, tuple[NormalizedName, ...]]:
    return {
        top: tuple(sorted({canonicalize_name(name) for name in names}))
        for top, names in importlib.metadata.packages_distributions().items()
    }


def providers(top: str) -> tuple[NormalizedName, ...]:
    """The installed distributions that provide the top-level module ``top``."""
    return _providers().get(top, ())


def _required_by(distribution: str, declared: Iterable[str]) -> list[str]:
    """Which of the declared distributions require ``distribution`` (one level down, no extra)."""
    requiring = []
    for name in sorted(declared):
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for line in requires:
            requirement = Requirement(line)
            unconditional = requirement.marker is None or requirement.marker.evaluate({"extra": ""})
            if unconditional and canonicalize_name(requirement.name) == distribution:
                requiring.append(name)
                break
    return requiring


@dataclass(frozen=True)
class Undeclared:
    """An import a part makes (itself, or through a part it imports) without declaring it."""

    part: Part
    imported: Import
    providers: tuple[str, ...]
    via: Part | None
    """The other part through which ``part`` reaches the import, if not ``part`` itself."""
    comes_with: tuple[str, ...] = ()
    """Declared distributions that bring the provider along as their own dependency."""

    def __str__(self) -> str:
        where = f"{self.imported.module}:{self.imported.line}"
        what = f"`{self.imported.name}`"
        if self.via is not None:
            subject = (
                f"the {self.part.name} part imports the {self.via.name} part, whose {where} "
                f"imports {what}"
            )
        else:
            subject = f"{where} (the {self.part.name} part) imports {what}"
        if not self.providers:
            return f"{subject}, but no installed distribution provides `{self.imported.top}`."
        distributions = " or ".join(self.providers)
        hint = ""
        if self.comes_with:
            hint = f" (today it only comes as a dependency of {', '.join(self.comes_with)})"
        return (
            f"{subject} (distribution {distributions}), which the {self.part.name} part does "
            f"not declare{hint}: declare {distributions} in {self.part.declaration} of "
            "pyproject.toml."
        )


@dataclass(frozen=True)
class GenericImport:
    """An absolute import of a shipped folder by its bare name: absent once installed."""

    imported: Import

    def __str__(self) -> str:
        return (
            f"{self.imported.module}:{self.imported.line} imports `{self.imported.name}`, "
            f"which exists only in this checkout: installed it is "
            f"`{IMPORT_NAME}.{self.imported.name}`; import it relatively."
        )


def reached_parts(
    part: Part, modules: Sequence[ModuleImports], parts: Sequence[Part]
) -> list[Part]:
    """``part`` and every part it imports, directly or through another part."""
    uses: dict[Part, set[Part]] = {each: set() for each in parts}
    for module in modules:
        owner = part_of(module.module, parts)
        for target in module.internal:
            used = part_of(target, parts)
            if owner is not None and used is not None and used != owner:
                uses[owner].add(used)
    reached, pending = [part], [part]
    while pending:
        for used in sorted(uses[pending.pop()], key=lambda each: each.name):
            if used not in reached:
                reached.append(used)
                pending.append(used)
    return reached


def undeclared_imports(
    root: Path,
    pyproject: Path,
    allowed: Iterable[Allowed] = (),
    parts: Sequence[Part] = PARTS,
) -> list[Undeclared | GenericImport]:
    """Every import of a shipped module under ``root`` that its part does not declare."""
    modules = scan(root, parts)
    declared = declared_distributions(pyproject)
    exempt = {(each.module, each.imported) for each in allowed}
    problems: list[Undeclared | GenericImport] = [
        GenericImport(imported) for module in modules for imported in module.generic
    ]

    def declares(part: Part) -> frozenset[NormalizedName]:
        return declared[None] | declared.get(part.extra, frozenset())

    for part in parts:
        for reached in reached_parts(part, modules, parts):
            for imported in _third_party(modules, reached, parts):
                if (imported.module, imported.top) in exempt:
                    continue
                found = providers(imported.top)
                if set(found) & declares(part):
                    continue
                if reached != part and not set(found) & declares(reached):
                    continue  # reported once, for the part whose module imports it
                part_declares = declares(part)
                comes_with = tuple(
                    name for each in found for name in _required_by(each, part_declares)
                )
                via = None if reached == part else reached
                problems.append(Undeclared(part, imported, found, via, comes_with))
    return problems


def _third_party(
    modules: Sequence[ModuleImports], part: Part, parts: Sequence[Part]
) -> Iterator[Import]:
    """The first import of each top-level name in each module of ``part``."""
    for module in modules:
        if part_of(module.module, parts) != part:
            continue
        seen: set[str] = set()
        for imported in sorted(module.third_party, key=lambda each: each.line):
            if imported.top not in seen:
                seen.add(imported.top)
                yield imported
