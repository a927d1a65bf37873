"""The gateway's campaign step: every answered message, cache hits included, is counted into its campaign and the
reputation of what it holds, and judged by both."""

from __future__ import annotations

from typing import Any

from flask import current_app

from weave_ml.campaigns.counting import CampaignCounter
from weave_ml.model.predictions import Score


def counter() -> CampaignCounter:
    """Return the campaign counter of the app serving the current request."""
    found: CampaignCounter = current_app.extensions["weave_campaigns"]
    return found


def judge(message: str, sender: str | None, score: Score, prediction: dict[str, Any]) -> dict[str, Any]:
    """Count one answered message and return its answer with its campaign and its links' reputation (at most one
    Redis call, shared with the answers of this process made meanwhile)."""
    campaigns = counter()
    return campaigns.judge(prediction, campaigns.count_one(message, sender, score))
