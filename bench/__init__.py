"""Benchmarks: `bench/run` (or `make bench`). Targets live here, never in timed tests."""
