"""pcndocs' benchmarks: measured, not asserted. `make bench` runs them all (benchmarks/run.py)."""
