"""A private MongoDB-wire server for tests: nx-27017 (MongoDB's protocol over SQLite) on a free port."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymongo
import pytest

from tests.integration.stack import BIN, Process, free_port, wait_until

_databases = itertools.count(1)


class MongoServer(Process):
    """``nx-27017`` as ``make run`` starts it, one SQLite file per database in a temporary folder."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        argv = [str(BIN / "nx-27017"), "--port", str(self.port), "--data-dir", str(workdir / "data")]
        argv += ["--log-file", str(workdir / "nx-27017.log"), "--pid-file", str(workdir / "nx-27017.pid")]
        super().__init__(argv, dict(os.environ), workdir / "nx-27017.out")
        wait_until(self.ping, 20, f"nx-27017 on port {self.port}")

    def stop(self, timeout_s: float = 3) -> None:
        # nx-27017 may swallow SIGTERM while a client is connected; its data is disposable, so kill it soon.
        super().stop(timeout_s)

    def uri(self, database: str) -> str:
        return f"mongodb://127.0.0.1:{self.port}/{database}"

    def ping(self) -> bool:
        assert self.alive(), self.log()
        try:
            with pymongo.MongoClient(self.uri("admin"), serverSelectionTimeoutMS=300) as client:
                return bool(client.admin.command("ping")["ok"])
        except pymongo.errors.PyMongoError:
            return False


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
