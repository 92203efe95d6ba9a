"""``python -m mixpeek_toolkit.contracts``: see :mod:`.runner` (the console script is ``mixpeek-contracts``)."""

from __future__ import annotations

from .runner import main

raise SystemExit(main())
