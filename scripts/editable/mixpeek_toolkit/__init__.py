"""``mixpeek_toolkit`` in a checkout: its parts are the repository's top-level folders.

The wheel installs ``spec/``, ``generated/``, ``mockserver/`` and ``contracts/`` as
``mixpeek_toolkit.spec`` ... ``mixpeek_toolkit.contracts``, so nothing generic lands at the
top of a user's site-packages. In this repository the folders stay where they are (the layout
is the user's): the editable install (``pip install -e .``, what ``make install`` runs) puts
this folder on ``sys.path``, and this package looks up its parts in the repository root.
"""

from pathlib import Path

__path__ = [str(Path(__file__).resolve().parents[3])]
