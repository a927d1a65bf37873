"""Synthetic Korean seed corpus of smishing and normal texts, reproducible from a seed."""

from weave_ml.corpus.generator import FAMILIES, generate, write_jsonl

__all__ = ["FAMILIES", "generate", "write_jsonl"]
