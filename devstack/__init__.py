"""Development tooling: ``make run``, the real processes tests and benchmarks start, demo data; never shipped."""

from pathlib import Path

# The checkout: the Procfile, var/ and the module paths of every command line resolve from here.
ROOT = Path(__file__).resolve().parents[1]
