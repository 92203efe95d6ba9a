"""Fast unit tests of the bench harness's pure parts (benchmarks/): no server, no load."""
