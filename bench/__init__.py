"""Benchmarks (see README.md); not collected by pytest."""
