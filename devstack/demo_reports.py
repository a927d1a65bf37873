"""Demo phishing reports of every kind, written to a private MongoDB by ``make run`` so a retrain can be watched."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pymongo

from weave_ml.model.datasets import LabelledMessage
from weave_ml.model.predictions import LEGACY_POINTS
from weave_ml.reports.mongo import DEFAULT_DATABASE
from weave_ml.training import corpus

# Another seed than the bundled corpus, so the demo reports are texts the first model has not seen.
DEMO_SEED = 7
DEMO_SIZE = 360
# Each kind a report can arrive as, in turn: what the user said, what an admin decided, what the model said.
KINDS = ("user_feedback", "admin_status", "auto_confident", "auto_confident", "auto_uncertain", "outside_window")


def _report(message: LabelledMessage, kind: str, now: dt.datetime, rng: random.Random) -> dict[str, Any]:
    phishing = bool(message.label)
    age = dt.timedelta(days=rng.uniform(40, 120) if kind == "outside_window" else rng.uniform(0, 25))
    if kind == "auto_confident":
        score = rng.uniform(0.82, 0.99) if phishing else rng.uniform(0.01, 0.25)
    elif kind == "auto_uncertain":
        score = rng.uniform(0.35, 0.75)
    else:
        # Reports a person corrected: the model had it wrong, or at least was unsure.
        score = rng.uniform(0.1, 0.5) if phishing else rng.uniform(0.5, 0.9)
    report = {
        "message": message.message,
        "sender": message.sender,
        "timestamp": now - age,
        "status": "pending",
        "risk_score": round(score, 3),
        "risk_level": LEGACY_POINTS.risk_level(score),
        "demo": True,
    }
    if kind in ("user_feedback", "outside_window"):
        report["user_feedback"] = rng.choice(["phishing", "피싱"] if phishing else ["false_positive", "오탐"])
    elif kind == "admin_status":
        report["status"] = "verified" if phishing else "false_positive"
    return report


def demo_documents(now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Return demo report documents: user feedback, admin verdicts, confident and uncertain scores, old ones."""
    now = now or dt.datetime.now(dt.UTC)
    rng = random.Random(DEMO_SEED)
    messages = corpus.generate(seed=DEMO_SEED, size=DEMO_SIZE)
    documents = [_report(message, KINDS[i % len(KINDS)], now, rng) for i, message in enumerate(messages)]
    # A text reported twice: first auto-labelled with a confident score, later judged by its user. The newer
    # report's label is the one a retrain uses.
    older = {"timestamp": now - dt.timedelta(days=27), "user_feedback": None, "status": "pending"}
    score = 0.05 if messages[0].label else 0.95
    repeated = {**documents[0], **older, "risk_score": score, "risk_level": LEGACY_POINTS.risk_level(score)}
    return [*documents, repeated]


def seed(uri: str, collection: str, now: dt.datetime | None = None) -> int:
    """Replace the demo reports in ``collection`` with fresh ones (dated from now); return how many were written."""
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(uri, serverSelectionTimeoutMS=10_000)
    try:
        reports = client.get_default_database(DEFAULT_DATABASE)[collection]
        reports.delete_many({"demo": True})
        reports.insert_many(demo_documents(now))
        reports.create_index([("timestamp", pymongo.ASCENDING)])
        return reports.count_documents({"demo": True})
    finally:
        client.close()
