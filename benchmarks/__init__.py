"""`make bench`: the benchmark harness of the mock (not shipped in the wheel)."""
