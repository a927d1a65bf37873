"""Fixtures shared by every test tier: data paths and a small trained model."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from weave_ml.model import datasets, pipeline
from weave_ml.registry.store import Registry
from weave_ml.training.train import publish, train_evaluated

# Every process of a test session, in-process code and the stacks it starts alike, hashes and seals with one secret.
os.environ.setdefault("WEAVE_SECRET_KEYS", secrets.token_urlsafe(32))

ROOT = Path(__file__).resolve().parents[1]
# Vendored with its attribution (data/sms_spam_collection/README.md), so a fresh clone tests itself.
UCI_PATH = ROOT / "data" / "sms_spam_collection" / "SMSSpamCollection.tsv"


@pytest.fixture(scope="session")
def uci_messages() -> list[datasets.LabelledMessage]:
    return datasets.read(UCI_PATH, "uci")


@pytest.fixture(scope="session")
def small_pipeline(uci_messages):
    """A model fitted on 1,200 UCI messages: enough to behave like the real one, quick to fit."""
    return pipeline.train(uci_messages[:1200])


@pytest.fixture
def registry(tmp_path) -> Registry:
    return Registry(tmp_path / "models", keep=3)


@pytest.fixture(scope="session")
def published_registry(tmp_path_factory, uci_messages) -> Registry:
    """A registry holding one version trained on part of the UCI file."""
    registry = Registry(tmp_path_factory.mktemp("registry") / "models")
    publish(registry, train_evaluated(uci_messages[:1500]))
    return registry
