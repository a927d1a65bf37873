"""Leave one family out: how well the model catches a kind of lure it has never seen, brands and domains included.

The golden split of the default data is drawn from the same templates the model trains on, so what it catches
there is an upper bound. Here each phishing family of the seed corpus is taken out in turn: the model trains
on everything else except the lures of other families that name one of the family's brands or link to one of
its domains, chooses its operating points on the held-out normal messages as ``weave-ml train`` does, and is
measured on every message of the family left out.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from weave_ml.model import links, pipeline
from weave_ml.model.datasets import PHISHING, LabelledMessage
from weave_ml.model.predictions import DEFAULT_SENSITIVITY, SENSITIVITY_LEVELS
from weave_ml.training.corpus import phishing
from weave_ml.training.corpus import vocabulary as v
from weave_ml.training.evaluation import GOLDEN_FRACTION, GOLDEN_SPLIT_SEED, held_out_split
from weave_ml.training.train import calibrate

# The template slots that name a brand, an institution or a genuine site, and the names each can take.
BRAND_SLOTS: dict[str, tuple[str, ...]] = {
    "courier": tuple(name for name, _ in v.COURIERS),
    "bank": tuple(name for name, _ in v.BANKS),
    "card": tuple(name for name, _ in v.CARDS),
    "exchange": v.EXCHANGES,
    "platform": v.PLATFORMS,
    "securities": v.SECURITIES,
    "telecom": v.TELECOMS,
    "insurer": v.INSURERS,
    "membership": v.MEMBERSHIPS,
    "pay_app": v.PAY_APPS,
    "airline": v.AIRLINES,
    "prosecutor": v.PROSECUTORS,
    "police": v.POLICE,
    "regulator": v.REGULATORS,
    "court": v.COURTS,
    "traffic": v.TRAFFIC,
    "tax": v.TAX,
    "health": v.HEALTH,
    "pension": v.PENSION,
    "secondhand": v.SECONDHAND,
    "shop": v.SHOPS,
    "merchant": v.OVERSEAS_MERCHANTS,
    "gift_card": v.GIFT_CARDS,
}
_SLOT = re.compile(r"\{([a-z_]+?)\d*\}")
# Shortened links are common to every family; a shortener is nobody's domain.
_SHORTENER_DOMAINS = frozenset(links.registrable_domain(host) or host for host in v.SHORTENERS)

FAMILY_NAMES = tuple(family.name for family in phishing.FAMILIES)

Trainer = Callable[[Sequence[LabelledMessage]], Pipeline]


@dataclass(frozen=True)
class Markers:
    """What ties lures to one family beyond its wording: the brands its templates name and its link domains."""

    brands: frozenset[str]
    domains: frozenset[str]

    def found_in(self, message: LabelledMessage) -> bool:
        """Whether a message names one of the brands or links to one of the domains."""
        if any(brand in message.message for brand in self.brands):
            return True
        return any(link.domain in self.domains for link in links.find(message.message))


def markers(family: str, messages: Iterable[LabelledMessage]) -> Markers:
    """Return a family's markers: brands from the slots its templates fill, domains from its messages' links."""
    templates = next(f.templates for f in phishing.FAMILIES if f.name == family)
    slots = {slot for template in templates for slot in _SLOT.findall(template)}
    brands = frozenset(name for slot in slots & BRAND_SLOTS.keys() for name in BRAND_SLOTS[slot])
    domains = frozenset(
        link.domain
        for message in messages
        for link in links.find(message.message)
        # A link broken up to evade filters ("bit. ly") reads as a one-label host, nobody's domain.
        if not link.is_ip and "." in link.domain and link.domain not in _SHORTENER_DOMAINS
    )
    return Markers(brands, domains)


@dataclass(frozen=True)
class Fold:
    """One family left out: its size, the lures dropped with it from training, and what each sensitivity catches."""

    family: str
    n: int
    dropped: int  # lures of other families dropped from training for naming the family's brands or domains
    caught: dict[str, float]  # sensitivity level → share of the family's messages flagged
    thresholds: dict[str, float]
    set_by: dict[str, str]
    scores: np.ndarray  # the family's messages' probabilities, for any other threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "n": self.n,
            "dropped": self.dropped,
            "caught": self.caught,
            "thresholds": self.thresholds,
            "thresholds_set_by": self.set_by,
        }


def leave_out(
    messages: Sequence[LabelledMessage], family: str, seed: int = GOLDEN_SPLIT_SEED, train: Trainer | None = None
) -> Fold:
    """Train without ``family`` (and its markers), choose thresholds on the held-out normals, measure the family."""
    source = f"seed:{family}"
    left_out = [m for m in messages if m.source == source]
    if not left_out:
        raise ValueError(f"no messages of family {family!r}")
    found = markers(family, left_out)
    rest = [m for m in messages if m.source != source]
    train_part, held_out = held_out_split(rest, GOLDEN_FRACTION, seed)
    kept = [m for m in train_part if not (m.label == PHISHING and found.found_in(m))]
    fitted = (train or pipeline.train)(kept)
    calibrated = calibrate(fitted, held_out, f"lofo-{family}")
    scorer = calibrated.scorer
    scores = scorer.probabilities([m.message for m in left_out], [m.sender for m in left_out])
    return Fold(
        family=family,
        n=len(left_out),
        dropped=len(train_part) - len(kept),
        caught={level: float(np.mean(scores >= scorer.points.threshold(level))) for level in SENSITIVITY_LEVELS},
        thresholds={level: scorer.points.threshold(level) for level in SENSITIVITY_LEVELS},
        set_by=dict(calibrated.choice.set_by),
        scores=scores,
    )


def summary(folds: Sequence[Fold]) -> dict[str, Any]:
    """Every family's figures, and the median and lowest share caught at the default sensitivity."""
    at_medium = [fold.caught[DEFAULT_SENSITIVITY] for fold in folds]
    return {
        "families": [fold.to_dict() for fold in folds],
        "median_caught_at_medium": statistics.median(at_medium) if at_medium else None,
        "lowest_caught_at_medium": min(at_medium) if at_medium else None,
    }


def evaluate_lofo(
    messages: Sequence[LabelledMessage],
    families: Sequence[str] | None = None,
    seed: int = GOLDEN_SPLIT_SEED,
    train: Trainer | None = None,
) -> dict[str, Any]:
    """Leave each phishing family of ``families`` (default: every one present in ``messages``) out in turn."""
    present = {m.source.removeprefix("seed:") for m in messages if m.label == PHISHING and m.source.startswith("seed:")}
    names = [f.name for f in phishing.FAMILIES if f.name in present] if families is None else list(families)
    unknown = sorted(set(names) - {f.name for f in phishing.FAMILIES})
    if unknown:
        raise ValueError(f"unknown phishing families: {', '.join(unknown)}")
    return summary([leave_out(messages, name, seed, train) for name in names])
