"""The public surface and the docs agree.

For each public package: ``__all__`` lists exactly the public names the package defines;
every one of them is named in the docs (README.md and docs/*.md); the docs' Python examples
import only exported names (or names a submodule defines, for advanced use); and no doc
still uses the import names of before ``mixpeek_toolkit`` (``from mockserver import ...``,
``python -m contracts``, ``mockserver.Settings`` ...).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = (REPO / "README.md", *sorted((REPO / "docs").glob("*.md")))

#: Each public package, and the doc that documents it (where a missing name should go).
PACKAGES = {
    "mixpeek_toolkit.mockserver": "docs/mockserver.md",
    "mixpeek_toolkit.mockserver.testing": "docs/plugin.md",
    "mixpeek_toolkit.contracts": "docs/contracts.md",
}
#: The repository's top-level folders, installed as ``mixpeek_toolkit.<part>``.
PARTS = ("spec", "generated", "mockserver", "contracts")
#: The commands that replace ``python -m <part>``.
COMMANDS = {"mockserver": "mixpeek-mock", "contracts": "mixpeek-contracts"}

FENCE = re.compile(r"^[ \t]*```([\w+-]*)[^\n]*\n(.*?)^[ \t]*```", re.M | re.S)
INLINE_CODE = re.compile(r"`([^`]+)`")
PARTS_PATTERN = "|".join(PARTS)
STALE_RUN = re.compile(rf"\bpython3?(?:\.\d+)?\s+-m\s+({PARTS_PATTERN})((?:\.\w+)*)\b")
STALE_FROM = re.compile(
    rf"(?<![\w.])from\s+({PARTS_PATTERN})((?:\.\w+)*)\s+import\s+\(?\s*(\w+(?:\s*,\s*\w+)*)"
)
STALE_IMPORT = re.compile(rf"(?<![\w.])import\s+({PARTS_PATTERN})((?:\.\w+)*)(?![\w/-])")
FROM_BEFORE = re.compile(r"\bfrom\s+[\w.]+\s+$")
IMPORT_KEYWORD_BEFORE = re.compile(r"\b(?:from|import)\s+$")
STALE_DOTTED = re.compile(rf"(?<![\w./-])({PARTS_PATTERN})((?:\.[A-Za-z_]\w*)+)")
#: ``contracts.md`` or ``reports/contracts.xml`` is a file, not a dotted name.
FILE_SUFFIXES = frozenset({"py", "md", "yaml", "yml", "json", "xml", "toml", "txt", "cfg", "ini"})


@dataclass(frozen=True)
class Doc:
    path: Path
    text: str

    @property
    def name(self) -> str:
        return self.path.relative_to(REPO).as_posix()

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def fenced_blocks(self) -> list[tuple[str, int, str]]:
        """``(language, first line of the code, code)`` of every fenced code block."""
        return [
            (match.group(1), self.line_of(match.start(2)), match.group(2))
            for match in FENCE.finditer(self.text)
        ]

    def code(self) -> list[tuple[int, str]]:
        """Every piece of code with the line it starts on: fenced blocks, then inline spans."""
        pieces = [(line, code) for _language, line, code in self.fenced_blocks()]
        prose = FENCE.sub(lambda match: "\n" * match.group(0).count("\n"), self.text)
        pieces += [
            (prose.count("\n", 0, match.start(1)) + 1, match.group(1))
            for match in INLINE_CODE.finditer(prose)
        ]
        return pieces


def load_docs() -> tuple[Doc, ...]:
    return tuple(Doc(path, path.read_text(encoding="utf-8")) for path in DOCS)


def package_file(module: ModuleType) -> str:
    return Path(module.__file__).resolve().relative_to(REPO).as_posix()


def public_names(module: ModuleType) -> set[str]:
    """The public names a package defines: not underscored, not modules, not __future__."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not inspect.ismodule(value)
        and type(value).__module__ != "__future__"
    }


def defining_module(package: str, name: str) -> str | None:
    """The already imported submodule of ``package`` that defines ``name``, if any."""
    for module_name, module in sorted(sys.modules.items()):
        if module_name.startswith(package + ".") and module is not None:
            value = vars(module).get(name)
            if value is not None and getattr(value, "__module__", module_name) == module_name:
                return module_name
    return None


def modern(part: str, rest: str) -> str:
    return f"mixpeek_toolkit.{part}{rest}"


# -- (a) __all__ is what the package defines --


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_in_all_exists(package):
    module = importlib.import_module(package)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert not missing, (
        f"{package}.__all__ lists {missing}, which {package_file(module)} does not define: "
        f"import them there, or remove them from __all__."
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_every_public_name_the_package_defines(package):
    module = importlib.import_module(package)
    exported, defined = set(module.__all__), public_names(module)
    assert len(module.__all__) == len(exported), f"{package}.__all__ repeats a name."
    problems = []
    if defined - exported:
        problems.append(
            f"{package} defines public names missing from __all__: {sorted(defined - exported)}. "
            f"Add them to __all__ in {package_file(module)} (and document them in "
            f"{PACKAGES[package]}), or import them under a name starting with '_'."
        )
    if exported - defined:
        problems.append(
            f"{package}.__all__ lists {sorted(exported - defined)}, which are not public names "
            f"of the package (a module, or missing): remove them from __all__ in "
            f"{package_file(module)}."
        )
    assert not problems, "\n".join(problems)


# -- (b) every exported name is documented --


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_is_named_in_the_docs(package):
    module = importlib.import_module(package)
    code = "\n".join(piece for doc in load_docs() for _line, piece in doc.code())
    undocumented = [
        name for name in module.__all__ if not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", code)
    ]
    assert not undocumented, (
        f"{package} exports {undocumented}, which no doc names in code (`...` or a code "
        f"block): say what each is in {PACKAGES[package]} (or README.md), e.g. "
        f"`{package}.{undocumented[0]}`, or remove it from __all__ in {package_file(module)}."
    )


# -- (c) the docs' examples import what exists --


def import_problems(doc: Doc, first_line: int, code: str) -> list[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        line = first_line + (error.lineno or 1) - 1
        return [
            f"{doc.name}:{line}: this ```python block does not parse ({error.msg}); fix it, "
            f"or fence it as another language."
        ]
    problems = []
    for node in ast.walk(tree):
        line = first_line + getattr(node, "lineno", 1) - 1
        where = f"{doc.name}:{line}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "mixpeek_toolkit" and not module_exists(alias.name):
                    problems.append(f"{where}: `import {alias.name}`: no such module.")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == (
            "mixpeek_toolkit"
        ):
            problems += from_import_problems(where, node)
    return problems


def module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def from_import_problems(where: str, node: ast.ImportFrom) -> list[str]:
    package = node.module or ""
    names = [alias.name for alias in node.names]
    statement = f"`from {package} import {', '.join(names)}`"
    if not module_exists(package):
        return [f"{where}: {statement}: there is no module {package}."]
    module = importlib.import_module(package)
    problems = []
    for name in names:
        if module_exists(f"{package}.{name}"):
            continue  # a submodule
        if package in PACKAGES:
            if name in module.__all__:
                continue
            home = defining_module(package, name)
            instead = (
                f"import it from the module that defines it (`from {home} import {name}`), "
                if home
                else ""
            )
            problems.append(
                f"{where}: {statement}: {name!r} is not in {package}.__all__ "
                f"({', '.join(module.__all__)}); import only those, {instead}or export it "
                f"from {package_file(module)} and document it in {PACKAGES[package]}."
            )
        elif not hasattr(module, name):
            problems.append(f"{where}: {statement}: {package} defines no {name!r}.")
    return problems


def test_the_docs_python_examples_import_only_what_the_toolkit_exports():
    problems = [
        problem
        for doc in load_docs()
        for language, line, code in doc.fenced_blocks()
        if language in ("python", "py")
        for problem in import_problems(doc, line, code)
    ]
    assert not problems, "\n".join(problems)


def test_the_import_check_reads_the_docs_examples():
    """The check above would pass on docs it cannot read; make sure it reads imports."""
    imports = [
        line
        for doc in load_docs()
        for language, _line, code in doc.fenced_blocks()
        if language == "python"
        for line in code.splitlines()
        if line.startswith("from mixpeek_toolkit.")
    ]
    modules = {line.split()[1] for line in imports}
    assert set(PACKAGES) <= modules, f"no doc example imports from {set(PACKAGES) - modules}"


# -- (d) no doc uses the names of before mixpeek_toolkit --


def exported_home(module: str, names: list[str]) -> str:
    """The public package at or above ``module`` that exports every name; else ``module``."""
    for package in sorted(PACKAGES, key=len, reverse=True):
        inside = module == package or module.startswith(package + ".")
        if inside and set(names) <= set(importlib.import_module(package).__all__):
            return package
    return module


def stale_uses(doc: Doc) -> list[str]:
    """Each use of a name of before mixpeek_toolkit, with its line and what to write instead."""
    found: set[tuple[int, str]] = set()

    def report(line: int, old: str, new: str) -> None:
        found.add((line, f"{doc.name}:{line}: `{old}` -> write {new}."))

    for match in STALE_RUN.finditer(doc.text):
        part, rest = match.groups()
        instead = f"`python -m {modern(part, rest)}`"
        if not rest and part in COMMANDS:
            instead = f"`{COMMANDS[part]}` (or {instead})"
        report(doc.line_of(match.start()), match.group(0), instead)
    for match in STALE_FROM.finditer(doc.text):
        part, rest, names = match.groups()
        names = ", ".join(re.split(r"\s*,\s*", names))
        home = exported_home(modern(part, rest), names.split(", "))
        report(
            doc.line_of(match.start()),
            f"from {part}{rest} import {names}",
            f"`from {home} import {names}`",
        )
    for match in STALE_IMPORT.finditer(doc.text):
        line_start = doc.text.rfind("\n", 0, match.start()) + 1
        if FROM_BEFORE.search(doc.text[line_start : match.start()]):
            continue  # `from mixpeek_toolkit import mockserver`
        part, rest = match.groups()
        instead = f"`import {modern(part, rest)}`"
        if (part, rest) == ("contracts", ".checks"):
            instead = "`import mixpeek_toolkit.contracts` (importing it registers the rules)"
        report(doc.line_of(match.start()), f"import {part}{rest}", instead)
    for line, code in doc.code():
        for match in STALE_DOTTED.finditer(code):
            part, rest = match.groups()
            if rest.rsplit(".", 1)[-1] in FILE_SUFFIXES:
                continue  # a file: contracts.md
            if IMPORT_KEYWORD_BEFORE.search(code[: match.start()]):
                continue  # an import statement, reported above
            module, _, name = modern(part, rest).rpartition(".")
            home = exported_home(module, [name])
            instead = f"{home}.{name}" if home != module else modern(part, rest)
            report(
                line + code.count("\n", 0, match.start()),
                match.group(0),
                f"`{instead}` (a file keeps its path: `{part}/...`)",
            )
    return [message for _line, message in sorted(found)]


def test_no_doc_uses_the_import_names_of_before_mixpeek_toolkit():
    stale = [use for doc in load_docs() for use in stale_uses(doc)]
    assert not stale, "Installed, every part lives under mixpeek_toolkit:\n" + "\n".join(stale)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "python -m mockserver --help",
            "`mixpeek-mock` (or `python -m mixpeek_toolkit.mockserver`)",
        ),
        ("python -m contracts", "`mixpeek-contracts`"),
        ("python -m mockserver.cli", "`python -m mixpeek_toolkit.mockserver.cli`"),
        ("from mockserver import Settings", "`from mixpeek_toolkit.mockserver import Settings`"),
        (
            "from mockserver.testing import MockHandle, MockServer",
            "testing import MockHandle, Mock",
        ),
        ("from contracts import Target", "`from mixpeek_toolkit.contracts import Target`"),
        ("from contracts.suite import run_contract", "`from mixpeek_toolkit.contracts import run"),
        (
            "from mockserver.world import load_world",
            "`from mixpeek_toolkit.mockserver.world import",
        ),
        ("from generated import\nmodels", "`from mixpeek_toolkit.generated import models`"),
        ("import contracts.checks", "`import mixpeek_toolkit.contracts` (importing it registers"),
        ("a `contracts.target.Target`", "`mixpeek_toolkit.contracts.Target`"),
        ('`classname="contracts.rules"`', "`mixpeek_toolkit.contracts.rules`"),
        ("the `mockserver.Settings` fields", "`mixpeek_toolkit.mockserver.Settings`"),
        ("`mockserver.scoring.embed_text`", "`mixpeek_toolkit.mockserver.scoring.embed_text`"),
    ],
)
def test_a_stale_name_is_caught_with_its_replacement(text, says):
    found = stale_uses(Doc(REPO / "docs" / "example.md", text))
    assert len(found) == 1 and says in found[0], found


@pytest.mark.parametrize(
    "text",
    [
        "from mixpeek_toolkit.mockserver import Settings",
        "from mixpeek_toolkit import mockserver",
        "import mixpeek_toolkit.contracts",
        "mixpeek-mock --help; python -m mixpeek_toolkit.contracts",
        "`mockserver/engine_cache.py`, `contracts/checks.py`, `reports/contracts.xml`",
        "`spec/openapi.yaml`, `mockserver.md`, [docs/contracts.md](docs/contracts.md)",
        "derived from spec/openapi.yaml; the rules from contracts/rules.py",
        "`mixpeek_toolkit.mockserver.ExecutionStore`",
    ],
)
def test_current_names_and_file_paths_are_not_stale(text):
    assert stale_uses(Doc(REPO / "docs" / "example.md", text)) == []


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (
            "from mixpeek_toolkit.mockserver import Settings, Scenario",
            "'Scenario' is not in mixpeek_toolkit.mockserver.__all__ (",
        ),
        ("from mixpeek_toolkit.contracts import checks", None),
        ("from mixpeek_toolkit.mockserver.world import load_world", None),
        (
            "from mixpeek_toolkit.generated.models import Nope",
            "mixpeek_toolkit.generated.models defines no 'Nope'",
        ),
        (
            "from mixpeek_toolkit.mockserver.nowhere import x",
            "there is no module mixpeek_toolkit.mockserver.nowhere",
        ),
        ("import mixpeek_toolkit.nowhere", "`import mixpeek_toolkit.nowhere`: no such module"),
        ("print('unclosed'", "does not parse"),
    ],
)
def test_a_doc_import_of_something_unexported_is_caught(code, says):
    import mixpeek_toolkit.mockserver.scenarios  # noqa: F401  (imported by the app already)

    problems = import_problems(Doc(REPO / "docs" / "example.md", code), 10, code)
    if says is None:
        assert problems == []
    else:
        assert len(problems) == 1 and says in problems[0], problems
        assert problems[0].startswith("docs/example.md:10: ")
    if "Scenario" in code:
        assert "(`from mixpeek_toolkit.mockserver.scenarios import Scenario`)" in problems[0]
