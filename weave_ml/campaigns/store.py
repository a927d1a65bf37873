"""Campaign state in Redis, shared by every gateway and worker: band keys, counts, hashed senders, times; no text.

One Lua script call handles a whole micro-batch (or chunk) atomically, so concurrent processes never found two
campaigns for one template and a batch of 100 costs one round trip. For each message the script:

1. reads its ``BANDS`` band keys; the campaign at least ``MIN_VOTES`` of them point to (the one most point to)
   is its campaign, otherwise it founds one under its own id. Two bands, not one: a single shared band
   happens between unrelated texts now and then (J^4 is small, not nil), two almost never for J < 0.3;
2. points its bands at that campaign, counts the message (and whether it was scored phishing), adds the hashed
   sender to the campaign's HyperLogLog, and sets first/last seen;
3. gives every key it touched the TTL ``window_s``: a campaign silent for a window is forgotten, memory is bounded
   by what one window brings. A group of one message (most traffic: texts nothing else resembles) gets the shorter
   ``lone_ttl_s``, and the whole window from its second message on: its 16 band keys are nearly all of what a
   text costs in Redis, and a blast's next copy comes within minutes, not hours;
4. lists a campaign with enough senders in the ``:active`` sorted set (by last seen) that GET /admin/campaigns reads.

A reported message runs the same script with a verdict: it finds (or founds) its campaign and records the report,
without counting a message. An admin's verdict is final until another admin's; users' reports are weak evidence:
the campaign takes their verdict once ``users_needed`` distinct reporters agree (and outnumber those who said the
opposite), and a reporter's reports count for at most ``reporter_limit`` campaigns an hour. Reports without a
reporter count together as one anonymous reporter. Every change of a verdict is kept in a log an operator reads
(:meth:`CampaignStore.verdict_log`), with what made it: an admin, users (with their counts), or the scores.

The script reads the time from Redis: one clock for every process, whatever each caller's says.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

import redis
from redis.typing import EncodableT

from weave_ml import counters, keys
from weave_ml.campaigns.policy import ADMIN, USER, VERDICTS, Campaign, Rules
from weave_ml.campaigns.signature import BANDS, Signature
from weave_ml.connections import ScriptCall, by_position, lua_script, run_scripts
from weave_ml.names import CAMPAIGN_PREFIX, SERVICE_COUNTERS_KEY
from weave_ml.reports.labels import hashed_reporter
from weave_ml.settings import Settings

log = logging.getLogger(__name__)

MIN_VOTES = 2
# How many verdicts were reported: weave_ml.campaigns.recent forgets what it kept when this changes.
VERDICTS_KEY = f"{CAMPAIGN_PREFIX}:verdicts"
# Every change of a campaign's verdict, newest first (JSON): at most VERDICT_LOG_LENGTH, for VERDICT_LOG_TTL_S after
# the last change.
VERDICT_LOG_KEY = f"{CAMPAIGN_PREFIX}:verdict-log"
VERDICT_LOG_LENGTH = 1000
VERDICT_LOG_TTL_S = 30 * 86400
_FIELDS = (
    "messages",
    "phishing",
    "first_seen",
    "last_seen",
    "verdict",
    "template",
    "senders",
    "phishing_senders",
    "source",
    "vouched",
    "users_phishing",
    "users_normal",
)


def hashed_sender(sender: str | None) -> str:
    """Return what the store keeps of a sender (its digits, keyed-hashed: no number can be read back without the
    deployment's secret), or '' for none; it only enters the sets of a group's senders (distinct.lib.lua)."""
    digits = "".join(ch for ch in sender or "" if ch.isalnum())
    return keys.current().digest("sender", digits, size=8) if digits else ""


class CampaignStore:
    """Counts messages into campaigns and reads them back, in one Redis round trip per call."""

    def __init__(self, client: redis.Redis, window_s: int, rules: Rules, lone_ttl_s: int | None = None) -> None:
        self.client = client
        self.window_s = window_s
        self.rules = rules
        # How long a group of one message is kept (at most the window; the window when not given).
        self.lone_ttl_s = min(window_s, lone_ttl_s or window_s)
        self._script = lua_script(client, "weave_ml.campaigns", "count.lua")

    @classmethod
    def from_settings(cls, client: redis.Redis, settings: Settings) -> CampaignStore:
        """The store with the deployment's window and policy (CAMPAIGN_* settings)."""
        rules = Rules(
            settings.campaign_min_senders,
            settings.campaign_phishing_share,
            settings.campaign_reporters,
            settings.campaign_reports_per_hour,
        )
        return cls(client, settings.campaign_window_s, rules, settings.campaign_lone_ttl_s)

    def observe(
        self,
        signatures: Sequence[tuple[Signature, str] | None],
        senders: Sequence[str | None],
        phishing: Sequence[bool],
    ) -> list[Campaign | None]:
        """Count messages (signature and masked template, or None for a text that never joins a campaign); return
        each one's campaign as it stands after it."""
        return self._run(signatures, senders, phishing, "")

    def label(
        self, found: tuple[Signature, str], verdict: str, source: str = ADMIN, reporter: str | None = None
    ) -> Campaign:
        """Record a report on the campaign of a message (founding it if it is new): ``phishing`` or ``normal``, by an
        admin (final) or by a user (``reporter``: the app user's id; none is the anonymous reporter)."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        if source not in (ADMIN, USER):
            raise ValueError(f"source must be {ADMIN} or {USER}, not {source!r}")
        who = hashed_reporter(reporter) if source == USER else ""
        campaign = self._run([found], [None], [verdict == VERDICTS[0]], verdict, source=source, reporter=who)[0]
        assert campaign is not None
        with self.client.pipeline(transaction=False) as pipe:  # processes answering repeats from memory look here
            pipe.incr(VERDICTS_KEY)
            pipe.expire(VERDICTS_KEY, self.window_s)
            pipe.execute()
        return campaign

    def verdicts_reported(self) -> object:
        """A value that changes whenever a verdict is reported (a counter, expiring with the window)."""
        return self.client.get(VERDICTS_KEY)

    def verdict_log(self, limit: int = VERDICT_LOG_LENGTH) -> list[dict[str, Any]]:
        """Return the latest changes of campaigns' verdicts, newest first: campaign, when, what made it (admin, users,
        scores), the verdict, whether the policy raises the campaign now, reporters' counts, senders."""
        return [json.loads(entry) for entry in self.client.lrange(VERDICT_LOG_KEY, 0, limit - 1)]

    def _run(
        self,
        signatures: Sequence[tuple[Signature, str] | None],
        senders: Sequence[str | None],
        phishing: Sequence[bool],
        verdict: str,
        *,
        source: str = "",
        reporter: str = "",
    ) -> list[Campaign | None]:
        call = self._script_call(signatures, senders, phishing, verdict, source=source, reporter=reporter)
        if call is None:
            return [None] * len(signatures)
        (rows,) = run_scripts(self.client, [call])
        return self.parse_observed(rows, signatures)

    def observe_call(
        self,
        signatures: Sequence[tuple[Signature, str] | None],
        senders: Sequence[str | None],
        phishing: Sequence[bool],
    ) -> ScriptCall | None:
        """The script call that counts messages, for :func:`run_scripts` beside another store's call (one round
        trip); None when no message can join a campaign. :meth:`parse_observed` reads its reply."""
        return self._script_call(signatures, senders, phishing, "")

    def _script_call(
        self,
        signatures: Sequence[tuple[Signature, str] | None],
        senders: Sequence[str | None],
        phishing: Sequence[bool],
        verdict: str,
        *,
        source: str = "",
        reporter: str = "",
    ) -> ScriptCall | None:
        rules = self.rules
        args: list[EncodableT] = [
            CAMPAIGN_PREFIX,
            self.window_s,
            rules.min_senders,
            rules.phishing_share,
            BANDS,
            MIN_VOTES,
            verdict,
            SERVICE_COUNTERS_KEY,
            counters.CAMPAIGNS_NEW,
            self.lone_ttl_s,
            source,
            reporter,
            rules.users_needed,
            rules.reporter_limit,
            VERDICT_LOG_LENGTH,
            VERDICT_LOG_TTL_S,
        ]
        counted = [position for position, found in enumerate(signatures) if found is not None]
        if not counted:
            return None
        for position in counted:
            found = signatures[position]
            assert found is not None
            signature, template = found
            # A text vouched for never brings its template: it is never kept as a phishing example.
            flagged = phishing[position]
            args += [
                signature.campaign_id,
                hashed_sender(senders[position]),
                "1" if flagged else "0",
                template if flagged and not signature.vouched else "",
                "1" if signature.vouched else "0",
                *signature.bands,
            ]
        return self._script, args

    def parse_observed(
        self, rows: Sequence[Sequence[object]], signatures: Sequence[tuple[Signature, str] | None]
    ) -> list[Campaign | None]:
        """Read the reply of :meth:`observe_call`: each message's campaign as it stands after it (None for a message
        that cannot join one); log each change of a verdict it made."""
        counted = [position for position, found in enumerate(signatures) if found is not None]
        result: list[Campaign | None] = [None] * len(signatures)
        for position, row in zip(counted, rows, strict=True):
            result[position] = _campaign(row[:12])
            if row[12]:
                log.info("campaign verdict changed: %s", _text(row[12]))
        return result

    def remember_batch(self, batch_id: str, found: dict[int, Campaign | None], ttl_s: int) -> None:
        """Keep which campaign each position of a batch job belongs to, so its results show the campaign as it is
        when they are read (a report after scoring still changes them)."""
        pairs = [value for p, campaign in found.items() if campaign is not None for value in (p, campaign.id)]
        if not pairs:
            return
        key = f"{CAMPAIGN_PREFIX}:batch:{batch_id}"
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hset(key, items=pairs)
            pipe.expire(key, ttl_s)
            pipe.execute()

    def of_batch(self, batch_id: str, positions: Sequence[int] | None = None) -> dict[int, Campaign]:
        """Return the current campaign of each position of a batch job (or of those of ``positions``) that belongs
        to one."""
        stored = by_position(self.client, f"{CAMPAIGN_PREFIX}:batch:{batch_id}", positions)
        ids = {position: _text(value) for position, value in stored.items()}
        found = self.get_many(sorted(set(ids.values())))
        return {position: found[campaign_id] for position, campaign_id in ids.items() if campaign_id in found}

    def find(self, signature: Signature) -> Campaign | None:
        """Return the campaign a signature belongs to now (the script's vote: at least MIN_VOTES bands, the most
        votes), without counting a message; None when it belongs to none."""
        pointed = self.client.mget([f"{CAMPAIGN_PREFIX}:band:{band}" for band in signature.bands])
        votes = Counter(_text(campaign_id) for campaign_id in pointed if campaign_id is not None)
        if not votes:
            return None
        campaign_id, count = votes.most_common(1)[0]
        if count < MIN_VOTES:
            return None
        return self.get_many([campaign_id]).get(campaign_id)

    def get_many(self, ids: Sequence[str]) -> dict[str, Campaign]:
        """Return the campaigns of ``ids`` that still exist, in one round trip."""
        with self.client.pipeline(transaction=False) as pipe:
            for campaign_id in ids:
                pipe.hmget(f"{CAMPAIGN_PREFIX}:c:{campaign_id}", _FIELDS)
            replies = pipe.execute()
        found: dict[str, Campaign] = {}
        for campaign_id, fields in zip(ids, replies, strict=True):
            if fields[2] is None:  # expired
                continue
            row = [campaign_id, fields[0], fields[1], fields[2], fields[3], fields[6], fields[4], *fields[7:]]
            found[campaign_id] = _campaign(row, fields[5])
        return found

    def active(self, limit: int = 100) -> list[Campaign]:
        """Return the campaigns with enough senders seen within the window, most recently active first."""
        key = f"{CAMPAIGN_PREFIX}:active"
        seconds, microseconds = self.client.time()  # the clock the script writes with
        self.client.zremrangebyscore(key, "-inf", seconds + microseconds / 1e6 - self.window_s)
        ids = [_text(raw) for raw in self.client.zrevrange(key, 0, limit - 1)]
        found = self.get_many(ids)
        return [found[campaign_id] for campaign_id in ids if campaign_id in found]


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)


def _campaign(row: Sequence[object], template: object = None) -> Campaign:
    """Build a campaign from the script's row: id, messages, phishing, first seen, last seen, senders, verdict,
    phishing senders, the verdict's source, vouched, users' phishing and normal reports."""
    campaign_id, messages, phishing, first_seen, last_seen, senders, verdict, *rest = (_text(value) for value in row)
    phishing_senders, source, vouched, users_phishing, users_normal = (rest + [""] * 5)[:5]
    return Campaign(
        id=campaign_id,
        messages=int(messages or 0),
        phishing=int(phishing or 0),
        senders=int(senders or 0),
        first_seen=float(first_seen or 0),
        last_seen=float(last_seen or 0),
        verdict=verdict or None,
        template=_text(template) or None,
        phishing_senders=int(phishing_senders or 0),
        source=source or None,
        vouched=vouched == "1",
        users_phishing=int(users_phishing or 0),
        users_normal=int(users_normal or 0),
    )
