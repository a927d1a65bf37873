"""The seed's design, the peer to beat: FastAPI under uvicorn, the model in-process, scoring in the event loop.

Same model, same fast scorer and the same request contract (pydantic) as weave-ml; no queue, no cache.
Run as ``uvicorn --workers 2 --factory bench.fastapi_app:create_app`` with ML_MODEL_DIR set.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI

from api.contract import PredictRequest
from weave_ml.model.predictions import to_prediction
from weave_ml.registry.store import Registry


def create_app() -> FastAPI:
    loaded = Registry(os.environ["ML_MODEL_DIR"]).load()
    scorer = loaded.scorer()
    app = FastAPI()

    # A coroutine, not a plain function: scoring one message takes about half a millisecond, less than a hop
    # to FastAPI's thread pool would cost, so the faster choice for the peer.
    @app.post("/predict")
    async def predict(body: PredictRequest) -> dict[str, Any]:
        score = scorer.score_many([body.message], [body.sender])[0]
        return to_prediction(score, body.sensitivity, loaded.points)

    return app
