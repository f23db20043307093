"""Benchmarks and the naive Mesa yardstick, outside the package."""
