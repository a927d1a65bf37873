"""Everyday Korean text shipped with the package (real negatives), split once by hash into training and evaluation."""

from __future__ import annotations

import functools
import hashlib
from importlib import resources

from weave_ml.model.datasets import NORMAL, LabelledMessage
from weave_ml.model.text import normalise

# Files of weave_ml/data/everyday/ (their README gives source, attribution and licence of each) by source name.
FILES = {
    "chatbot": "chatbot_sentences.txt",
    "news_comments": "news_comments.txt",
    "card_approval": "card_approval_sms.txt",
}
SOURCE_PREFIX = "everyday:"
TRAINING = "training"
EVALUATION = "evaluation"
PARTS = (TRAINING, EVALUATION)
# Share of the text, in percent of the hash space, that no model ever trains on.
EVALUATION_PERCENT = 20


def part_of(text: str) -> str:
    """Return the part a text belongs to, fixed by the hash of its normalised form.

    The hash (not a seeded shuffle) keeps a text on its side whatever else the files hold, and identical texts
    after normalisation always land together.
    """
    bucket = int.from_bytes(hashlib.sha256(normalise(text).encode()).digest()[:4], "big") % 100
    return EVALUATION if bucket < EVALUATION_PERCENT else TRAINING


@functools.cache
def _parts() -> dict[str, tuple[LabelledMessage, ...]]:
    folder = resources.files("weave_ml") / "data" / "everyday"
    found: dict[str, list[LabelledMessage]] = {part: [] for part in PARTS}
    for source, name in FILES.items():
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                found[part_of(line)].append(LabelledMessage(line, NORMAL, None, SOURCE_PREFIX + source))
    return {part: tuple(messages) for part, messages in found.items()}


def load(part: str) -> list[LabelledMessage]:
    """Return the everyday messages of one part (:data:`TRAINING` or :data:`EVALUATION`), all labelled normal."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; expected one of {', '.join(PARTS)}")
    return list(_parts()[part])
