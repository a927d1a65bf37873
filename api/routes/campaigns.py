"""Campaign endpoints behind X-API-Key: list the active campaigns, record a report on one, read the log of verdict
changes, see and refuse the phishing templates kept for the retrain."""

from __future__ import annotations

from flask import Blueprint

from api import campaign_step as campaigns
from api.contract import (
    CampaignExample,
    CampaignExampleRefused,
    CampaignExamples,
    CampaignInfo,
    CampaignLabelled,
    CampaignListed,
    CampaignReport,
    Campaigns,
    CampaignVerdictChange,
    CampaignVerdictChanges,
    ErrorBody,
)
from api.errors import ApiError, unavailable
from api.gateway import current_gateway
from api.openapi import TAKES_JSON, answers, spec
from api.routes.admin import ADMIN, REFUSED, require_api_key
from weave_ml.campaigns import examples, policy
from weave_ml.campaigns.counting import ERRORS
from weave_ml.campaigns.signature import readable_template

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
@spec.validate(
    resp=answers(HTTP_200=CampaignLabelled, HTTP_413=ErrorBody, HTTP_503=ErrorBody, **REFUSED, **TAKES_JSON),
    security=ADMIN,
)
def report(json: CampaignReport) -> CampaignLabelled:
    """Record a report on the campaign of a message and on the domains and numbers it holds: an admin's verdict
    (final), or a user's; answers change at once"""
    counter = campaigns.counter()
    try:
        group = counter.label(json.message, json.verdict, json.source, json.reporter)
        counter.report_text(json.message, json.verdict, json.source, json.reporter)
    except ERRORS as exc:
        raise unavailable(exc) from None
    return CampaignLabelled(campaign=None if group is None else CampaignInfo(**policy.campaign_field(group)))


@blueprint.get("/verdicts")
@spec.validate(resp=answers(HTTP_200=CampaignVerdictChanges, HTTP_503=ErrorBody, **REFUSED), security=ADMIN)
def verdict_changes() -> CampaignVerdictChanges:
    """The latest changes of campaigns' verdicts, newest first (at most 1,000, kept 30 days), each with what made it"""
    try:
        found = campaigns.counter().store.verdict_log()
    except ERRORS as exc:
        raise unavailable(exc) from None
    return CampaignVerdictChanges(
        changes=[CampaignVerdictChange(**{**change, "at": policy.iso_time(change["at"])}) for change in found]
    )


@blueprint.get("/examples")
@spec.validate(resp=answers(HTTP_200=CampaignExamples, HTTP_503=ErrorBody, **REFUSED), security=ADMIN)
def kept_examples() -> CampaignExamples:
    """The phishing templates kept as weak examples for the retrain, newest first (at most 1,000)"""
    settings = current_gateway().settings
    try:
        found = examples.kept(campaigns.counter().store.client, examples.MAX_KEPT)
    except ERRORS as exc:
        raise unavailable(exc) from None
    return CampaignExamples(
        examples=[
            CampaignExample(
                id=example.campaign_id,
                template=readable_template(example.template),
                last_seen=policy.iso_time(example.last_seen),
            )
            for example in found
        ],
        weight=settings.campaign_examples_weight,
        used_at_most=settings.campaign_examples_max,
    )


@blueprint.delete("/examples/<campaign_id>")
@spec.validate(
    resp=answers(HTTP_200=CampaignExampleRefused, HTTP_404=ErrorBody, HTTP_503=ErrorBody, **REFUSED), security=ADMIN
)
def refuse_example(campaign_id: str) -> CampaignExampleRefused:
    """Take a kept template off the list: no retrain uses it, and it is not kept again for ML_RETRAIN_DAYS"""
    settings = current_gateway().settings
    try:
        removed = examples.refuse(campaigns.counter().store.client, campaign_id, settings.retrain_days * 86400)
    except ERRORS as exc:
        raise unavailable(exc) from None
    if not removed:
        raise ApiError(404, "not_found", f"no kept template of campaign {campaign_id!r}")
    return CampaignExampleRefused(id=campaign_id)
