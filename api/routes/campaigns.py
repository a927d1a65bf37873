"""Campaign endpoints behind X-API-Key: list the active campaigns, label one from a report."""

from __future__ import annotations

from flask import Blueprint

from api import campaigns
from api.contract import CampaignInfo, CampaignLabelled, CampaignListed, CampaignReport, Campaigns, ErrorBody
from api.errors import unavailable
from api.openapi import answers, spec
from api.routes.admin import ADMIN, REFUSED, require_api_key
from weave_ml.campaigns import policy
from weave_ml.campaigns.counting import ERRORS

blueprint = Blueprint("campaigns", __name__, url_prefix="/admin/campaigns")
blueprint.before_request(require_api_key)
# Enough for an operator's view; the oldest of more are left out (the list is by last activity).
LIST_LIMIT = 200


@blueprint.get("")
@spec.validate(resp=answers(HTTP_200=Campaigns, HTTP_503=ErrorBody, **REFUSED), security=ADMIN)
def active() -> Campaigns:
    """The active campaigns (at least CAMPAIGN_MIN_SENDERS senders within CAMPAIGN_WINDOW_S), latest first"""
    counter = campaigns.counter()
    rules = counter.rules
    try:
        found = counter.store.active(LIST_LIMIT)
    except ERRORS as exc:
        raise unavailable(exc) from None
    return Campaigns(
        campaigns=[CampaignListed(**policy.listing(group, rules)) for group in found],
        window_s=counter.store.window_s,
        min_senders=rules.min_senders,
        phishing_share=rules.phishing_share,
    )


@blueprint.post("/report")
@spec.validate(resp=answers(HTTP_200=CampaignLabelled, HTTP_503=ErrorBody, **REFUSED), security=ADMIN)
def report(json: CampaignReport) -> CampaignLabelled:
    """Label the campaign of a reported message (a user's or an admin's verdict); answers change at once"""
    try:
        group = campaigns.counter().label(json.message, json.verdict)
    except ERRORS as exc:
        raise unavailable(exc) from None
    return CampaignLabelled(campaign=None if group is None else CampaignInfo(**policy.describe(group)))
