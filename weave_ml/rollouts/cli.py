"""``weave-ml rollout``: start, show, promote and abort a rollout on the registry this process can write.

Run it where the registry is writable (the trainer's container); workers and gateways follow the record within
seconds, as they follow the pointer. ``status`` joins the reports in MongoDB itself when MONGODB_URI is set.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import redis

from weave_ml.connections import redis_client
from weave_ml.registry import changes as registry_admin
from weave_ml.registry.store import Registry
from weave_ml.reports.mongo import ReportsUnavailable
from weave_ml.rollouts import check as rollout_check
from weave_ml.rollouts.evidence import EvidenceStore, read_reports, reported_evidence
from weave_ml.settings import get_settings


def run(args: argparse.Namespace, registry: Registry) -> int:
    """Carry out one rollout action; 0 when done, 1 when the registry refused it (the reason on stderr)."""
    if args.action == "status":
        return show(registry, as_json=args.json)
    if args.action == "start":
        if not args.candidate or not args.mode:
            raise ValueError("rollout start needs CANDIDATE and --mode shadow|canary")
        action = registry_admin.ROLLOUT_START
        arguments: dict[str, Any] = {"candidate": args.candidate, "mode": args.mode, "share": args.share}
    else:
        action = registry_admin.ROLLOUT_PROMOTE if args.action == "promote" else registry_admin.ROLLOUT_ABORT
        arguments = {"reason": args.reason} if args.reason else {}
    outcome = registry_admin.carry_out(registry, action, arguments)
    if "error" in outcome:
        print(f"weave-ml rollout {args.action}: {outcome['error']['message']}", file=sys.stderr)
        return 1
    settings = get_settings()
    with redis_client(settings.state_url) as state:
        EvidenceStore(state, settings.rollout_evidence_ttl_s).forget_ended(outcome)
    record = outcome["rollout"]
    current = outcome["current_version"]
    print(f"rollout {outcome['event']}: {record['candidate']} ({_mode(record)}); current model {current}")
    return 0


def _mode(record: dict[str, Any]) -> str:
    return f"canary {record['share']:g}%" if record["mode"] == "canary" else "shadow"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def show(registry: Registry, as_json: bool = False) -> int:
    """Print the rollout, the workers' measurements per version and each version's record on reported messages."""
    settings = get_settings()
    store = EvidenceStore(redis_client(settings.state_url), settings.rollout_evidence_ttl_s)
    try:
        body = rollout_check.status(registry, store)
    except redis.RedisError as exc:
        print(f"weave-ml rollout status: Redis unreachable, no evidence to show: {exc}", file=sys.stderr)
        return 1
    rollout = registry.rollout()
    reports: dict[str, Any] | None = (body["last_check"] or {}).get("reports")
    if rollout is not None and settings.mongodb_uri:
        try:
            confusions = reported_evidence(store, rollout, read_reports(settings, rollout))
            reports = {version: confusion.to_dict() for version, confusion in sorted(confusions.items())}
        except ReportsUnavailable as exc:
            print(f"reports not joined: {exc}", file=sys.stderr)
    body["reports"] = reports
    if as_json:
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    print(table(body))
    return 0


def table(body: dict[str, Any]) -> str:
    """The status as a text table: one row per version."""
    record = body["rollout"]
    if record is None:
        last = body.get("last_check") or {}
        ended = (last.get("outcome") or {}).get("event")
        tail = f"; the last check {ended} {last['rollout']['candidate']}: {last['decision']['reason']}" if ended else ""
        return f"no rollout in progress; current model {body['current_version']}{tail}"
    lines = [
        f"rollout of {record['candidate']} ({_mode(record)}) since {record['started']}; "
        f"current model {body['current_version']}",
        f"{'version':<28}{'role':<11}{'scored':>8}{'answered':>10}{'flagged':>9}{'errors':>8}{'ms/msg':>8}"
        f"{'reported':>10}{'precision':>11}{'recall':>8}",
    ]
    evidence = body["evidence"] or {"versions": {}, "compared": 0, "agreement": None}
    reports = body.get("reports") or {}
    for version in sorted(set(evidence["versions"]) | set(reports)):
        counts = evidence["versions"].get(version, {})
        reported = reports.get(version, {})
        role = "candidate" if version == record["candidate"] else "current"
        latency = counts.get("latency_ms")
        lines.append(
            f"{version:<28}{role:<11}{counts.get('scored', 0):>8}{counts.get('answered', 0):>10}"
            f"{_pct(counts.get('positive_rate')):>9}{counts.get('errors', 0):>8}"
            f"{'-' if latency is None else f'{latency:.3f}':>8}{reported.get('reported', 0):>10}"
            f"{_pct(reported.get('precision')):>11}{_pct(reported.get('recall')):>8}"
        )
    lines.append(f"agreement {_pct(evidence['agreement'])} on {evidence['compared']} messages scored by both")
    last = body.get("last_check")
    if last and last.get("decision"):
        lines.append(f"last check {last['checked_at']}: {last['decision']['action']}: {last['decision']['reason']}")
    return "\n".join(lines)
