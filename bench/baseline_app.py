"""The baseline: the same model served in-process by Flask, scoring in the request thread, no queue, no cache."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, jsonify, request

from weave_ml.model.predictions import DEFAULT_SENSITIVITY, to_prediction
from weave_ml.registry.store import Registry


def create_app() -> Flask:
    loaded = Registry(os.environ["ML_MODEL_DIR"]).load()
    scorer = loaded.scorer()
    app = Flask(__name__)

    @app.post("/predict")
    def predict() -> Any:
        body = request.get_json()
        score = scorer.score_many([body["message"]], [body.get("sender")])[0]
        return jsonify(to_prediction(score, body.get("sensitivity_level", DEFAULT_SENSITIVITY), loaded.points))

    return app


app = create_app()
