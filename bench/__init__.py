"""Benchmarks of weave-ml against an in-process baseline, measured in the same run."""
