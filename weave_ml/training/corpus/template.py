"""Message families and the slot-filling renderer for their templates."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from weave_ml.training.corpus.vocabulary import SLOTS, Context

# "{slot}" is filled from vocabulary.SLOTS; "{a|b|}" picks one alternative (an empty one makes it optional).
# Innermost braces resolve first, so alternatives may contain slots.
_INNERMOST = re.compile(r"\{([^{}]*)\}")
_SLOT_SUFFIX = re.compile(r"\d+$")

SenderBuilder = Callable[[random.Random], "str | None"]


@dataclass(frozen=True)
class Family:
    """A family of messages sharing one label, one story, the senders it arrives from and its channels.

    ``channels`` are (name, weight) pairs: ``web`` (may carry [Web발신]), ``intl`` ([국외발신], foreign
    sender), ``sms`` (plain text), ``chat`` (messenger: casual noise, often no number), ``ad`` (marketing).
    """

    name: str
    label: int
    templates: tuple[str, ...]
    sender: SenderBuilder
    channels: tuple[tuple[str, float], ...]
    weight: float = 1.0


def parse_block(text: str) -> tuple[str, ...]:
    """Split a template block: "- " starts a template, indented lines continue it, "\\n" breaks a line."""
    templates: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("- "):
            templates.append(stripped[2:])
        else:
            templates[-1] += " " + stripped
    return tuple(template.replace("\\n", "\n") for template in templates)


def sender_mix(*options: tuple[Callable[[random.Random], str] | None, float]) -> SenderBuilder:
    """A sender builder choosing among builders by weight; ``None`` stands for a message without a number."""
    builders = [builder for builder, _ in options]
    weights = [weight for _, weight in options]

    def build(rng: random.Random) -> str | None:
        builder = rng.choices(builders, weights=weights)[0]
        return None if builder is None else builder(rng)

    return build


def render(template: str, rng: random.Random) -> str:
    """Fill every slot and alternative in ``template``."""
    ctx: Context = {}

    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        if "|" in body:
            options = body.split("|")
            return options[rng.randrange(len(options))]
        # A trailing digit ({amount_mid2}) asks for a second, independent value of the same kind.
        key = f"slot:{body}"
        if key not in ctx:
            ctx[key] = SLOTS[_SLOT_SUFFIX.sub("", body)](rng, ctx)
        return str(ctx[key])

    text = template
    while True:
        text, count = _INNERMOST.subn(replace, text)
        if not count:
            return text


def choose_channel(family: Family, rng: random.Random) -> str:
    """Pick the channel a message of ``family`` arrives through."""
    names = [name for name, _ in family.channels]
    weights = [weight for _, weight in family.channels]
    return rng.choices(names, weights=weights)[0]
