"""The plugin's tests run pytest in process (``pytester``): see tests/pytester_imports.py."""

from tests.pytester_imports import import_before_pytester

import_before_pytester()
