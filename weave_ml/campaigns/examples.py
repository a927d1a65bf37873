"""Phishing campaigns as weakly labelled training examples, without keeping any message's text.

A campaign reported phishing, or mostly scored phishing, says something about every member, also the ones the
model let through. Their texts are never stored (weave_ml.campaigns.store); what the store keeps of a phishing
campaign is its masked template: links, phone numbers, amounts, names and numbers replaced by marks. Campaigns are
forgotten a window after their last message, a retrain runs weekly, so every CAMPAIGN_EXAMPLES_INTERVAL_S the
trainer's :func:`collect` copies the templates of the active phishing campaigns into a list that outlives them:
each for ML_RETRAIN_DAYS after its campaign was last seen, at most ``MAX_KEPT``. A campaign an admin judged normal,
or one an operator refuses (:func:`refuse`, DELETE /admin/campaigns/examples/<id>), is taken off it. A retrain
reads the newest CAMPAIGN_EXAMPLES_MAX (:func:`training_examples`), fills each mark with a neutral stand-in
(:func:`fill`) and trains on them at CAMPAIGN_EXAMPLES_WEIGHT of a report's weight. They are never held out
(their label is a campaign's, not a person's): the quality gate judges the candidate trained with them on the
golden set, fresh reports, everyday text and frozen verdicts, as any other.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import redis

from weave_ml.campaigns import policy
from weave_ml.campaigns.signature import MARKS, OFFICIAL_LINK
from weave_ml.campaigns.store import CampaignStore
from weave_ml.connections import as_text, lua_script
from weave_ml.model.datasets import PHISHING, LabelledMessage
from weave_ml.model.text import normalise
from weave_ml.names import CAMPAIGN_PREFIX

KEY = f"{CAMPAIGN_PREFIX}:examples"  # sorted set: campaign id → when the campaign was last seen (epoch seconds)
TEMPLATES_KEY = f"{CAMPAIGN_PREFIX}:examples:templates"  # hash: campaign id → masked template
# Sorted set: campaign id → when an operator took its template off the list; never kept again while it is here.
REFUSED_KEY = f"{CAMPAIGN_PREFIX}:examples:refused"
MAX_KEPT = 1000  # templates are a few hundred bytes: the list stays under a megabyte
SOURCE = "campaign"

# One ordinary value per mark, each masked back to the same mark (tests/unit/test_campaign_examples.py), so an
# example has its campaign's signature and carries nothing but the template. They are in every example; each is a
# form normal messages use as much as lures (not a shortener, not a risky domain ending), so the model learns no
# stand-in as a lure's.
STAND_INS = {
    "link": "https://example.com",
    "phone": "010-1234-5678",
    "money": "10,000원",
    "address": "중구 세종대로 110",
    "name": "홍*동",
    "number": "1",
}


def fill(template: str) -> str:
    """Return a message made of a masked template: each mark replaced by its stand-in, each kept official domain by
    a link to it.

    A link stands apart from the words around it ("확인바랍니다<link>" becomes "확인바랍니다 https://example.com"),
    or it would swallow them: spacing is all that differs from the template, and signatures ignore spacing.
    """
    for kind, mark in MARKS.items():
        template = template.replace(mark, f" {STAND_INS[kind]} " if kind == "link" else STAND_INS[kind])
    # An official link kept its domain: it stands as a link to that domain, which masks back to the same mark.
    template = OFFICIAL_LINK.sub(lambda kept: f" https://{kept.group(1)} ", template)
    return " ".join(template.split())


def collect(store: CampaignStore, keep_s: float, now: float | None = None) -> dict[str, int]:
    """Keep the templates of the active phishing campaigns not refused by an operator, for ``keep_s``; drop
    campaigns an admin judged normal, those last seen longer ago and the oldest beyond ``MAX_KEPT``. Return how many
    were kept, dropped and are held."""
    now = time.time() if now is None else now
    client = store.client
    campaigns = store.active(limit=MAX_KEPT)
    client.zremrangebyscore(REFUSED_KEY, "-inf", now - keep_s)
    refused = {as_text(raw) for raw in client.zrange(REFUSED_KEY, 0, -1)}
    phishing = {c.id: c for c in campaigns if c.template and policy.is_phishing(c, store.rules) and c.id not in refused}
    # Only an admin's "normal" takes a template off: users cannot unkeep a lure (policy.is_phishing).
    normal = [c.id for c in campaigns if c.verdict == policy.NORMAL and c.source == policy.ADMIN]
    trim = lua_script(client, "weave_ml.campaigns", "trim_examples.lua")
    with client.pipeline(transaction=True) as pipe:
        if phishing:
            pipe.zadd(KEY, {c.id: c.last_seen for c in phishing.values()})
            pipe.hset(TEMPLATES_KEY, mapping={c.id: c.template or "" for c in phishing.values()})
        if normal:
            pipe.zrem(KEY, *normal)
            pipe.hdel(TEMPLATES_KEY, *normal)
        trim(keys=[KEY, TEMPLATES_KEY], args=[now - keep_s, MAX_KEPT], client=pipe)
        # Nothing collected for a whole retrain window (campaigns turned off): the keys go too.
        pipe.expire(KEY, int(keep_s))
        pipe.expire(TEMPLATES_KEY, int(keep_s))
        pipe.zcard(KEY)
        replies = pipe.execute()
    return {"kept": len(phishing), "reported_normal": len(normal), "dropped": int(replies[-4]), "held": replies[-1]}


def training_examples(
    client: redis.Redis, since: float, limit: int, weight: float, exclude: Sequence[str] = ()
) -> list[LabelledMessage]:
    """Return the newest ``limit`` templates kept for campaigns seen since ``since`` (epoch seconds), filled, as
    phishing examples of ``weight``; one per distinct text, none whose normalised text is one of ``exclude``'s."""
    ids = [as_text(raw) for raw in client.zrevrangebyscore(KEY, "+inf", since, start=0, num=limit)]
    if not ids:
        return []
    seen = {normalise(text) for text in exclude}
    examples = []
    for template in client.hmget(TEMPLATES_KEY, ids):
        if template is None:  # trimmed between the two reads
            continue
        text = fill(as_text(template))
        key = normalise(text)
        if key not in seen:
            seen.add(key)
            examples.append(LabelledMessage(text, PHISHING, source=SOURCE, weight=weight))
    return examples


@dataclass(frozen=True)
class Kept:
    """A phishing campaign's template kept for the retrain, as operators see it."""

    campaign_id: str
    template: str
    last_seen: float


def kept(client: redis.Redis, limit: int) -> list[Kept]:
    """Return the newest ``limit`` kept templates, newest first."""
    seen = {as_text(campaign_id): float(when) for campaign_id, when in _scored(client, limit)}
    if not seen:
        return []
    templates = client.hmget(TEMPLATES_KEY, list(seen))
    return [
        Kept(campaign_id, as_text(template), when)
        for (campaign_id, when), template in zip(seen.items(), templates, strict=True)
        if template is not None
    ]


def _scored(client: redis.Redis, limit: int) -> list[tuple[bytes, float]]:
    """The newest ``limit`` campaign ids of the list with when each was last seen."""
    # redis-py types every reply of ZREVRANGE alike; WITHSCORES makes it (member, score) pairs.
    return cast(list[tuple[bytes, float]], client.zrevrange(KEY, 0, limit - 1, withscores=True))


def refuse(client: redis.Redis, campaign_id: str, keep_s: float, now: float | None = None) -> bool:
    """Take a campaign's template off the list and keep it off for ``keep_s``; return whether it was on it."""
    now = time.time() if now is None else now
    with client.pipeline(transaction=True) as pipe:
        pipe.zrem(KEY, campaign_id)
        pipe.hdel(TEMPLATES_KEY, campaign_id)
        pipe.zadd(REFUSED_KEY, {campaign_id: now})
        pipe.expire(REFUSED_KEY, int(keep_s))
        removed = pipe.execute()[0]
    return bool(removed)
