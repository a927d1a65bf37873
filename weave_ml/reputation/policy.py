"""What the reputation of a message's domains and numbers does to its answer: pure functions of entries and settings.

An entry's ``verdict`` is what its evidence says, as the store's script judged it (``entries.lua``, its header lists
the order): an admin's verdict on the entry itself is final; else admins' verdicts on texts holding it and phishing
campaigns its texts belong to; else enough distinct users; else, at most ``suspicious``, the share of its senders
who sent a text scored phishing. Evidence from texts never marks a protected subject (weave_ml.reputation.subjects).

A subject's *reputation*, as an answer shows it (:func:`reputation_of`): ``reported`` (blocks), ``suspicious``,
``clean`` (judged normal, an official domain, or an operator's verified sender) or ``unknown``.

An answer is raised (``is_phishing: true``, ``risk_level: high``, the reason first) when a link's domain or a
call-back number is ``reported``; a sender's own number only when an admin reported that number itself, since a
sender number can be spoofed. The probability stays what the model gave. A text from a verified sender whose every
link is official and every call-back number is one of that sender's organisation's is capped at ``low``, unless an
admin's verdict says otherwise (:func:`vouched_by_sender`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from weave_ml.reputation.subjects import LINK, SENDER, Subject, Subjects, Verified

REPORTED = "reported"
SUSPICIOUS = "suspicious"
CLEAN = "clean"
UNKNOWN = "unknown"
REPUTATIONS = (UNKNOWN, CLEAN, SUSPICIOUS, REPORTED)
# Where an entry's verdict came from, strongest first.
ADMIN = "admin"  # an admin's verdict on the entry itself (final until another admin's)
REPORTS = "reports"  # admins' verdicts on reported texts that hold it
CAMPAIGN = "campaign"  # a phishing campaign (raised by an admin or by users) its texts belong to
USERS = "users"  # enough distinct users' reports on texts that hold it
SCORES = "scores"  # the share of its senders who sent a text scored phishing: suspicious at most
SOURCES = (ADMIN, REPORTS, CAMPAIGN, USERS, SCORES)
# What a verdict or a report says of an entry.
PHISHING = "phishing"
NORMAL = "normal"

LINK_REASON = "신고된 링크"
NUMBER_REASON = "신고된 전화번호"
VERIFIED_REASON = "인증된 발신자의 공식 안내"
REASONS = (LINK_REASON, NUMBER_REASON, VERIFIED_REASON)


@dataclass(frozen=True)
class Rules:
    """The judgement's settings (REPUTATION_REPORTERS, REPUTATION_REPORTS_PER_HOUR, REPUTATION_MIN_SENDERS,
    REPUTATION_SUSPICIOUS_SHARE)."""

    users_needed: int = 3
    reporter_limit: int = 30
    min_senders: int = 5
    suspicious_share: float = 0.5


@dataclass(frozen=True)
class Entry:
    """One domain's or number's counts, evidence and verdict as the store keeps them; no text, no number."""

    verdict: str = ""  # REPORTED, SUSPICIOUS, CLEAN or "" (no verdict)
    source: str = ""  # one of SOURCES, or ""
    messages: int = 0  # texts seen holding it
    senders: int = 0  # their distinct senders (a HyperLogLog's estimate)
    phishing_senders: int = 0  # those who sent one scored phishing
    first_seen: float = 0.0
    last_seen: float = 0.0
    admin: str = ""  # an admin's verdict on it: PHISHING, NORMAL or ""
    users_phishing: int = 0  # distinct users who reported a text holding it phishing
    users_normal: int = 0
    reports_phishing: int = 0  # reported texts holding it an admin judged phishing
    reports_normal: int = 0
    campaigns_admin: int = 0  # phishing campaigns its texts belong to, by what made them phishing
    campaigns_users: int = 0
    campaigns_scores: int = 0


EMPTY = Entry()


def judged_by_admin(verdict: str) -> Entry:
    """The entry an admin's verdict alone makes (a sender's number is judged by nothing else)."""
    return Entry(REPORTED if verdict == PHISHING else CLEAN, ADMIN, admin=verdict)


@dataclass(frozen=True)
class Looked:
    """A subject of an answer as looked up: its entry, and whether a text holding it was seen before this one."""

    entry: Entry = EMPTY
    seen_before: bool = False


@dataclass(frozen=True)
class Outcome:
    """What reputation did to one answer, for the metrics: the source of the verdict that raised it (or None),
    whether a verified sender capped it, and the reputations of its subjects that hold a verdict."""

    raised_by: str | None = None
    capped: bool = False
    hits: tuple[str, ...] = ()


def reputation_of(subject: Subject, entry: Entry, verified: Verified) -> str:
    """A subject's reputation as an answer shows it."""
    if entry.source == ADMIN:
        return REPORTED if entry.verdict == REPORTED else CLEAN
    if subject.official or verified.of(subject) is not None:
        return CLEAN
    if subject.protected:
        return UNKNOWN
    return entry.verdict or UNKNOWN


def blocks(subject: Subject, entry: Entry, verified: Verified) -> bool:
    """Whether a subject raises the answer of a text holding it (a sender's own number: an admin's verdict only)."""
    if reputation_of(subject, entry, verified) != REPORTED:
        return False
    return subject.role != SENDER or entry.source == ADMIN


def vouched_by_sender(subjects: Subjects, looked: Mapping[str, Looked], verified: Verified) -> bool:
    """Whether a text is a verified sender's own notice: its sender is verified for an organisation, every link is
    official or verified for it, every call-back number is verified for it, and no admin reported any of them."""
    organisation = verified.of(subjects.sender)
    if organisation is None:
        return False
    for subject in subjects.all():
        if looked.get(subject.id, Looked()).entry.admin == PHISHING:
            return False
        if subject.role == LINK:
            if not subject.official and verified.of(subject) != organisation:
                return False
        elif verified.of(subject) != organisation:
            return False
    return True


def links_field(subjects: Subjects, looked: Mapping[str, Looked], verified: Verified) -> list[dict[str, Any]]:
    """The ``links`` of an answer: each link's domain, whether it is official, seen before, and its reputation."""
    found = []
    for subject in subjects.links:
        seen = looked.get(subject.id, Looked())
        found.append(
            {
                "domain": subject.domain,
                "official": subject.official or verified.of(subject) is not None,
                "seen_before": seen.seen_before,
                "reputation": reputation_of(subject, seen.entry, verified),
            }
        )
    return found


def judge(
    prediction: dict[str, Any],
    subjects: Subjects,
    looked: Mapping[str, Looked],
    verified: Verified,
    admin_says_phishing: bool = False,
) -> tuple[dict[str, Any], Outcome]:
    """Return the answer with its ``links`` and what reputation does to it, and what it did.

    ``admin_says_phishing``: an admin's verdict raised the text's campaign, which a verified sender does not cap.
    """
    answer = {**prediction, "links": links_field(subjects, looked, verified)}
    entries = {subject.id: looked.get(subject.id, Looked()).entry for subject in subjects.all()}
    reasons: list[str] = []
    raised_by: str | None = None
    for subject in subjects.all():
        if blocks(subject, entries[subject.id], verified):
            reason = LINK_REASON if subject.role == LINK else NUMBER_REASON
            if reason not in reasons:
                reasons.append(reason)
            raised_by = raised_by or entries[subject.id].source
    hits = tuple(
        state
        for subject in subjects.all()
        if entries[subject.id].verdict and (state := reputation_of(subject, entries[subject.id], verified)) != UNKNOWN
    )
    if raised_by is not None:
        answer["is_phishing"] = True
        answer["risk_level"] = "high"
        answer["reasons"] = [*reasons, *(reason for reason in prediction["reasons"] if reason not in REASONS)]
        return answer, Outcome(raised_by=raised_by, hits=hits)
    if not admin_says_phishing and vouched_by_sender(subjects, looked, verified):
        answer["is_phishing"] = False
        answer["risk_level"] = "low"
        answer["reasons"] = [VERIFIED_REASON]
        return answer, Outcome(capped=True, hits=hits)
    return answer, Outcome(hits=hits)
