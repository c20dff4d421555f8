"""Benchmarks: one module per figure area; see bench/README.md."""
