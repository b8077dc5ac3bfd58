"""Benchmarks of the traceability core (issue 3): ``python -m bench [--events N]``.

Standalone scripts, not tests: each prints its figures beside a baseline measured in the
same run and a verdict against the target. See docs/benchmarks.md.
"""
