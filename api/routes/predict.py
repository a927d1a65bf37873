"""POST /predict: answer from the cache or wait for a worker, at most PREDICT_TIMEOUT_S."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Blueprint, url_for

from api import campaign_step as campaigns
from api import metrics
from api.contract import ErrorBody, LinkReputation, PendingAnswer, Prediction, PredictRequest, TimeoutBody
from api.dispatcher import BrokerUnavailable, NotScored
from api.errors import ApiError, unavailable
from api.gateway import BROKER_ERRORS, current_gateway, points_of
from api.openapi import TAKES_JSON, answers, spec
from weave_ml.model.predictions import to_prediction
from weave_ml.model.text import mask_phone, message_hash
from weave_ml.serving.pending import Pending

log = logging.getLogger("weave_ml.predictions")
blueprint = Blueprint("predict", __name__)


def answer(prediction: dict[str, Any]) -> Prediction:
    """The prediction as the contract's model, built without validating again what the gateway built itself."""
    links = [LinkReputation.model_construct(**link) for link in prediction.get("links", ())]
    return Prediction.model_construct(**{**prediction, "links": links})


def log_prediction(started: float, prediction: dict[str, Any], sender: str | None) -> None:
    """One line per prediction: latency, hash, version, cached flag; never the text or a full number."""
    log.info(
        "예측 완료 latency_ms=%.2f hash=%s model_version=%s cached=%s risk=%s sender=%s",
        (time.perf_counter() - started) * 1000,
        prediction["message_hash"][7:23],
        prediction["model_version"],
        prediction["cached"],
        prediction["risk_level"],
        mask_phone(sender),
    )


@blueprint.post("/predict")
@spec.validate(
    resp=answers(
        HTTP_200=Prediction,
        HTTP_413=ErrorBody,
        HTTP_422=ErrorBody,
        HTTP_429=ErrorBody,
        HTTP_503=ErrorBody,
        HTTP_504=TimeoutBody,
        **TAKES_JSON,
    )
)
def predict(json: PredictRequest) -> Prediction:
    """Score one message, waiting at most PREDICT_TIMEOUT_S"""
    started = time.perf_counter()
    gw = current_gateway()
    digest = message_hash(json.message, json.sender)
    version = gw.current_version()
    if version is None:
        raise ApiError(503, "model_unavailable", "no model has been published yet")
    # A text this process answered seconds ago is answered again without a socket; otherwise the dispatcher
    # looks the score up in Redis (once for all the requests gathered with this one) or has a worker score it.
    hot = gw.hot_score(digest)
    if hot is not None:
        metrics.observe_cache(hits=1, misses=0)
        score = hot
        prediction = to_prediction(hot, json.sensitivity, points_of(hot.model_version), cached=True)
    else:
        waiter = gw.dispatcher.submit(json.message, json.sender, digest)
        remaining = gw.settings.predict_timeout_s - (time.perf_counter() - started)
        if not waiter.done.wait(max(0.0, remaining)):
            gw.dispatcher.forget(waiter)
            try:
                bands, subjects = campaigns.counter().pending_of(json.message, json.sender)
                gw.pending.remember(waiter.request_id, Pending(digest, json.sensitivity, version, bands, subjects))
            except BROKER_ERRORS as exc:  # no way to fetch the answer later: say so now
                raise unavailable(exc) from None
            raise ApiError(
                504,
                "timeout",
                f"no worker answered within {gw.settings.predict_timeout_s:g} s; fetch the answer later",
                task_id=waiter.request_id,
                status_url=url_for("predict.result", task_id=waiter.request_id),
            )
        if isinstance(waiter.error, BrokerUnavailable):
            raise unavailable(waiter.error)
        if isinstance(waiter.error, NotScored):
            limit = gw.settings.scoring_time_limit_s
            raise ApiError(
                422, "not_scored", f"the message could not be scored in time ({waiter.error.code}, {limit:g} s)"
            )
        if waiter.error is not None:
            raise waiter.error
        assert waiter.score is not None
        metrics.observe_cache(hits=int(waiter.cached), misses=int(not waiter.cached))
        if not waiter.cached:
            gw.hot.put([waiter.score])
        score = waiter.score
        prediction = to_prediction(waiter.score, json.sensitivity, points_of(waiter.score.model_version), waiter.cached)
    prediction = campaigns.judge(json.message, json.sender, score, prediction)
    metrics.observe_prediction(prediction)
    log_prediction(started, prediction, json.sender)
    return answer(prediction)


@blueprint.get("/predict/result/<task_id>")
@spec.validate(
    resp=answers(
        HTTP_200=Prediction, HTTP_202=PendingAnswer, HTTP_404=ErrorBody, HTTP_410=ErrorBody, HTTP_503=ErrorBody
    )
)
def result(task_id: str) -> Any:
    """The answer of a /predict that timed out: 200 scored, 202 waiting, 410 dropped unscored, 404 unknown"""
    gw = current_gateway()
    try:
        pending, dropped = gw.pending.lookup(task_id)
    except BROKER_ERRORS as exc:
        raise unavailable(exc) from None
    if pending is None:
        raise ApiError(404, "not_found", f"no pending prediction {task_id!r} (unknown or expired)")
    # Workers cache every score they make (the same text may also have been scored for another request since), under
    # the version they serve: the one current when the request was made, or any served now.
    versions = list(dict.fromkeys([*gw.serving_versions(), pending.model_version]))
    score = gw.cached_scores([pending.message_hash], versions)[0]
    if score is not None:
        prediction = to_prediction(score, pending.sensitivity, points_of(score.model_version))
        # The campaign and the reputation of the text's links and numbers as they stand now, found from what was kept
        # at the timeout (the text is not kept). The message itself is not counted: it was not answered in time.
        counter = campaigns.counter()
        prediction = counter.judge(prediction, counter.find(pending.campaign_bands, pending.subjects))
        return answer(prediction)
    if dropped:
        raise ApiError(
            410, "dropped", "the request's task expired in the queue before a worker took it; send the message again"
        )
    return PendingAnswer(task_id=task_id, status="pending"), 202
