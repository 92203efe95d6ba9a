"""``python -m mockserver``: see :mod:`mockserver.cli`."""

import sys

from .cli import main

sys.exit(main())
