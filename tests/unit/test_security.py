"""Credentials compared in constant time (admin key, Flower), the optional rate limit's setting, and a model
listing that names no infrastructure."""

from __future__ import annotations

import hmac
import inspect

import pytest
from flower.views import BaseHandler

from api import create_app
from weave_ml.model.predictions import LEGACY_POINTS
from weave_ml.registry.store import Registry
from weave_ml.settings import ConfigError, Settings, from_env
from weave_ml.training.train import TrainedModel, publish


def test_the_admin_key_is_compared_in_constant_time(tmp_path, monkeypatch):
    compared, constant_time = [], hmac.compare_digest

    def spy(given, expected):
        compared.append((given, expected))
        return constant_time(given, expected)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    settings = Settings(redis_url="redis://127.0.0.1:9/0", model_dir=tmp_path, api_key="k3y")
    answer = create_app(settings).test_client().post("/admin/rollback", headers={"X-API-Key": "guess"})
    assert answer.status_code == 401
    assert compared == [(b"guess", b"k3y")]


def test_flower_compares_basic_auth_in_constant_time():
    # Flower checks FLOWER_BASIC_AUTH itself; an upgrade that dropped this would show here.
    assert "hmac.compare_digest(stored_credential, credentials)" in inspect.getsource(BaseHandler)


def test_the_rate_limit_is_off_unless_set_and_checked_at_start():
    assert from_env({}).rate_limit is None
    assert from_env({"RATE_LIMIT": "100/second;5000/minute"}).rate_limit == "100/second;5000/minute"
    with pytest.raises(ConfigError, match="RATE_LIMIT='lots'"):
        from_env({"RATE_LIMIT": "lots"})


def test_without_rate_limit_no_limiter_is_installed(tmp_path):
    app = create_app(Settings(redis_url="redis://127.0.0.1:9/0", model_dir=tmp_path))
    assert "limiter" not in app.extensions


def test_the_model_listing_names_no_host_the_training_reports_came_from(tmp_path, small_pipeline):
    registry = Registry(tmp_path / "models")
    window = {"days": 30, "since": "2026-10-01T00:00:00+00:00", "until": "2026-10-31T00:00:00+00:00"}
    infrastructure = {"hosts": "mongo-1.internal.example:27017,mongo-2.internal.example:27017", "collection": "reports"}
    trained = TrainedModel(small_pipeline, LEGACY_POINTS, {"mcc": 0.9}, {"train": {"total": 1}})
    publish(registry, trained, window={**window, **infrastructure})
    client = create_app(Settings(redis_url="redis://127.0.0.1:9/0", model_dir=registry.root)).test_client()
    for path in ("/models", "/models/current"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert "internal.example" not in answer.text and '"collection"' not in answer.text
    listed = client.get("/models/current").json
    assert listed is not None
    assert listed["training_data"]["window"] == window and listed["metrics"] == {"mcc": 0.9}
    assert registry.metadata(listed["version"])["training_data"]["window"]["hosts"]  # kept on the volume for operators
