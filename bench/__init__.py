"""Performance workloads and their runner (``python -m bench.run``); see bench/registry.py."""
