"""``python -m contracts``: see :mod:`contracts.runner`."""

from __future__ import annotations

from .runner import main

raise SystemExit(main())
