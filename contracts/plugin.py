"""pytest plugin of the toolkit (registered through the ``pytest11`` entry point)."""
