"""The Flask gateway: validates requests, answers from the cache, queues scoring jobs, never loads the model."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from weave_ml import keys, logs
from weave_ml.settings import Settings, get_settings

# Largest accepted body: a full batch of long messages. Bigger bodies get a 413 before they are read.
MAX_BODY_BYTES = 16 * 1024 * 1024


class JsonAnswers(DefaultJSONProvider):
    """Answers in readable UTF-8 (Korean reasons unescaped), keys in the order the contract lists them."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialise ``obj``; text that cannot be UTF-8 (an echoed "\\ud800" escape) is sent escaped instead."""
        text = super().dumps(obj, **kwargs)
        try:
            text.encode()
        except UnicodeEncodeError:
            return json.dumps(obj, ensure_ascii=True)
        return text


def create_app(settings: Settings | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the gateway app from settings (default: the environment)."""
    # Imported here, not at the top: `python -m api.serve` imports this package before it sets
    # PROMETHEUS_MULTIPROC_DIR, and prometheus_client must not be imported before that.
    from api import errors, metrics, openapi, ratelimit
    from api.gateway import Gateway
    from api.routes import admin, batch, campaigns, health, predict, reputation, rollout
    from weave_ml.campaigns.counting import CampaignCounter
    from workers.celery_app import app as celery_app

    settings = settings or get_settings()
    # Every hash of a text is keyed and every task body sealed with the deployment's secret: none, no gateway.
    keys.current()
    logs.configure(settings.log_format, queued=True)
    app = Flask(__name__)
    app.request_class = openapi.JsonRequest
    app.json = JsonAnswers(app)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    app.config.update(test_config or {})
    app.extensions["weave"] = Gateway(settings, celery_app)
    app.extensions["weave_campaigns"] = CampaignCounter.from_settings(app.extensions["weave"].state, settings)
    app.extensions["weave_campaigns"].on_judged = metrics.observe_reputation
    metrics.install(app, settings, app.extensions["weave"].registry)
    errors.register(app)
    for module in (predict, batch, health, admin, rollout, campaigns, reputation, openapi):
        app.register_blueprint(module.blueprint)
    ratelimit.install(app, settings, exempt=[health.blueprint, metrics.blueprint, openapi.blueprint])
    return app
