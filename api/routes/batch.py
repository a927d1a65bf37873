"""POST /predict/batch and GET /predict/batch/<id>: a job id now, results in input order as they land."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pydantic_core
from flask import Blueprint, current_app, request, url_for
from pydantic import ValidationError

from api import campaign_step as campaigns
from api import metrics
from api.contract import (
    BatchCreated,
    BatchPage,
    BatchRequest,
    BatchStatus,
    ErrorBody,
    ErrorDetail,
    FailedItem,
    ScoredItem,
    in_declared_order,
)
from api.errors import ApiError, unavailable
from api.gateway import BROKER_ERRORS, current_gateway, points_of
from api.openapi import TAKES_JSON, answers, refusal, spec
from api.ratelimit import client_address
from weave_ml.model.text import message_hash

log = logging.getLogger(__name__)
blueprint = Blueprint("batch", __name__)


@blueprint.post("/predict/batch")
@spec.validate(
    resp=answers(HTTP_202=BatchCreated, HTTP_413=ErrorBody, HTTP_429=ErrorBody, HTTP_503=ErrorBody, **TAKES_JSON)
)
def create(json: BatchRequest) -> Any:
    """Queue up to 10,000 messages; results in input order at status_url"""
    items = json.messages
    gw = current_gateway()
    version = gw.current_version()
    if version is None:
        raise ApiError(503, "model_unavailable", "no model has been published yet")
    hashes = [message_hash(item.message, item.sender) for item in items]
    batch_id = uuid.uuid4().hex
    client = client_address()
    try:
        gw.admission.admit(client, len(items))
        metrics.BATCH_MESSAGES.observe(len(items))
        cached = gw.cached_scores(hashes)
        hits = {position: score for position, score in enumerate(cached) if score is not None}
        metrics.observe_cache(hits=len(hits), misses=len(items) - len(hits))
        misses = [
            {"position": position, "message": item.message, "sender": item.sender}
            for position, item in enumerate(items)
            if position not in hits
        ]
        ids, sensitivities = [item.id for item in items], [item.sensitivity for item in items]
        chunks = gw.batches.create(batch_id, ids, sensitivities, hits, client, misses=misses)
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    # The job is stored whole: from here on nothing is lost, whatever fails. A chunk not published now is published
    # by the workers' sweep.
    try:
        gw.batches.publish(batch_id, range(chunks))
    except BROKER_ERRORS as exc:
        log.warning("batch %s: chunks left for the sweep to publish: %s", batch_id, exc)
    scored = {position: (items[position].message, items[position].sender, score) for position, score in hits.items()}
    try:
        campaigns.counter().count_batch(batch_id, scored, gw.settings.result_ttl_s)
    except BROKER_ERRORS as exc:
        log.warning("batch %s: cached answers not counted into campaigns: %s", batch_id, exc)
    status_url = url_for("batch.status", batch_id=batch_id)
    return BatchCreated(batch_id=batch_id, status_url=status_url, total=len(items)), 202


# The body is built here from what the gateway stored and judged itself, so it is not validated again: for a job of
# 10,000 results, validating it took a quarter of a poll's CPU and its JSON through pydantic models another tenth.
# Tests compare it with what the contract's models make of it (tests/integration/conftest.py batch_status). Without
# validation by spectree, the view reads its query parameters itself.
@blueprint.get("/predict/batch/<batch_id>")
@spec.validate(
    query=BatchPage,
    resp=answers(HTTP_200=BatchStatus, HTTP_400=ErrorBody, HTTP_404=ErrorBody, HTTP_429=ErrorBody, HTTP_503=ErrorBody),
    skip_validation=True,
)
def status(batch_id: str) -> Any:
    """A batch's progress and its results so far, in input order (?offset=&limit= for a page of them; ?limit=0 for
    the progress alone)"""
    try:
        page = BatchPage.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise refusal(error) from None
    try:
        found = current_gateway().batches.status(batch_id, points_of, page.offset, page.limit)
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    if found is None:
        raise ApiError(404, "not_found", f"no batch {batch_id!r} (unknown or expired)")
    judged = campaigns.counter().judge_batch(batch_id, found["results"]) if found["results"] else []
    found["results"] = [
        in_declared_order(ScoredItem, result)
        if "error" not in result
        else {**in_declared_order(FailedItem, result), "error": in_declared_order(ErrorDetail, result["error"])}
        for result in judged
    ]
    body = in_declared_order(BatchStatus, found)
    return current_app.response_class(pydantic_core.to_json(body), mimetype="application/json")
