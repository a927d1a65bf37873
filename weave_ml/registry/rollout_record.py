"""A model rollout: one candidate version beside the current one, in shadow or canary mode.

The record lives in the registry (``ML_MODEL_DIR/ROLLOUT``), written only where the registry is writable (the trainer,
through ``weave.registry_admin``) and read by every worker and gateway, which follow it as they follow the pointer.

- ``shadow``: every message the workers score is scored by both versions; answers come from the current one.
- ``canary``: both versions score every message too (so both have evidence on the same texts), but a ``share``
  (percent) of messages, chosen by a stable hash of the message hash, is answered by the candidate: the same text gets
  the same version for as long as the rollout lasts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

SHADOW = "shadow"
CANARY = "canary"
MODES = (SHADOW, CANARY)


class RolloutError(ValueError):
    """A rollout that cannot be: unknown mode, a share out of range, a malformed record."""


@dataclass(frozen=True)
class Rollout:
    """One candidate in one mode; ``share`` (0–100, percent) is the traffic the candidate answers in canary mode."""

    candidate: str
    mode: str
    share: float
    started: str  # ISO 8601, UTC: when the rollout began; reports filed since then are its evidence
    current: str | None = None  # the current version when it began (for the record; answers follow the pointer)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise RolloutError(f"unknown rollout mode {self.mode!r}; expected one of {', '.join(MODES)}")
        if isinstance(self.share, bool) or not isinstance(self.share, int | float) or not 0.0 <= self.share <= 100.0:
            raise RolloutError(f"rollout share must be a percentage from 0 to 100, not {self.share!r}")
        if not self.candidate or not isinstance(self.candidate, str):
            raise RolloutError("a rollout needs a candidate version")

    @property
    def id(self) -> str:
        """A name that tells this rollout from an earlier one of the same candidate: its evidence is kept under it."""
        started = dt.datetime.fromisoformat(self.started)
        return f"{self.candidate}@{started:%Y%m%dT%H%M%S}"

    @property
    def started_at(self) -> dt.datetime:
        """When the rollout began, as an aware datetime."""
        return dt.datetime.fromisoformat(self.started)

    def answers_with_candidate(self, message_hash: str) -> bool:
        """Whether the candidate answers this message: never in shadow mode; in canary mode, a stable ``share``."""
        return self.mode == CANARY and assigned_to_candidate(message_hash, self.candidate, self.share)

    def lookup_versions(self, message_hash: str, versions: Sequence[str], strict: bool = True) -> list[str]:
        """Return the versions whose cached score may answer this message, in order.

        A message the candidate answers takes only the candidate's score (``strict``): a score the current model cached
        before the rollout must not answer it. Any other message never takes the candidate's. Not ``strict`` (fetching
        the answer of a request that timed out, whoever scored it), the candidate's comes first, then the others.
        """
        if self.answers_with_candidate(message_hash):
            return [self.candidate] if strict else [self.candidate, *(v for v in versions if v != self.candidate)]
        return [version for version in versions if version != self.candidate]

    def to_dict(self) -> dict[str, Any]:
        """Return the record as JSON data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> Rollout:
        """Read a record written by :meth:`to_dict`."""
        try:
            return cls(
                candidate=value["candidate"],
                mode=value["mode"],
                share=float(value["share"]),
                started=value["started"],
                current=value.get("current"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RolloutError(f"malformed rollout record: {exc!r}") from None

    @classmethod
    def begin(cls, candidate: str, mode: str, share: float | None, current: str | None) -> Rollout:
        """Return a rollout starting now; a canary without a share gets 10%, a shadow answers nothing (share 0)."""
        if share is None:
            share = 10.0 if mode == CANARY else 0.0
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        return cls(candidate=candidate, mode=mode, share=share, started=now, current=current)


def bucket(message_hash: str, salt: str) -> float:
    """Return a number in [0, 1) fixed by the message hash and ``salt``, spread evenly over messages."""
    digest = hashlib.sha256(f"{salt}\x00{message_hash}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assigned_to_candidate(message_hash: str, candidate: str, share: float) -> bool:
    """Whether a message falls in the candidate's share (percent). Salted with the candidate: each candidate draws anew,
    and raising the share only moves messages to the candidate."""
    return bucket(message_hash, candidate) * 100 < share
