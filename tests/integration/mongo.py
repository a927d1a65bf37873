"""MongoDB test fixtures: a private nx-27017 (MongoDB's protocol over SQLite), reports written as the Java API does."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import pymongo
import pytest

from devstack.processes import MongoServer

_databases = itertools.count(1)


# Test modules import these fixtures by their function names; tests ask for them by ``name``.
@pytest.fixture(scope="session", name="mongo_server")
def mongo_server_fixture(tmp_path_factory) -> Iterator[MongoServer]:
    server = MongoServer(tmp_path_factory.mktemp("mongo"))
    yield server
    server.stop()


class Reports:
    """One test's own database of phishing reports, written the way the Java API writes them."""

    def __init__(self, server: MongoServer) -> None:
        self.uri = server.uri(f"weave_test_{next(_databases)}")
        self.client: pymongo.MongoClient = pymongo.MongoClient(self.uri, serverSelectionTimeoutMS=2000)
        self.collection = self.client.get_default_database()["phishing_reports"]
        self.now = dt.datetime.now(dt.UTC)

    def add(self, message: str, days_ago: float = 1, **fields: Any) -> None:
        document = {
            "message": message,
            "sender": "010-1234-5678",
            "status": "pending",
            "risk_score": 0.5,
            "risk_level": "medium",
            "timestamp": self.now - dt.timedelta(days=days_ago),
            **fields,
        }
        self.collection.insert_one(document)

    def add_many(self, documents: list[dict[str, Any]]) -> None:
        self.collection.insert_many(documents)


def honest(reports: Reports, messages) -> list[dict[str, Any]]:
    """Reports as users file them: each message with its true verdict."""
    return [
        {
            "message": m.message,
            "sender": m.sender,
            "timestamp": reports.now,
            "status": "pending",
            "risk_score": 0.5,
            "user_feedback": "피싱" if m.label else "오탐",
        }
        for m in messages
    ]


@pytest.fixture(name="reports")
def reports_fixture(mongo_server) -> Iterator[Reports]:
    store = Reports(mongo_server)
    yield store
    store.client.close()
