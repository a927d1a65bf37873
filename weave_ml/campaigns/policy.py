"""What a campaign does to an answer: pure functions of a campaign's counts, its verdict and the settings.

A group is a *campaign* once at least ``min_senders`` distinct senders sent it within the window. A campaign is
*phishing* (:func:`is_phishing`):

- never when its texts are vouched for (every link official for an organisation the text names): a real notice
  stays what the model says, whatever a look-alike blast or a report does;
- else as an admin's verdict says, when there is one: final until another admin's;
- else when enough distinct users reported it phishing (``users_needed``, more than reported it normal);
- else when at least ``phishing_share`` of its senders sent a member scored phishing (confidently: see
  weave_ml.campaigns.counting). Users' "normal" does not clear what the scores say; only an admin can.

Every member of a phishing campaign is answered ``is_phishing: true`` and ``risk_level: high`` with the reason
``대량 발송 캠페인``; the probability stays what the model gave. A campaign that is not phishing (a group chat's
"생일 축하해" sent on by many, a shop's notice) is shown, changes nothing.
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
# Who reported: an admin (a report's status, POST /admin/campaigns/report) or a user of the app.
ADMIN = "admin"
USER = "user"
# Where a campaign's verdict came from: an admin, or enough users.
USERS = "users"


@dataclass(frozen=True)
class Rules:
    """The policy's settings (CAMPAIGN_MIN_SENDERS, CAMPAIGN_PHISHING_SHARE, CAMPAIGN_REPORTERS,
    CAMPAIGN_REPORTS_PER_HOUR)."""

    min_senders: int = 5
    phishing_share: float = 0.5
    users_needed: int = 3
    reporter_limit: int = 20


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
    phishing_senders: int = 0  # senders of a member scored phishing
    source: str | None = None  # who gave the verdict: ADMIN or USERS
    vouched: bool = False  # its texts' links are all official for an organisation they name
    users_phishing: int = 0  # distinct users who reported it phishing
    users_normal: int = 0

    @property
    def share(self) -> float:
        """Share of its senders who sent a member scored phishing (one sender repeating a text weighs as one)."""
        return min(1.0, self.phishing_senders / self.senders) if self.senders else 0.0


def is_campaign(group: Campaign | None, rules: Rules) -> bool:
    """Whether a group has been sent by enough distinct senders to be a campaign."""
    return group is not None and group.senders >= rules.min_senders


def is_phishing(group: Campaign, rules: Rules) -> bool:
    """Whether a campaign raises its members' risk (weave_ml/campaigns/count.lua decides the same when it keeps a
    template and logs a change)."""
    if group.vouched:
        return False
    if group.source == ADMIN:
        return group.verdict == PHISHING
    if group.verdict == PHISHING:
        return True
    return group.senders > 0 and group.share >= rules.phishing_share


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
        "verdict_source": group.source,
    }


def listing(group: Campaign, rules: Rules) -> dict[str, Any]:
    """A campaign as GET /admin/campaigns shows it; the masked template only when it is phishing."""
    phishing = is_phishing(group, rules)
    return {
        **campaign_field(group),
        "last_seen": iso_time(group.last_seen),
        "vouched": group.vouched,
        "reporters": {PHISHING: group.users_phishing, NORMAL: group.users_normal},
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
