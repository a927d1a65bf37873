"""A score and the prediction made of it at a caller's sensitivity: what the gateway needs, without the model.

The gateway, beat and Flower import this, never :mod:`weave_ml.model.scoring` (numpy, scipy, scikit-learn).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SENSITIVITY_LEVELS = ("low", "medium", "high")
DEFAULT_SENSITIVITY = "medium"
MAX_REASONS = 3


@dataclass(frozen=True)
class Score:
    """What a model says about one message, independent of the caller's sensitivity; what the cache stores."""

    message_hash: str
    probability: float
    reasons: tuple[str, ...]
    model_version: str

    def to_dict(self) -> dict[str, Any]:
        """Return the score as plain JSON data: the one form the cache, replies and batch results hold."""
        return {
            "message_hash": self.message_hash,
            "probability": self.probability,
            "reasons": list(self.reasons),
            "model_version": self.model_version,
        }

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> Score:
        """Rebuild a score from :meth:`to_dict` data (other keys, such as a batch's ``cached`` flag, are ignored)."""
        return cls(value["message_hash"], float(value["probability"]), tuple(value["reasons"]), value["model_version"])


@dataclass(frozen=True)
class OperatingPoints:
    """Where one model version turns a probability into a decision: a threshold per sensitivity, and risk bands.

    They belong to the version: chosen at training time on held-out negatives and stored in its metadata
    (``thresholds`` and ``risk_bands``). High sensitivity flags more messages, so its threshold is the lowest.
    """

    low: float
    medium: float
    high: float
    risk_high: float
    risk_medium: float

    def __post_init__(self) -> None:
        values = (self.low, self.medium, self.high, self.risk_high, self.risk_medium)
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and 0.0 <= v <= 1.0 for v in values):
            raise ValueError(f"operating points must be probabilities between 0 and 1: {self}")
        if not (self.low >= self.medium >= self.high and self.risk_high >= self.risk_medium):
            raise ValueError(f"operating points out of order (need low >= medium >= high thresholds): {self}")

    def threshold(self, sensitivity: str) -> float:
        """Return the threshold on the phishing probability at a sensitivity level."""
        if sensitivity not in SENSITIVITY_LEVELS:
            raise ValueError(f"unknown sensitivity {sensitivity!r}; expected one of {', '.join(SENSITIVITY_LEVELS)}")
        return float(getattr(self, sensitivity))

    def risk_level(self, probability: float) -> str:
        """Return the risk band of a phishing probability."""
        if probability >= self.risk_high:
            return "high"
        return "medium" if probability >= self.risk_medium else "low"

    def to_metadata(self) -> dict[str, dict[str, float]]:
        """Return the metadata entries that :meth:`from_metadata` reads back."""
        return {
            "thresholds": {level: self.threshold(level) for level in SENSITIVITY_LEVELS},
            "risk_bands": {"high": self.risk_high, "medium": self.risk_medium},
        }

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any]) -> OperatingPoints:
        """Read a version's operating points; versions from before they were chosen per model get the old constants."""
        thresholds = metadata.get("thresholds") or LEGACY_THRESHOLDS
        bands = metadata.get("risk_bands") or LEGACY_RISK_BANDS
        try:
            return cls(
                low=thresholds["low"],
                medium=thresholds["medium"],
                high=thresholds["high"],
                risk_high=bands["high"],
                risk_medium=bands["medium"],
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed operating points in model metadata: {exc!r}") from None


# The constants every version used before operating points were chosen per model; their metadata holds these
# thresholds and no risk bands.
LEGACY_THRESHOLDS = {"low": 0.7, "medium": 0.5, "high": 0.3}
LEGACY_RISK_BANDS = {"high": 0.7, "medium": 0.4}
LEGACY_POINTS = OperatingPoints.from_metadata({})


def to_prediction(score: Score, sensitivity: str, points: OperatingPoints, cached: bool = False) -> dict[str, Any]:
    """Return the prediction the API answers for a score at a sensitivity level, by its version's operating points."""
    threshold = points.threshold(sensitivity)
    return {
        "is_phishing": score.probability >= threshold,
        "phishing_probability": round(score.probability, 6),
        "risk_level": points.risk_level(score.probability),
        "sensitivity_level": sensitivity,
        "threshold": threshold,
        "reasons": list(score.reasons),
        "model_version": score.model_version,
        "cached": cached,
        "message_hash": score.message_hash,
    }
