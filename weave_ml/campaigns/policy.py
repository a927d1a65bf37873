"""What a campaign does to an answer: pure functions of a campaign's counts, its verdict and the settings.

A group is a *campaign* once at least ``min_senders`` distinct senders sent it within the window. A campaign is
*phishing* when a member was reported or verified as phishing, or when at least ``phishing_share`` of its
messages were scored phishing (at the medium threshold of the model that scored them) — unless an admin or user
reported a member as normal, which wins. Every member of a phishing campaign is answered ``is_phishing: true``
and ``risk_level: high`` with the reason ``대량 발송 캠페인``; the probability stays what the model gave. A
campaign that is not phishing (a group chat's "생일 축하해" sent on by many, a shop's notice) is shown, changes
nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from weave_ml.campaigns.signature import readable_template

REASON = "대량 발송 캠페인"
PHISHING = "phishing"
NORMAL = "normal"
VERDICTS = (PHISHING, NORMAL)


@dataclass(frozen=True)
class Rules:
    """The policy's settings (CAMPAIGN_MIN_SENDERS, CAMPAIGN_PHISHING_SHARE)."""

    min_senders: int = 5
    phishing_share: float = 0.5


@dataclass(frozen=True)
class Campaign:
    """One group of near-identical messages as the store counts it: no text, no sender."""

    id: str
    messages: int
    phishing: int
    senders: int
    first_seen: float
    last_seen: float
    verdict: str | None = None
    template: str | None = None

    @property
    def share(self) -> float:
        """Share of its messages scored phishing."""
        return self.phishing / self.messages if self.messages else 0.0


def is_campaign(group: Campaign | None, rules: Rules) -> bool:
    """Whether a group has been sent by enough distinct senders to be a campaign."""
    return group is not None and group.senders >= rules.min_senders


def is_phishing(group: Campaign, rules: Rules) -> bool:
    """Whether a campaign raises its members' risk: reported phishing, or mostly scored phishing; never if reported
    normal."""
    if group.verdict == NORMAL:
        return False
    return group.verdict == PHISHING or (group.messages > 0 and group.share >= rules.phishing_share)


def iso_time(epoch: float) -> str:
    """An epoch time as the answers write it: ISO 8601, UTC, to the second."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="seconds")


def campaign_field(group: Campaign) -> dict[str, Any]:
    """The campaign object of an answer."""
    return {
        "id": group.id,
        "first_seen": iso_time(group.first_seen),
        "messages": group.messages,
        "senders": group.senders,
        "phishing_share": round(group.share, 4),
        "verdict": group.verdict,
    }


def listing(group: Campaign, rules: Rules) -> dict[str, Any]:
    """A campaign as GET /admin/campaigns shows it; the masked template only when it is phishing."""
    phishing = is_phishing(group, rules)
    return {
        **campaign_field(group),
        "last_seen": iso_time(group.last_seen),
        "phishing": phishing,
        "template": readable_template(group.template) if phishing and group.template else None,
    }


def with_campaign(prediction: dict[str, Any], group: Campaign | None, rules: Rules) -> dict[str, Any]:
    """Return the prediction with its ``campaign`` (or None) and, for a phishing campaign, the raised decision."""
    if not is_campaign(group, rules):
        return {**prediction, "campaign": None}
    assert group is not None
    answer = {**prediction, "campaign": campaign_field(group)}
    if is_phishing(group, rules):
        answer["is_phishing"] = True
        answer["risk_level"] = "high"
        answer["reasons"] = [REASON, *(reason for reason in prediction["reasons"] if reason != REASON)]
    return answer
