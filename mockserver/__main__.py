"""``python -m mockserver``: see :mod:`mockserver.cli`."""

import sys

from mockserver.cli import main

sys.exit(main())
