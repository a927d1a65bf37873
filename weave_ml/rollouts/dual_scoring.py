"""Scoring during a rollout: both versions score every message in the same task; the rollout says who answers.

A :class:`RolloutScorer` stands where a :class:`~weave_ml.model.scoring.Scorer` stands (``score_many``), so the scoring
service does not change: it gets back the answering version's scores, which are the ones it caches and replies with.
The other version's scores go only to the rollout's evidence. A candidate that fails never costs an answer: its
messages are answered by the current model and its errors counted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import redis

from weave_ml.model.predictions import Score
from weave_ml.registry.rollout_record import Rollout
from weave_ml.rollouts.evidence import EvidenceStore, Observations

if TYPE_CHECKING:
    from weave_ml.model.scoring import Scorer

log = logging.getLogger(__name__)

# What a candidate may raise while scoring (a model that loads but cannot score these inputs): counted, not fatal.
CANDIDATE_FAILURES = (ValueError, TypeError, IndexError, KeyError, ArithmeticError, MemoryError)


class RolloutScorer:
    """Scores with the current model and the rollout's candidate, answers per the rollout, records the evidence."""

    def __init__(self, current: Scorer, candidate: Scorer, rollout: Rollout, evidence: EvidenceStore) -> None:
        self.current = current
        self.candidate = candidate
        self.rollout = rollout
        self.evidence = evidence
        self.version = current.version
        self.vocabulary_size = current.vocabulary_size

    def score_many(
        self,
        texts: Sequence[str],
        senders: Sequence[str | None] | None = None,
        hashes: Sequence[str] | None = None,
    ) -> list[Score]:
        """Return one score per message, each from the version that answers it (``hashes``: see Scorer's)."""
        senders = list(senders) if senders is not None else [None] * len(texts)
        seen = Observations()
        started = time.perf_counter()
        mine = self.current.score_many(texts, senders, hashes)
        seen.seconds[self.current.version] = time.perf_counter() - started
        started = time.perf_counter()
        try:
            theirs: list[Score] | None = self.candidate.score_many(texts, senders, [s.message_hash for s in mine])
            seen.seconds[self.candidate.version] = time.perf_counter() - started
        except CANDIDATE_FAILURES as exc:
            log.warning("candidate %s failed on %d messages: %s", self.candidate.version, len(texts), exc)
            seen.errors[self.candidate.version] = len(texts)
            theirs = None
        answers: list[Score] = []
        for position, score in enumerate(mine):
            digest = score.message_hash
            versions = {self.current.version: (score.probability, self._positive(self.current, score))}
            answer = score
            if theirs is not None:
                other = theirs[position]
                versions[self.candidate.version] = (other.probability, self._positive(self.candidate, other))
                if self.rollout.answers_with_candidate(digest):
                    answer = other
            seen.scores[digest] = versions
            seen.answered_by[digest] = answer.model_version
            answers.append(answer)
        try:
            self.evidence.record(self.rollout, seen)
        except (redis.RedisError, OSError) as exc:  # evidence is worth less than an answer
            log.warning("rollout evidence of %d messages not recorded: %s", len(texts), exc)
        return answers

    @staticmethod
    def _positive(scorer: Scorer, score: Score) -> bool:
        return score.probability >= scorer.points.medium
