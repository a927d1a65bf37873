"""POST /predict/batch and GET /predict/batch/<id>: a job id now, results in input order as they land."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, url_for

from api import campaign_step as campaigns
from api import metrics
from api.contract import BatchCreated, BatchRequest, BatchStatus, ErrorBody
from api.errors import ApiError, unavailable
from api.gateway import BROKER_ERRORS, current_gateway, points_of
from api.openapi import answers, spec
from api.ratelimit import client_address
from weave_ml.model.text import message_hash

blueprint = Blueprint("batch", __name__)

# Messages per Celery task: enough to amortise a task's overhead, few enough that a worker busy with one is free
# again for a /predict within tens of milliseconds (workers take predict tasks first, but finish what they hold).
CHUNK_SIZE = 100


@blueprint.post("/predict/batch")
@spec.validate(resp=answers(HTTP_202=BatchCreated, HTTP_413=ErrorBody, HTTP_429=ErrorBody, HTTP_503=ErrorBody))
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
        gw.batches.create(batch_id, [item.id for item in items], [item.sensitivity for item in items], hits, client)
        scored = {
            position: (items[position].message, items[position].sender, score) for position, score in hits.items()
        }
        campaigns.counter().count_batch(batch_id, scored, gw.settings.result_ttl_s)
        misses = [
            {"position": position, "message": item.message, "sender": item.sender}
            for position, item in enumerate(items)
            if position not in hits
        ]
        for start in range(0, len(misses), CHUNK_SIZE):
            gw.send_batch_chunk(batch_id, misses[start : start + CHUNK_SIZE])
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    status_url = url_for("batch.status", batch_id=batch_id)
    return BatchCreated(batch_id=batch_id, status_url=status_url, total=len(items)), 202


@blueprint.get("/predict/batch/<batch_id>")
@spec.validate(resp=answers(HTTP_200=BatchStatus, HTTP_404=ErrorBody, HTTP_429=ErrorBody, HTTP_503=ErrorBody))
def status(batch_id: str) -> Any:
    """A batch's progress and its results so far, in input order"""
    try:
        found = current_gateway().batches.status(batch_id, points_of)
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    if found is None:
        raise ApiError(404, "not_found", f"no batch {batch_id!r} (unknown or expired)")
    found["results"] = campaigns.counter().judge_batch(batch_id, found["results"])
    return BatchStatus.model_validate(found)
