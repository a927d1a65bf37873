"""Development tooling: ``make run``, the real processes tests and benchmarks start, demo data; never shipped."""
