"""Latency benchmarks (`make bench`), kept out of the test suite: figures are measured, not asserted in tests."""
