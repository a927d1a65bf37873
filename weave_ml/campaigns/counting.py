"""The one call the gateway and the workers make: count scored messages into campaigns and apply the policy.

Campaigns are a signal on top of the model's answer: when Redis fails the campaign step, messages are answered
without their campaign (``campaign: null``), the failure is counted (``weave_campaign_errors``), and the step is
left alone for ``RETRY_AFTER_S`` so a failing Redis costs one timeout now and then, not one per message.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import redis

from weave_ml import counters
from weave_ml.campaigns import policy
from weave_ml.campaigns.gathering import Gatherer
from weave_ml.campaigns.policy import Campaign
from weave_ml.campaigns.recent import RecentCounts, memory_key
from weave_ml.campaigns.signature import Signature, signature
from weave_ml.campaigns.store import CampaignStore
from weave_ml.model.scoring import Score
from weave_ml.settings import Settings

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5.0
ERRORS = (redis.RedisError, OSError)
# How long a process answers a repeated text with the campaign its last count returned (see campaigns.recent).
RECENT_TTL_S = 10.0

# One message to count: its signature and masked template, its sender, whether it was scored phishing.
_Count = tuple[tuple[Signature, str], str | None, bool]


class CampaignCounter:
    """Counts what a process scores or answers from the cache; None of this ever fails an answer."""

    def __init__(
        self,
        store: CampaignStore,
        enabled: bool = True,
        phishing_from: float = 0.8,
        recent_ttl_s: float = RECENT_TTL_S,
    ) -> None:
        self.store = store
        self.rules = store.rules
        self.enabled = enabled
        self.phishing_from = phishing_from
        self._down_until = float("-inf")
        self._gatherer: Gatherer[_Count, Campaign | None] = Gatherer(self._observe_signed)
        self._verdicts_seen: object = None
        self.recent: RecentCounts[tuple[tuple[Signature, str], Campaign], _Count] = RecentCounts(
            self._count_repeats, self._verdicts_changed, ttl_s=recent_ttl_s
        )

    @classmethod
    def from_settings(cls, client: redis.Redis, settings: Settings) -> CampaignCounter:
        """The counter of a deployment (CAMPAIGNS turns it off; CAMPAIGN_* settings)."""
        return cls(CampaignStore.from_settings(client, settings), settings.campaigns, settings.campaign_phishing_from)

    def observe(
        self,
        messages: Sequence[str],
        senders: Sequence[str | None],
        scores: Sequence[Score],
    ) -> list[Campaign | None]:
        """Count scored messages (in one Redis call) and return each one's campaign, or None."""
        if not self.enabled or not messages or time.monotonic() < self._down_until:
            return [None] * len(messages)
        # A campaign extends one decision to every member, so a member counts as phishing only on a confident score
        # (CAMPAIGN_PHISHING_FROM), not at a threshold tuned for one message at a time: a notice the model flags
        # now and then must not become a phishing campaign that flags all its copies.
        flagged = [score.probability >= self.phishing_from for score in scores]
        return self._guarded(
            lambda: self.store.observe([signature(text) for text in messages], senders, flagged), len(messages)
        )

    def observe_one(self, message: str, sender: str | None, score: Score) -> Campaign | None:
        """Count one answered message and return its campaign; concurrent calls of this process share one Redis call.

        A text too short or generic to join a campaign costs no Redis call at all; a text this process counted
        in the last ``RECENT_TTL_S`` is answered with the campaign that count returned and counted in the
        background (weave_ml.campaigns.recent).
        """
        if not self.enabled or time.monotonic() < self._down_until:
            return None
        flagged = score.probability >= self.phishing_from
        key = memory_key(message)
        recent = self.recent.get(key)
        if recent is not None:
            found, campaign = recent
            self.recent.count_later(key, (found, sender, flagged))
            return campaign
        signed = signature(message)
        if signed is None:
            return None
        counted = self._gatherer.submit((signed, sender, flagged))
        if counted is not None:
            self.recent.keep(key, (signed, counted))
        return counted

    def bands_of(self, message: str) -> tuple[str, ...]:
        """Return the message's campaign signature (band hashes, no text) to find its campaign later, or () when it
        cannot join one or campaigns are off."""
        found = signature(message) if self.enabled else None
        return () if found is None else found[0].bands

    def find(self, bands: Sequence[str]) -> Campaign | None:
        """Return the campaign of a signature kept by :meth:`bands_of`, as it stands now, without counting anything."""
        if not self.enabled or not bands or time.monotonic() < self._down_until:
            return None
        try:
            return self.store.find(Signature(tuple(bands)))
        except ERRORS as exc:
            self._failed(exc, 1)
            return None

    def _observe_signed(self, items: Sequence[_Count]) -> list[Campaign | None]:
        return self._guarded(
            lambda: self.store.observe([i[0] for i in items], [i[1] for i in items], [i[2] for i in items]),
            len(items),
        )

    def _verdicts_changed(self) -> bool:
        """Whether a verdict was reported since the last look (any process, any gateway); True when unknown."""
        try:
            seen = self.store.verdicts_reported()
        except ERRORS:
            return True  # Redis is failing: what is kept can be forgotten, the answers go without campaigns anyway
        changed, self._verdicts_seen = seen != self._verdicts_seen, seen
        return changed

    def _count_repeats(self, counts: Sequence[_Count]) -> list[tuple[tuple[Signature, str], Campaign] | None]:
        """Count repeats in one call (a failure is logged and counted as any other); keep what came back."""
        if time.monotonic() < self._down_until:
            return [None] * len(counts)
        found = self._observe_signed(counts)
        return [None if c is None else (count[0], c) for count, c in zip(counts, found, strict=True)]

    def label(
        self, message: str, verdict: str, source: str = policy.ADMIN, reporter: str | None = None
    ) -> Campaign | None:
        """Record a report on the campaign of a message (an admin's verdict, or a user's report by ``reporter``);
        None when the text is too short to belong to one."""
        found = signature(message)
        if found is None:
            return None
        return self.store.label(found, verdict, source, reporter)

    def judge(self, prediction: dict[str, Any], campaign: Campaign | None) -> dict[str, Any]:
        """Return the answer with its ``campaign`` and the policy's decision."""
        return policy.with_campaign(prediction, campaign, self.rules)

    def _guarded(self, call: Callable[[], list[Campaign | None]], size: int) -> list[Campaign | None]:
        try:
            return call()
        except ERRORS as exc:
            self._failed(exc, size)
            return [None] * size

    def _failed(self, exc: Exception, size: int) -> None:
        if time.monotonic() - self._down_until > RETRY_AFTER_S:  # once per outage, not per message
            log.warning("campaigns unavailable, answering without them: %s", exc)
        self._down_until = time.monotonic() + RETRY_AFTER_S
        with contextlib.suppress(*ERRORS):  # the same Redis: the log line above says it
            counters.add(self.store.client, counters.CAMPAIGN_ERRORS, size)

    def count_batch(
        self,
        batch_id: str,
        scored: dict[int, tuple[str, str | None, Score]],
        ttl_s: int,
    ) -> None:
        """Count scored positions of a batch job (position → message, sender, score) and remember their campaigns."""
        if not scored:
            return
        positions = list(scored)
        found = self.observe(
            [scored[p][0] for p in positions],
            [scored[p][1] for p in positions],
            [scored[p][2] for p in positions],
        )
        if any(found):
            self._guarded_none(
                lambda: self.store.remember_batch(batch_id, dict(zip(positions, found, strict=True)), ttl_s)
            )

    def judge_batch(self, batch_id: str, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Return a batch job's results, each scored one with its campaign as it stands now and the policy's
        decision."""
        campaigns: dict[int, Campaign] = {}
        if self.enabled and time.monotonic() >= self._down_until:
            try:
                campaigns = self.store.of_batch(batch_id)
            except ERRORS as exc:
                self._failed(exc, len(results))
        return [
            self.judge(result, campaigns.get(result["index"])) if "is_phishing" in result else result
            for result in results
        ]

    def _guarded_none(self, call: Callable[[], None]) -> None:
        try:
            call()
        except ERRORS as exc:
            self._failed(exc, 1)
