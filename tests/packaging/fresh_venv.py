"""Build the wheel once, install it into fresh virtual environments, offline.

A fresh environment gets exactly what a user's ``pip install
"mixpeek-retriever-toolkit[extras]"`` would give them, without any network:

1. ``python -m venv --without-pip`` makes an empty environment;
2. ``pip --python <venv> install --no-deps --no-index <wheel>`` installs the wheel (its
   modules and its console scripts);
3. the dependencies the combination declares, followed transitively from the wheel's own
   ``Requires-Dist`` (:func:`dependency_closure`), are taken from this repository's
   environment: a directory holds a symlink to each top-level file or folder of exactly those
   distributions (:func:`link_distributions`) and one ``.pth`` line in the fresh
   environment's site-packages points at it. Anything not declared (Schemathesis in the core,
   say) is absent there, so an undeclared import fails as it would for a user.

Subprocesses run with a clean environment (:func:`clean_environment`) and bounded timeouts.
"""

from __future__ import annotations

import email.parser
import importlib.metadata
import json
import os
import re
import selectors
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

REPO = Path(__file__).resolve().parents[2]
PROJECT = canonicalize_name("mixpeek-retriever-toolkit")
#: The one top-level import name the wheel installs.
IMPORT_NAME = "mixpeek_toolkit"
#: Seconds any one subprocess (a build, an install, a pytest run) may take.
SUBPROCESS_TIMEOUT = 120.0
#: Seconds the ``mixpeek-mock`` console script may take to print its start-up line.
START_TIMEOUT = 30.0

#: Environment variables that would let this session leak into a fresh environment's runs.
_LEAKY_VARIABLES = re.compile(
    r"PYTHONPATH|PYTHONHOME|PYTHONSTARTUP|PYTHONUSERBASE|VIRTUAL_ENV|PYTEST_.*|MIXPEEK_.*"
    r"|PIP_.*|HYPOTHESIS_.*"
)


def clean_environment(venv: Path | None = None) -> dict[str, str]:
    """This process's environment without what would leak into a subprocess.

    No ``PYTHONPATH`` or ``PYTEST_*`` / ``MIXPEEK_*`` variable, no bytecode written (the
    dependencies are symlinks into this repository's environment), and the fresh environment's
    ``bin`` first on ``PATH``.
    """
    environment = {
        key: value for key, value in os.environ.items() if not _LEAKY_VARIABLES.fullmatch(key)
    }
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    if venv is not None:
        environment["PATH"] = os.pathsep.join([str(venv / "bin"), environment.get("PATH", "")])
    return environment


def run(
    *command: str | Path,
    cwd: Path | None = None,
    venv: Path | None = None,
    check: bool = True,
    timeout: float = SUBPROCESS_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` to completion (text output captured); with ``check``, it must succeed."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=clean_environment(venv),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if check:
        assert result.returncode == 0, describe(result)
    return result


def describe(result: subprocess.CompletedProcess[str]) -> str:
    command = " ".join(str(part) for part in result.args)
    return (
        f"`{command}` exited with {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )


# -- the wheel ----------------------------------------------------------------------------


def build_wheel(outdir: Path) -> Path:
    """``python -m build --wheel`` of this repository into ``outdir``; the wheel's path.

    ``--no-isolation``: the build backend (hatchling, pinned in pyproject.toml) comes from this
    environment, so no network is needed.
    """
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", outdir, REPO)
    [wheel] = outdir.glob("*.whl")
    return wheel


@dataclass(frozen=True)
class BuiltWheel:
    """A built wheel, read as the zip file it is."""

    path: Path

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Every file in the wheel, as a ``/``-separated path."""
        with zipfile.ZipFile(self.path) as archive:
            return tuple(archive.namelist())

    @cached_property
    def dist_info(self) -> str:
        [folder] = {name.split("/")[0] for name in self.names if ".dist-info/" in name}
        return folder

    def read(self, name: str) -> str:
        with zipfile.ZipFile(self.path) as archive:
            return archive.read(name).decode()

    @cached_property
    def metadata(self) -> Message:
        return email.parser.Parser().parsestr(self.read(f"{self.dist_info}/METADATA"))

    @property
    def requires(self) -> list[str]:
        """The ``Requires-Dist`` lines of the wheel (markers included)."""
        return self.metadata.get_all("Requires-Dist") or []

    @property
    def extras(self) -> list[str]:
        return self.metadata.get_all("Provides-Extra") or []

    @cached_property
    def top_level_names(self) -> frozenset[str]:
        """The first path component of every installed file: what lands in site-packages."""
        return frozenset(name.split("/")[0] for name in self.names)


# -- the dependencies of one combination of extras -----------------------------------------


def dependency_closure(
    wheel: BuiltWheel, extras: Iterable[str] = (), also: Iterable[str] = ()
) -> dict[NormalizedName, importlib.metadata.Distribution]:
    """Every distribution a user gets with ``pip install "<wheel>[extras]"``.

    Starts from the wheel's ``Requires-Dist`` for the requested extras (none: the core),
    evaluates markers for this interpreter, and follows each dependency's own requirements
    transitively, with the extras a requirement asks for (``foo[bar]``). The distributions
    are this environment's; each must satisfy the version range that asked for it. The
    project itself (a self-reference such as ``[dev]`` naming ``[contracts,pytest]``) only
    adds its requirements for those extras. ``also`` names requirements the user installed
    on their own, beside the wheel (``"pytest"``).
    """
    found: dict[NormalizedName, importlib.metadata.Distribution] = {}
    followed: set[tuple[NormalizedName, str]] = set()
    pending: list[tuple[NormalizedName, str]] = [(PROJECT, "")]
    pending += [(PROJECT, extra) for extra in extras]
    for line in also:
        requirement = Requirement(line)
        dependency = canonicalize_name(requirement.name)
        found[dependency] = _installed(requirement)
        pending.append((dependency, ""))
    while pending:
        name, extra = pending.pop()
        if (name, extra) in followed:
            continue
        followed.add((name, extra))
        requires = wheel.requires if name == PROJECT else (found[name].requires or [])
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
                continue
            dependency = canonicalize_name(requirement.name)
            if dependency != PROJECT and dependency not in found:
                found[dependency] = _installed(requirement)
            pending.append((dependency, ""))
            pending += [(dependency, wanted) for wanted in requirement.extras]
    return found


def _installed(requirement: Requirement) -> importlib.metadata.Distribution:
    try:
        distribution = importlib.metadata.distribution(requirement.name)
    except importlib.metadata.PackageNotFoundError:
        raise AssertionError(
            f"{requirement} is required but not installed in {sys.prefix}; run `make install`."
        ) from None
    assert requirement.specifier.contains(distribution.version, prereleases=True), (
        f"{requirement} is required but {requirement.name} {distribution.version} is installed"
    )
    return distribution


def top_level_entries(distribution: importlib.metadata.Distribution) -> set[str]:
    """The top-level files and folders a distribution installed into site-packages.

    Files outside site-packages (``../../bin/...`` scripts) and ``.pth`` files (which would
    bring their own paths along) are left out, and so is the shared ``__pycache__``.
    """
    files = distribution.files
    assert files is not None, f"{distribution.metadata['Name']} has no RECORD"
    entries = set()
    for file in files:
        parts = PurePosixPath(str(file)).parts
        if parts[0] in ("..", "__pycache__") or (len(parts) == 1 and file.suffix == ".pth"):
            continue
        entries.add(parts[0])
    return entries


def link_distributions(
    distributions: Iterable[importlib.metadata.Distribution], into: Path
) -> list[str]:
    """Symlink each top-level file and folder of ``distributions`` into ``into``; their names."""
    into.mkdir(parents=True)
    linked = []
    for distribution in distributions:
        for entry in top_level_entries(distribution):
            source = Path(str(distribution.locate_file(entry)))
            if not source.exists():  # listed in RECORD, gone since (a removed cache file)
                continue
            link = into / entry
            if link.is_symlink():  # a folder two distributions share
                assert link.resolve() == source.resolve(), (link, source)
                continue
            link.symlink_to(source, target_is_directory=source.is_dir())
            linked.append(entry)
    return sorted(linked)


# -- fresh environments ---------------------------------------------------------------------


@dataclass(frozen=True)
class FreshVenv:
    """A virtual environment with the wheel installed and only its declared dependencies."""

    root: Path
    extras: tuple[str, ...]
    site_packages: Path
    distributions: frozenset[NormalizedName]
    """The dependencies it got (the closure of the wheel's requirements for ``extras``)."""

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def script(self, name: str) -> Path:
        """A console script the wheel installed (``mixpeek-mock``, ``mixpeek-contracts``)."""
        path = self.root / "bin" / name
        assert path.is_file(), f"the wheel installed no {name} script into {path.parent}"
        return path

    def run(
        self, *command: str | Path, cwd: Path, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return run(*command, cwd=cwd, venv=self.root, check=check)

    def run_python(
        self, code: str, *, cwd: Path, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return self.run(self.python, "-c", code, cwd=cwd, check=check)

    def run_pytest(self, project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
        """pytest in ``project`` (no cache written), which must pass."""
        return self.run(
            self.python, "-m", "pytest", "-p", "no:cacheprovider", "-q", *arguments, cwd=project
        )

    def importable(self, *modules: str, cwd: Path) -> dict[str, bool]:
        """Whether each top-level module can be found from ``cwd`` in this environment."""
        code = (
            "import importlib.util, json, sys\n"
            "print(json.dumps({m: importlib.util.find_spec(m) is not None for m in sys.argv[1:]}))"
        )
        result = self.run(self.python, "-c", code, *modules, cwd=cwd)
        return json.loads(result.stdout)


def create_fresh_venv(
    wheel: BuiltWheel, extras: Sequence[str], where: Path, also: Sequence[str] = ()
) -> FreshVenv:
    """A fresh environment in ``where``: the wheel and what ``extras`` declare (and the
    requirements ``also`` names, installed by the user beside it), nothing else."""
    root, dependencies = where / "venv", where / "dependencies"
    run(sys.executable, "-m", "venv", "--without-pip", root)
    python = root / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    site_packages = Path(purelib.stdout.strip())
    closure = dependency_closure(wheel, extras, also)
    link_distributions(closure.values(), dependencies)
    # .pth files in `dependencies` are not processed: only that directory joins sys.path.
    (site_packages / "toolkit_dependencies.pth").write_text(f"{dependencies}\n")
    run(
        sys.executable, "-m", "pip", "--python", python, "install",
        "--no-deps", "--no-index", "--quiet", "--disable-pip-version-check", wheel.path,
    )  # fmt: skip
    return FreshVenv(
        root=root,
        extras=tuple(extras),
        site_packages=site_packages,
        distributions=frozenset(closure),
    )


def write_project(folder: Path, files: Mapping[str, str]) -> Path:
    """A user's project outside this repository: ``files`` by relative path."""
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


#: The pytest.ini of every outside project: any warning is an error, as in this repository.
STRICT_PYTEST_INI = "[pytest]\nfilterwarnings = error\n"


def assert_pytest_passed(result: subprocess.CompletedProcess[str], passed: int) -> None:
    """The pytest run passed exactly ``passed`` tests, none skipped, no warning."""
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert re.fullmatch(rf"{passed} passed in [\d.]+s( \([\d:]+\))?", summary), describe(result)


# -- the mock's console script --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def console_mock(venv: FreshVenv, cwd: Path, attempts: int = 3) -> Iterator[str]:
    """Run ``mixpeek-mock --port <free port>``; its base URL once its start-up line is out.

    Readiness is the line the CLI prints after uvicorn bound the port, read with a deadline;
    a port taken meanwhile by someone else is retried with another one. The process is
    terminated (then killed) when the block ends.
    """
    for attempt in range(1, attempts + 1):
        port = _free_port()
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(
                [str(venv.script("mixpeek-mock")), "--host", "127.0.0.1", "--port", str(port)],
                cwd=cwd,
                env=clean_environment(venv.root),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
            try:
                banner = _read_until(process, b"listening on ", START_TIMEOUT)
                if banner is not None:
                    base_url = f"http://127.0.0.1:{port}"
                    assert f"listening on {base_url}" in banner, banner
                    yield base_url
                    return
            finally:
                _stop(process)
            errors.seek(0)
            text = errors.read().decode(errors="replace")
        if "address already in use" in text.lower() and attempt < attempts:
            continue
        raise AssertionError(
            f"mixpeek-mock exited with {process.returncode} before it listened:\n{text}"
        )
    raise AssertionError("unreachable")  # pragma: no cover


def _read_until(process: subprocess.Popen[bytes], marker: bytes, timeout: float) -> str | None:
    """Stdout up to the end of the line holding ``marker``; ``None`` if the process exited."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while not (marker in seen and seen.endswith(b"\n")):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {marker!r} from the process within {timeout} s: {seen!r}")
            if not selector.select(remaining):
                continue
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                return None
            seen += chunk
    return seen.decode()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the process, kill it if it lingers, and close its output pipe."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


def http_json(
    method: str, url: str, *, headers: Mapping[str, str] | None = None, body: Any = None
) -> tuple[int, Any]:
    """One request with the standard library (no proxy); the status and the decoded JSON."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        return response.status, json.loads(response.read())
