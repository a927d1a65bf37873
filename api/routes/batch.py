"""POST /predict/batch and GET /predict/batch/<id>: a job id now, results in input order as they land."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, jsonify, request, url_for

from api import metrics
from api.errors import ApiError
from api.gateway import BROKER_ERRORS
from api.routes.predict import gateway, unavailable
from api.validation import batch_request, json_body
from weave_ml.text import message_hash

blueprint = Blueprint("batch", __name__)

# Messages per Celery task: big enough to amortise a task's overhead, small enough to spread over workers.
CHUNK_SIZE = 500


@blueprint.post("/predict/batch")
def create() -> Any:
    items = batch_request(json_body(request))
    gw = gateway()
    version = gw.current_version()
    if version is None:
        raise ApiError(503, "model_unavailable", "no model has been published yet")
    hashes = [message_hash(item.message, item.sender) for item in items]
    batch_id = uuid.uuid4().hex
    metrics.BATCH_MESSAGES.observe(len(items))
    try:
        cached = gw.cache.lookup_many(version, hashes)
        hits = {position: score for position, score in enumerate(cached) if score is not None}
        metrics.observe_cache(hits=len(hits), misses=len(items) - len(hits))
        gw.batches.create(
            batch_id,
            [
                {"id": item.id, "sensitivity": item.sensitivity, "message_hash": h}
                for item, h in zip(items, hashes, strict=True)
            ],
            hits,
        )
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
    return jsonify({"batch_id": batch_id, "status_url": status_url, "total": len(items)}), 202


@blueprint.get("/predict/batch/<batch_id>")
def status(batch_id: str) -> Any:
    try:
        found = gateway().batches.status(batch_id)
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    if found is None:
        raise ApiError(404, "not_found", f"no batch {batch_id!r} (unknown or expired)")
    return jsonify(found)
