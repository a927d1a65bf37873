"""The one call the gateway and the workers make for every answered message: count it into its campaign and into the
reputation of the domains and numbers it holds, and judge its answer by both.

Both ride one Redis round trip: the campaign script and the reputation script are pipelined
(weave_ml.connections.run_scripts), and answers one gateway process makes while a call is out share the next one
(campaigns.gathering). A text the process counted in the last ``RECENT_TTL_S`` is answered with the campaign its last
count returned (campaigns.recent), and domains and numbers it looked up in the last seconds with what it remembers of
them (weave_ml.reputation.memory); their counts are sent by a background thread, many to one call. That thread also
watches the two counters every verdict moves (campaigns' and reputation's), so what a process remembers is
forgotten within 50 ms of a report anywhere.

A phishing campaign is evidence on the domains and numbers of its members: the first member a process sees of it
records the campaign (its id, and what made it phishing) on each of them that is not protected, in the background;
an admin's verdict that the campaign is normal takes that evidence back.

Campaigns and reputation are a signal on top of the model's answer: when Redis fails the step, messages are answered
without their campaign (``campaign: null``) and with their links' reputation ``unknown``, the failure is counted
(``weave_campaign_errors``), and the step is left alone for ``RETRY_AFTER_S`` so a failing Redis costs one timeout now
and then, not one per message.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import redis
from cachetools import TTLCache

from weave_ml import counters
from weave_ml.campaigns import policy
from weave_ml.campaigns import signature as signatures
from weave_ml.campaigns.gathering import Gatherer
from weave_ml.campaigns.policy import Campaign
from weave_ml.campaigns.recent import RecentCounts, memory_key
from weave_ml.campaigns.signature import Signature
from weave_ml.campaigns.store import VERDICTS_KEY, CampaignStore
from weave_ml.connections import ScriptCall, run_scripts
from weave_ml.model.predictions import Score
from weave_ml.reports.labels import hashed_reporter
from weave_ml.reputation import policy as reputation_policy
from weave_ml.reputation import subjects as reading
from weave_ml.reputation import verdicts as reputation_verdicts
from weave_ml.reputation.memory import Memory
from weave_ml.reputation.policy import Entry, Looked, Outcome
from weave_ml.reputation.store import BY_CAMPAIGN, BY_REPORT, BY_USER, CHANGES_KEY, ReputationStore, Sighting
from weave_ml.reputation.subjects import Subject, Subjects
from weave_ml.settings import Settings

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5.0
ERRORS = (redis.RedisError, OSError)
# How long a process answers a repeated text with the campaign its last count returned (see campaigns.recent), and
# a domain or number with what it remembers of it (reputation.memory).
RECENT_TTL_S = 10.0
# A campaign's evidence on a domain or number is recorded once per process in this long, whatever its members do.
MARK_AGAIN_S = 60.0


@dataclass(frozen=True)
class Counted:
    """What counting one answered message returned: its campaign (or None) and what it holds, as looked up."""

    campaign: Campaign | None = None
    subjects: Subjects = field(default_factory=Subjects)
    looked: Mapping[str, Looked] = field(default_factory=dict)


@dataclass(frozen=True)
class _Mark:
    """A phishing campaign's evidence on one of its members' domains or numbers: what made it phishing (admin,
    users, scores), or '' once an admin judged it normal."""

    campaign: str
    says: str
    subject: Subject


@dataclass(frozen=True)
class _Count:
    """One message of a call: its campaign signature to count (None: not in this call), sender, whether it was scored
    phishing, what it holds to count into reputation and read back (None: not in this call), campaign evidence to
    record, and the text's own subjects (kept for its repeats)."""

    signed: tuple[Signature, str] | None
    sender: str | None
    flagged: bool
    sighting: Sighting | None = None
    marks: tuple[_Mark, ...] = ()
    held: Subjects = field(default_factory=Subjects)


# What a call returns per message: its campaign and its subjects' entries.
_Result = tuple[Campaign | None, dict[str, Looked]]
# What a text's count returned, kept for its repeats: its signature (None when it cannot join a campaign), its
# campaign, and its subjects without a sender.
_Found = tuple[tuple[Signature, str] | None, Campaign | None, Subjects]
_NOTHING: _Result = (None, {})


class CampaignCounter:
    """Counts what a process scores or answers from the cache into campaigns and reputation; None of this ever fails
    an answer."""

    def __init__(
        self,
        store: CampaignStore,
        enabled: bool = True,
        phishing_from: float = 0.8,
        recent_ttl_s: float = RECENT_TTL_S,
        reputation: ReputationStore | None = None,
    ) -> None:
        self.store = store
        self.rules = store.rules
        self.enabled = enabled
        self.phishing_from = phishing_from
        self.reputation = reputation
        self.memory = Memory(reputation, ttl_s=recent_ttl_s) if reputation is not None else None
        # Told what reputation did to each answer judged (the gateway's metrics).
        self.on_judged: Callable[[Outcome], None] | None = None
        self._down_until = float("-inf")
        self._gatherer: Gatherer[_Count, _Result] = Gatherer(self._count_now)
        self._verdicts_seen: object = None
        self.recent: RecentCounts[_Found, _Count] = RecentCounts(
            self._count_repeats, self._verdicts_changed, ttl_s=recent_ttl_s
        )
        self._marked: TTLCache[tuple[str, str, str], bool] = TTLCache(maxsize=10_000, ttl=MARK_AGAIN_S)
        self._marked_lock = threading.Lock()

    @classmethod
    def from_settings(cls, client: redis.Redis, settings: Settings) -> CampaignCounter:
        """The counter of a deployment (CAMPAIGNS and REPUTATION turn each off; CAMPAIGN_* and REPUTATION_*)."""
        reputation = ReputationStore.from_settings(client, settings) if settings.reputation else None
        return cls(
            CampaignStore.from_settings(client, settings),
            settings.campaigns,
            settings.campaign_phishing_from,
            reputation=reputation,
        )

    @property
    def active(self) -> bool:
        """Whether there is anything to count: campaigns or reputation."""
        return self.enabled or self.reputation is not None

    def _down(self) -> bool:
        return time.monotonic() < self._down_until

    # -- answers ------------------------------------------------------------------------------------------------------

    def count_one(self, message: str, sender: str | None, score: Score) -> Counted:
        """Count one answered message and return its campaign and what it holds; concurrent calls of this process
        share one Redis call.

        A text the process counted in the last ``RECENT_TTL_S`` is answered with the campaign that count returned,
        domains and numbers looked up in the last seconds from memory; both are counted in the background. A text
        that can join no campaign and holds nothing known costs one call for what it holds; one that holds nothing,
        no call.
        """
        if not self.active:
            return Counted()
        flagged = score.probability >= self.phishing_from
        key = memory_key(message)
        recent = self.recent.get(key)
        if recent is None:
            signed, held = self._read(message)
            campaign = None
        else:
            signed, campaign, held = recent
        subjects = held.with_sender(sender) if self.reputation is not None else held
        if self._down():
            return Counted(None, subjects)
        looked = self.memory.known(subjects.in_text()) if self.memory is not None else {}
        sighting = Sighting(subjects, flagged) if subjects.in_text() else None
        if recent is not None:
            if looked is not None:
                self.recent.count_later(key, _Count(signed, sender, flagged, sighting, held=held))
                return self._marking(key, Counted(campaign, subjects, looked))
            self.recent.count_later(key, _Count(signed, sender, flagged, held=held))
            _, looked_now = self._gathered(_Count(None, sender, flagged, sighting))
            return self._marking(key, Counted(campaign, subjects, looked_now))
        if looked is not None and sighting is not None:  # everything it holds is remembered: counted later
            self.recent.count_later(key, _Count(None, sender, flagged, sighting))
            sighting = None
        if signed is None and sighting is None:
            if held.in_text():
                self.recent.keep(key, (None, None, held))  # its repeats are not read again
            return Counted(None, subjects, looked or {})
        found, looked_now = self._gathered(_Count(signed, sender, flagged, sighting))
        if found is not None or signed is None:
            self.recent.keep(key, (signed, found, held))
        return self._marking(key, Counted(found, subjects, looked_now if looked is None else looked))

    def observe_one(self, message: str, sender: str | None, score: Score) -> Campaign | None:
        """Count one answered message and return its campaign (:meth:`count_one`'s)."""
        return self.count_one(message, sender, score).campaign

    def judge(self, prediction: dict[str, Any], counted: Counted, observe: bool = True) -> dict[str, Any]:
        """Return the answer with its ``campaign``, its ``links`` and what the campaign's policy and reputation's
        make of it (weave_ml.campaigns.policy, weave_ml.reputation.policy); ``observe``: report what reputation did
        to :attr:`on_judged` (an answer is reported once, not at each reading of a batch job)."""
        answer = policy.with_campaign(prediction, counted.campaign, self.rules)
        if self.memory is None:
            return answer
        campaign = counted.campaign
        admin_says_phishing = (
            policy.is_campaign(campaign, self.rules)
            and campaign is not None
            and campaign.source == policy.ADMIN
            and campaign.verdict == policy.PHISHING
        )
        verified, judged = self.memory.operators()
        looked = counted.looked
        sender = counted.subjects.sender
        if sender is not None and sender.id in judged:
            looked = {**looked, sender.id: Looked(reputation_policy.judged_by_admin(judged[sender.id]), True)}
        answer, outcome = reputation_policy.judge(answer, counted.subjects, looked, verified, admin_says_phishing)
        if observe and self.on_judged is not None:
            self.on_judged(outcome)
        return answer

    # -- late answers and batches -------------------------------------------------------------------------------------

    def pending_of(self, message: str, sender: str | None) -> tuple[tuple[str, ...], str]:
        """Return what finds a message's campaign and reputation later without its text: its campaign signature's
        bands (() when it can join none) and its subjects, encoded ('' when reputation is off)."""
        if not self.active:
            return (), ""
        signed, held = self._read(message)
        bands = () if signed is None else signed[0].bands
        return bands, held.with_sender(sender).encode() if self.reputation is not None else ""

    def find(self, bands: Sequence[str], subjects: str = "") -> Counted:
        """Return the campaign of a signature kept by :meth:`pending_of`, and its subjects looked up, as they stand
        now, without counting anything."""
        held = reading.decode(subjects) if self.reputation is not None else Subjects()
        if self._down():
            return Counted(None, held)
        campaign = None
        if self.enabled and bands:
            try:
                campaign = self.store.find(Signature(tuple(bands)))
            except ERRORS as exc:
                self._failed(exc, 1)
        return Counted(campaign, held, self.look_up(held.in_text()))

    def look_up(self, subjects: Sequence[Subject]) -> dict[str, Looked]:
        """Return the entries of ``subjects``, from memory or read (not counted); {} when reputation is off or fails."""
        if self.reputation is None or self.memory is None or not subjects or self._down():
            return {}
        self.recent.watch()  # what is remembered must be forgotten at the next verdict
        known = self.memory.known(subjects)
        if known is not None:
            return known
        try:
            entries = self.reputation.get(subjects)
        except ERRORS as exc:
            self._failed(exc, 1)
            return {}
        found = {subject_id: Looked(entry, entry.messages > 0) for subject_id, entry in entries.items()}
        self.memory.keep(found)
        return found

    def count_many(
        self, messages: Sequence[str], senders: Sequence[str | None], scores: Sequence[Score]
    ) -> list[Counted]:
        """Count scored messages (in one Redis call) and return each one's campaign and what it holds."""
        if not self.active or not messages or self._down():
            return [Counted() for _ in messages]
        # A campaign extends one decision to every member, so a member counts as phishing only on a confident score
        # (CAMPAIGN_PHISHING_FROM), not at a threshold tuned for one message at a time: a notice the model flags
        # now and then must not become a phishing campaign that flags all its copies. Reputation counts the same.
        flagged = [score.probability >= self.phishing_from for score in scores]
        items, held = [], []
        for text, sender, flag in zip(messages, senders, flagged, strict=True):
            signed, subjects = self._read(text)
            subjects = subjects.with_sender(sender) if self.reputation is not None else subjects
            items.append(_Count(signed, sender, flag, Sighting(subjects, flag) if subjects.in_text() else None))
            held.append(subjects)
        results = self._guarded(lambda: self._call(items), len(items))
        counted = [
            Counted(campaign, subjects, looked) for subjects, (campaign, looked) in zip(held, results, strict=True)
        ]
        marks = tuple(mark for each in counted for mark in self._marks_of(each))
        if marks:
            self._guarded(lambda: self._call([_Count(None, None, False, marks=marks)]), 1)
        return counted

    def observe(
        self, messages: Sequence[str], senders: Sequence[str | None], scores: Sequence[Score]
    ) -> list[Campaign | None]:
        """Count scored messages (in one Redis call) and return each one's campaign, or None."""
        return [counted.campaign for counted in self.count_many(messages, senders, scores)]

    def count_batch(
        self,
        batch_id: str,
        scored: dict[int, tuple[str, str | None, Score]],
        ttl_s: int,
    ) -> None:
        """Count scored positions of a batch job (position → message, sender, score) and remember their campaigns and
        subjects, so the job's results are judged by them when read."""
        if not scored:
            return
        positions = list(scored)
        texts = [scored[p][0] for p in positions]
        senders = [scored[p][1] for p in positions]
        counted = dict(zip(positions, self.count_many(texts, senders, [scored[p][2] for p in positions]), strict=True))
        if any(c.campaign for c in counted.values()):
            found = {p: c.campaign for p, c in counted.items()}
            self._quietly(lambda: self.store.remember_batch(batch_id, found, ttl_s))
        reputation = self.reputation
        if reputation is not None:
            held = {p: c.subjects for p, c in counted.items()}
            self._quietly(lambda: reputation.remember_batch(batch_id, held, ttl_s))

    def judge_batch(self, batch_id: str, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Return a batch job's results, each scored one judged by its campaign and the reputation of what it holds as
        they stand now. A job is read again at every poll, so its judgements are not reported to :attr:`on_judged`."""
        campaigns: dict[int, Campaign] = {}
        held: dict[int, Subjects] = {}
        if self.active and not self._down():
            try:
                positions = [result["index"] for result in results]
                campaigns = self.store.of_batch(batch_id, positions) if self.enabled else {}
                held = self.reputation.of_batch(batch_id, positions) if self.reputation is not None else {}
            except ERRORS as exc:
                self._failed(exc, len(results))
        looked = self.look_up(list({s.id: s for subjects in held.values() for s in subjects.in_text()}.values()))
        return [
            self.judge(
                result, Counted(campaigns.get(result["index"]), held.get(result["index"], Subjects()), looked), False
            )
            if "is_phishing" in result
            else result
            for result in results
        ]

    # -- reports ------------------------------------------------------------------------------------------------------

    def label(
        self, message: str, verdict: str, source: str = policy.ADMIN, reporter: str | None = None
    ) -> Campaign | None:
        """Record a report on the campaign of a message (an admin's verdict, or a user's report by ``reporter``);
        None when the text is too short to belong to one."""
        found = signatures.signature(message)
        if found is None:
            return None
        return self.store.label(found, verdict, source, reporter)

    def report_text(
        self,
        message: str,
        verdict: str,
        source: str = policy.ADMIN,
        reporter: str | None = None,
        sender: str | None = None,
    ) -> dict[str, Entry]:
        """Record a report on a text (an admin's verdict, or a user's by ``reporter``) as evidence on the domains
        and numbers it holds; return their entries after it ({} when reputation is off)."""
        if self.reputation is None or self.memory is None:
            return {}
        who, by = (BY_REPORT, reputation_verdicts.text_key(message))
        if source == policy.USER:
            who, by = BY_USER, hashed_reporter(reporter)
        return reputation_verdicts.record_text(
            self.reputation, message, sender=sender, verdict=verdict, who=who, by=by, verified=self.memory.verified()
        )

    # -- the calls ----------------------------------------------------------------------------------------------------

    def _read(self, message: str) -> tuple[tuple[Signature, str] | None, Subjects]:
        """A message's campaign signature (None when it cannot join a campaign or campaigns are off) and subjects."""
        if self.reputation is None:
            return (signatures.signature(message) if self.enabled else None), Subjects()
        normalised, found = reading.read(message)
        signed = None
        if self.enabled:
            signed = signatures.of_normalised(normalised, found if len(normalised) <= signatures.MAX_CHARS else None)
        return signed, reading.of_text(normalised, found)

    def _gathered(self, item: _Count) -> _Result:
        return self._gatherer.submit(item) or _NOTHING

    def _count_now(self, items: Sequence[_Count]) -> list[_Result]:
        return self._guarded(lambda: self._call(items), len(items))

    def _call(self, items: Sequence[_Count]) -> list[_Result]:
        """Count the items' campaigns and sightings and record their campaign evidence, in one round trip."""
        calls: list[ScriptCall] = []
        signed = [item.signed for item in items]
        campaign_call = (
            self.store.observe_call(signed, [i.sender for i in items], [i.flagged for i in items])
            if any(signed)
            else None
        )
        if campaign_call is not None:
            calls.append(campaign_call)
        reputation = self.reputation
        sighted = [p for p, item in enumerate(items) if item.sighting is not None and item.sighting.subjects.in_text()]
        sightings = [s for s in (items[p].sighting for p in sighted) if s is not None]
        marks: dict[tuple[str, str], list[Subject]] = {}
        for mark in (mark for item in items for mark in item.marks):
            marks.setdefault((mark.campaign, mark.says), []).append(mark.subject)
        if reputation is not None:
            if sightings:
                calls.append(reputation.observe_call(sightings))
            calls += [reputation.report_call(held, says, BY_CAMPAIGN, by) for (by, says), held in marks.items()]
        if not calls:
            return [_NOTHING] * len(items)
        replies = iter(run_scripts(self.store.client, calls))
        campaigns = self.store.parse_observed(next(replies), signed) if campaign_call else [None] * len(items)
        looked: list[dict[str, Looked]] = [{} for _ in items]
        if reputation is not None and self.memory is not None and sightings:
            for position, found in zip(sighted, reputation.parse_observed(next(replies), sightings), strict=True):
                looked[position] = found
                self.memory.keep(found)
        return list(zip(campaigns, looked, strict=True))

    def _count_repeats(self, counts: Sequence[_Count]) -> list[_Found | None]:
        """Count in one call what waited (repeats, sightings, campaign evidence; a failure is logged and counted as
        any other); keep what came back for the repeated texts."""
        if self._down():
            return [None] * len(counts)
        results = self._guarded(lambda: self._call(counts), len(counts))
        return [
            (count.signed, campaign, count.held) if count.signed is not None and campaign is not None else None
            for count, (campaign, _) in zip(counts, results, strict=True)
        ]

    def _verdicts_changed(self) -> bool:
        """Whether a campaign verdict was reported since the last look (any process, any gateway); True when unknown.
        Reputation's memory is told of its own counter at the same look."""
        try:
            campaign_seen, reputation_seen = self.store.client.mget([VERDICTS_KEY, CHANGES_KEY])
        except ERRORS:
            return True  # Redis is failing: what is kept can be forgotten, the answers go without campaigns anyway
        if self.memory is not None:
            self.memory.changed(reputation_seen)
        changed, self._verdicts_seen = campaign_seen != self._verdicts_seen, campaign_seen
        return changed

    def _marking(self, key: bytes, counted: Counted) -> Counted:
        """Queue the campaign evidence an answer shows on what it holds, for the background thread."""
        marks = self._marks_of(counted)
        if marks:
            self.recent.count_later(key, _Count(None, None, False, marks=marks))
        return counted

    def _marks_of(self, counted: Counted) -> tuple[_Mark, ...]:
        """The campaign evidence a counted message shows that its domains and numbers do not hold yet."""
        campaign = counted.campaign
        if self.reputation is None or campaign is None or not policy.is_campaign(campaign, self.rules):
            return ()
        if policy.is_phishing(campaign, self.rules):
            # What made it phishing: an admin's verdict, users' (both report its members' domains and numbers), or
            # the share of its senders scored phishing (which makes them suspicious at most).
            says = reputation_policy.SCORES
            if campaign.verdict == policy.PHISHING:
                says = policy.ADMIN if campaign.source == policy.ADMIN else policy.USERS
        elif campaign.source == policy.ADMIN:
            says = ""  # an admin judged it normal: the evidence it gave goes
        else:
            return ()
        marks = []
        for subject in (*counted.subjects.links, *counted.subjects.callbacks):
            if subject.protected:
                continue
            entry = counted.looked.get(subject.id, Looked()).entry
            held = {
                policy.ADMIN: entry.campaigns_admin,
                policy.USERS: entry.campaigns_users,
                reputation_policy.SCORES: entry.campaigns_scores,
            }
            if (says and held[says]) or (not says and not any(held.values())):
                continue
            with self._marked_lock:
                if (campaign.id, says, subject.id) in self._marked:
                    continue
                self._marked[campaign.id, says, subject.id] = True
            marks.append(_Mark(campaign.id, says, subject))
        return tuple(marks)

    def _guarded(self, call: Callable[[], list[_Result]], size: int) -> list[_Result]:
        try:
            return call()
        except ERRORS as exc:
            self._failed(exc, size)
            return [_NOTHING] * size

    def _quietly(self, call: Callable[[], None]) -> None:
        try:
            call()
        except ERRORS as exc:
            self._failed(exc, 1)

    def _failed(self, exc: Exception, size: int) -> None:
        if time.monotonic() - self._down_until > RETRY_AFTER_S:  # once per outage, not per message
            log.warning("campaigns and reputation unavailable, answering without them: %s", exc)
        self._down_until = time.monotonic() + RETRY_AFTER_S
        with contextlib.suppress(*ERRORS):  # the same Redis: the log line above says it
            counters.add(self.store.client, counters.CAMPAIGN_ERRORS, size)
