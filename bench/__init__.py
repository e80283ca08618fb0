"""Benchmarks (``make bench``). Not part of ``make test``: they measure, they don't judge."""
