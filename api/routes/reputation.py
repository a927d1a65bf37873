"""Reputation endpoints behind X-API-Key: what is known of a domain or number, an admin's verdict on one, the log of
verdict changes, and the verified senders (list, add, remove). Every change an operator makes is logged (numbers
with all but their last four digits masked)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint

from api import campaign_step as campaigns
from api.contract import (
    ErrorBody,
    ReputationChange,
    ReputationChanges,
    ReputationEntry,
    ReputationQuery,
    ReputationReport,
    VerifiedSender,
    VerifiedSenderAdded,
    VerifiedSenderRemoved,
    VerifiedSenders,
)
from api.errors import ApiError, unavailable
from api.openapi import TAKES_JSON, answers, spec
from api.routes.admin import ADMIN, REFUSED, require_api_key
from weave_ml.campaigns.counting import ERRORS
from weave_ml.campaigns.policy import iso_time
from weave_ml.model import links
from weave_ml.model.text import mask_phone, normalise
from weave_ml.reputation import policy
from weave_ml.reputation.policy import Entry
from weave_ml.reputation.store import BY_ADMIN, ReputationStore
from weave_ml.reputation.subjects import Subject, Verified, domain_subject, number_subject

log = logging.getLogger(__name__)
blueprint = Blueprint("reputation", __name__, url_prefix="/admin/reputation")
blueprint.before_request(require_api_key)
# The changes of an entry's verdict shown with it.
CHANGES_SHOWN = 20


def _store() -> ReputationStore:
    store = campaigns.counter().reputation
    if store is None:
        raise ApiError(503, "reputation_disabled", "reputation is turned off (REPUTATION=false)")
    return store


def _subject(domain: str | None, number: str | None) -> tuple[Subject, str]:
    """The subject a query names, and what an operator's log line may show of it."""
    if (domain is None) == (number is None):
        raise ApiError(400, "invalid_field", "give either a domain or a number", field="domain")
    if domain is not None:
        found = links.find(normalise(domain))
        registrable = found[0].domain if found else links.registrable_domain(domain.strip())
        if not registrable:
            raise ApiError(400, "invalid_field", f"domain: no registrable domain in {domain!r}", field="domain")
        return domain_subject(registrable), registrable
    assert number is not None
    subject = number_subject(number)
    if subject is None:
        raise ApiError(400, "invalid_field", "number: no phone number or messenger id in it", field="number")
    app, colon, account = number.partition(":")
    return subject, f"{app}:{account[:2]}***" if colon and not number.startswith("+") else str(mask_phone(number))


def _entry(subject: Subject, entry: Entry, verified: Verified, changes: list[dict[str, Any]]) -> ReputationEntry:
    organisation = verified.of(subject)
    return ReputationEntry.model_validate(
        {
            "id": subject.id,
            "domain": subject.domain or None,
            "reputation": policy.reputation_of(subject, entry, verified),
            "blocks": policy.blocks(subject, entry, verified),
            "verdict": entry.verdict or None,
            "source": entry.source or None,
            "official": subject.official,
            "protected": subject.protected or organisation is not None,
            "verified_for": organisation,
            "admin": entry.admin or None,
            "messages": entry.messages,
            "senders": entry.senders,
            "phishing_senders": entry.phishing_senders,
            "first_seen": iso_time(entry.first_seen) if entry.first_seen else None,
            "last_seen": iso_time(entry.last_seen) if entry.last_seen else None,
            "reporters": {"phishing": entry.users_phishing, "normal": entry.users_normal},
            "reports": {"phishing": entry.reports_phishing, "normal": entry.reports_normal},
            "campaigns": {
                "admin": entry.campaigns_admin,
                "users": entry.campaigns_users,
                "scores": entry.campaigns_scores,
            },
            "changes": [_change(change) for change in changes],
        }
    )


def _change(change: dict[str, Any]) -> ReputationChange:
    return ReputationChange(**{**change, "at": iso_time(change["at"]), "source": change["source"] or None})


@blueprint.get("")
@spec.validate(
    query=ReputationQuery, resp=answers(HTTP_200=ReputationEntry, HTTP_503=ErrorBody, **REFUSED), security=ADMIN
)
def lookup(query: ReputationQuery) -> ReputationEntry:
    """What is known of a domain (?domain=) or a number (?number=), what answers make of it, and its latest changes"""
    store = _store()
    subject, _ = _subject(query.domain, query.number)
    try:
        entry = store.get([subject])[subject.id]
        verified = store.verified()
        changes = store.verdict_log(CHANGES_SHOWN, entry=subject.id)
    except ERRORS as exc:
        raise unavailable(exc) from None
    return _entry(subject, entry, verified, changes)


@blueprint.post("/report")
@spec.validate(resp=answers(HTTP_200=ReputationEntry, HTTP_503=ErrorBody, **REFUSED, **TAKES_JSON), security=ADMIN)
def report(json: ReputationReport) -> ReputationEntry:
    """An admin's verdict on a domain or a number: final until another admin's; every gateway answers by it within
    a second"""
    store = _store()
    subject, shown = _subject(json.domain, json.number)
    try:
        entry = store.report([subject], json.verdict, BY_ADMIN)[subject.id]
        verified = store.verified()
        changes = store.verdict_log(CHANGES_SHOWN, entry=subject.id)
    except ERRORS as exc:
        raise unavailable(exc) from None
    log.info("admin verdict on %s (%s): %s", shown, subject.id, json.verdict)
    return _entry(subject, entry, verified, changes)


@blueprint.get("/verdicts")
@spec.validate(resp=answers(HTTP_200=ReputationChanges, HTTP_503=ErrorBody, **REFUSED), security=ADMIN)
def verdict_changes() -> ReputationChanges:
    """The latest changes of domains' and numbers' verdicts, newest first (at most 1,000, kept 30 days), each with
    what made it"""
    try:
        found = _store().verdict_log()
    except ERRORS as exc:
        raise unavailable(exc) from None
    return ReputationChanges(changes=[_change(change) for change in found])


@blueprint.get("/verified-senders")
@spec.validate(resp=answers(HTTP_200=VerifiedSenders, HTTP_503=ErrorBody, **REFUSED), security=ADMIN)
def verified_senders() -> VerifiedSenders:
    """The verified senders (numbers and official domains of organisations), by organisation"""
    try:
        listed = _store().verified_listing()
    except ERRORS as exc:
        raise unavailable(exc) from None
    return VerifiedSenders(senders=[_verified(item) for item in listed])


@blueprint.post("/verified-senders")
@spec.validate(resp=answers(HTTP_200=VerifiedSender, HTTP_503=ErrorBody, **REFUSED, **TAKES_JSON), security=ADMIN)
def add_verified_sender(json: VerifiedSenderAdded) -> VerifiedSender:
    """Verify a number or a domain as an organisation's own: its notices with official links are answered low risk"""
    store = _store()
    subject, shown = _subject(json.domain, json.number)
    organisation = json.organisation.strip()
    try:
        store.verify(subject, organisation, shown)
        listed = next(item for item in store.verified_listing() if item["id"] == subject.id)
    except ERRORS as exc:
        raise unavailable(exc) from None
    log.info("admin verified %s (%s) as a sender of %s", shown, subject.id, organisation)
    return _verified(listed)


@blueprint.delete("/verified-senders/<entry>")
@spec.validate(
    resp=answers(HTTP_200=VerifiedSenderRemoved, HTTP_404=ErrorBody, HTTP_503=ErrorBody, **REFUSED), security=ADMIN
)
def remove_verified_sender(entry: str) -> VerifiedSenderRemoved:
    """Take a verified sender off the list, by the id the list shows"""
    try:
        removed = _store().unverify(entry)
    except ERRORS as exc:
        raise unavailable(exc) from None
    if not removed:
        raise ApiError(404, "not_found", f"no verified sender {entry!r}")
    log.info("admin removed verified sender %s", entry)
    return VerifiedSenderRemoved(id=entry)


def _verified(item: dict[str, Any]) -> VerifiedSender:
    return VerifiedSender(
        id=item["id"], shown=item["shown"], organisation=item["organisation"], added_at=iso_time(item["added_at"])
    )
