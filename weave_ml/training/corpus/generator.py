"""Build the seed corpus: family quotas, rendering, noise, de-duplication and JSONL output."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable, Iterator, Sequence

from weave_ml.model.datasets import PHISHING, LabelledMessage
from weave_ml.training.corpus import normal, phishing, variation
from weave_ml.training.corpus.template import Family, choose_channel, render
from weave_ml.training.corpus.vocabulary import international_number

DEFAULT_SEED = 20241126
DEFAULT_SIZE = 8000
PHISHING_SHARE = 0.43
# A family that keeps producing texts already seen has run out of variety; stop asking it after this many
# misses per wanted message and let the other families of the same label make up the difference.
_MISSES_PER_MESSAGE = 40

ALL_FAMILIES: tuple[Family, ...] = phishing.FAMILIES + normal.FAMILIES
FAMILIES: tuple[str, ...] = tuple(family.name for family in ALL_FAMILIES)


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """Share ``total`` out by ``weights``, largest remainder first (ties go to the earlier family)."""
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    counts = [int(share) for share in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _candidates(family: Family, seed: int) -> Iterator[LabelledMessage]:
    # Each family gets its own stream (str seeds hash with SHA-512, not PYTHONHASHSEED), so editing one
    # family's templates barely moves the messages of the others.
    rng = random.Random(f"{seed}:{family.name}")
    source = f"seed:{family.name}"
    while True:
        channel = choose_channel(family, rng)
        template = family.templates[rng.randrange(len(family.templates))]
        text = render(template, rng)
        # Only lures evade filters: genuine senders have no reason to break their own words and links.
        if family.label == PHISHING and rng.random() < variation.EVASION_SHARE:
            text = variation.evade(text, rng)
        text = variation.add_noise(text, rng, channel)
        sender = international_number(rng) if channel == "intl" else family.sender(rng)
        yield LabelledMessage(message=text, label=family.label, sender=sender, source=source)


def _take(stream: Iterator[LabelledMessage], wanted: int, seen: set[str]) -> list[LabelledMessage]:
    taken: list[LabelledMessage] = []
    misses = 0
    while len(taken) < wanted and misses < _MISSES_PER_MESSAGE * wanted:
        message = next(stream)
        if message.message in seen:
            misses += 1
            continue
        seen.add(message.message)
        taken.append(message)
    return taken


def _fill(families: Sequence[Family], total: int, seed: int, seen: set[str]) -> list[LabelledMessage]:
    streams = [_candidates(family, seed) for family in families]
    out: list[LabelledMessage] = []
    for stream, quota in zip(streams, _split(total, [family.weight for family in families]), strict=True):
        out.extend(_take(stream, quota, seen))
    # Top up from the families that still have variety, one message each in turn, until the label is full.
    active = list(streams)
    while len(out) < total and active:
        for stream in list(active):
            if len(out) >= total:
                break
            extra = _take(stream, 1, seen)
            if extra:
                out.extend(extra)
            else:
                active.remove(stream)
    return out


def generate(seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE) -> list[LabelledMessage]:
    """Return ``size`` unique labelled messages, about 43% phishing, identical for the same ``seed``."""
    if size < 0:
        raise ValueError(f"size must be non-negative, got {size}")
    phishing_total = round(size * PHISHING_SHARE)
    # Membership only: iterating a set of str would follow PYTHONHASHSEED and break reproducibility.
    seen: set[str] = set()
    messages = _fill(phishing.FAMILIES, phishing_total, seed, seen)
    messages += _fill(normal.FAMILIES, size - phishing_total, seed, seen)
    random.Random(seed).shuffle(messages)
    return messages


def write_jsonl(path: str | os.PathLike[str], messages: Iterable[LabelledMessage]) -> None:
    """Write one ``{"message", "label", "sender", "source"}`` object per line, UTF-8."""
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for item in messages:
            record = {
                "message": item.message,
                "label": item.label,
                "sender": item.sender,
                "source": item.source,
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
