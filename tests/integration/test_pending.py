"""Timed-out requests in a real Redis: what answers them later, no text."""

from __future__ import annotations

import pytest
import redis

from weave_ml.campaigns.signature import signature
from weave_ml.reputation.subjects import decode, of_message
from weave_ml.serving.pending import Pending, PendingStore

pytestmark = pytest.mark.integration

LURE = "[CJ대한통운] 김민준님 택배(1234-5678-9012) 주소 불명확으로 배달 실패. 재배송 예약 ▶ http://cj-ex.top/a8X"


@pytest.fixture
def client(redis_server, redis_db) -> redis.Redis:
    return redis_server.client(redis_db)


def test_a_pending_request_comes_back_with_its_campaign_signature_and_subjects_and_no_text(client):
    store = PendingStore(client, 60)
    found = signature(LURE)
    assert found is not None
    held = of_message(LURE + " 문의 010-4321-8765", "010-1111-2222")
    kept = Pending("sha256:" + "a" * 64, "high", "v7", found[0].bands, held.encode())
    store.remember("r1", kept)
    assert store.lookup("r1") == (kept, False)
    assert decode(store.lookup("r1")[0].subjects) == held  # type: ignore[union-attr]
    raw = client.get("weave:pending:r1")
    assert raw is not None and "택배" not in raw.decode() and "5678-9012" not in raw.decode()
    assert "cj-ex.top" in raw.decode()  # domains are public; numbers are kept only as keyed hashes
    assert "8765" not in raw.decode() and "2222" not in raw.decode()
    store.remember("r2", Pending("sha256:" + "b" * 64, "low", "v7"))  # a text too short to join a campaign
    assert store.lookup("r2") == (Pending("sha256:" + "b" * 64, "low", "v7", (), ""), False)
    store.mark_dropped(["r2"])
    assert store.lookup("r2")[1] is True and store.lookup("nope") == (None, False)


def test_a_value_written_before_campaign_signatures_or_reputation_still_reads(client):
    client.set("weave:pending:old", "sha256:" + "c" * 64 + " medium v6")  # a gateway of two releases ago
    assert PendingStore(client, 60).lookup("old") == (Pending("sha256:" + "c" * 64, "medium", "v6"), False)
    client.set("weave:pending:older", "sha256:" + "c" * 64 + " medium v6 ab,cd")  # of the previous release
    assert PendingStore(client, 60).lookup("older")[0] == Pending("sha256:" + "c" * 64, "medium", "v6", ("ab", "cd"))
