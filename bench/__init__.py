"""Benchmarks: scripts that print figures (never pass/fail tests). Run with `python -m bench.<name>`."""
