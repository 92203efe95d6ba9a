"""Contract suites: verify that any server keeps the contract of spec/openapi.yaml.

``mixpeek-contracts --base-url URL ...`` (or ``python -m mixpeek_toolkit.contracts``) runs
everything against a server. In Python, describe the server with :class:`Target`, then
either run the whole contract with :func:`run_contract` (it answers a :class:`Report`), or
load the Schemathesis schema aimed at it with :func:`load_schema` for your own suites.
Importing this package registers the semantic rules as Schemathesis checks.
"""

try:
    import schemathesis  # noqa: F401  (the suites are built on it)
except ImportError as missing:  # the core was installed without this extra
    raise ImportError(
        f"mixpeek_toolkit.contracts needs the toolkit's [contracts] extra ({missing}); install "
        "it with pip install 'mixpeek-retriever-toolkit[contracts]'."
    ) from missing

from .report import Report
from .suite import TargetUnreachable, run_contract
from .target import ENV_VARS, Target, load_schema
from .violations import RuleViolation

__all__ = [
    "ENV_VARS",
    "Report",
    "RuleViolation",
    "Target",
    "TargetUnreachable",
    "load_schema",
    "run_contract",
]
