"""``python -m mixpeek_toolkit.mockserver``: see :mod:`.cli` (the console script is ``mixpeek-mock``)."""

import sys

from .cli import main

sys.exit(main())
