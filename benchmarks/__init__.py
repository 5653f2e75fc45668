"""Benchmarks: one module per benchmark, each with ``run(*, quick: bool) -> dict``.

``make bench`` (``python -m benchmarks``) runs them all and writes their JSON to
``benchmarks/results/``. Every benchmark measures a baseline in the same run and
reports medians and ratios, because the machines are noisy.
"""
