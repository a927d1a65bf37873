"""Reports read by change, not by timestamp, against a real nx-27017 and redis-server: through the change stream and
through the ``updated_at`` watermark (as on a server without change streams)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.integration.mongo import mongo_server_fixture, reports_fixture  # noqa: F401 - fixtures
from weave_ml.campaigns.counting import CampaignCounter
from weave_ml.campaigns.policy import Rules
from weave_ml.campaigns.signature import signature
from weave_ml.campaigns.store import CampaignStore
from weave_ml.campaigns.verdicts import sweep as sweep_verdicts
from weave_ml.reports import changes
from weave_ml.settings import Settings

pytestmark = pytest.mark.integration

MODES = pytest.mark.parametrize("streams", [True, False], ids=["change-stream", "updated_at"])
LURE = "[CJ대한통운] {name}님 택배({n}-5678-9012) 주소 불명확으로 배달 실패. 재배송 예약 ▶ http://cj-ex{n}.top/a8X"


@pytest.fixture
def client(redis_server, redis_db):
    return redis_server.client(redis_db)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Applied:
    """What a reader applied: each report's message, in order."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, report) -> bool:
        self.messages.append(f"{report['message']}:{report.get('status')}")
        return True


def run(reports, client, apply, streams: bool, **kwargs):
    settings = Settings(mongodb_uri=reports.uri)
    return changes.sweep(settings, client, "test", apply, look_back_s=3600, change_streams=streams, **kwargs)


@MODES
def test_a_report_inserted_pending_and_verified_later_by_an_update_is_read_again(reports, client, streams):
    applied = Applied()
    reports.add("문자 하나", days_ago=0, updated_at=now())
    run(reports, client, applied, streams)
    assert applied.messages == ["문자 하나:pending"]
    # The Java API verifies it later: an update, which sets updated_at (the timestamp stays the report's).
    reports.collection.update_one({"message": "문자 하나"}, {"$set": {"status": "verified", "updated_at": now()}})
    run(reports, client, applied, streams)
    assert applied.messages == ["문자 하나:pending", "문자 하나:verified"]
    run(reports, client, applied, streams)
    assert len(applied.messages) == 2  # nothing new: nothing applied again


@MODES
def test_a_report_written_sixty_seconds_late_is_read(reports, client, streams):
    applied = Applied()
    run(reports, client, applied, streams)
    assert applied.messages == []
    # Written now, dated a minute ago (a slow writer, a clock behind): older than what the last sweep read up to.
    late = now() - dt.timedelta(seconds=60)
    reports.add("늦은 문자", days_ago=0, timestamp=late, updated_at=late)
    reports.add("오래된 문서", days_ago=0, timestamp=late)  # no updated_at: read by its timestamp
    run(reports, client, applied, streams)
    assert sorted(applied.messages) == ["늦은 문자:pending", "오래된 문서:pending"]


@MODES
def test_a_labelling_that_raises_leaves_the_checkpoint_where_it_was(reports, client, streams):
    applied = Applied()
    run(reports, client, applied, streams)
    checkpoints = {key: client.get(key) for key in client.keys("weave:reports:test:*") if not key.endswith(b"applied")}
    assert checkpoints

    def failing(report) -> bool:
        applied(report)
        if report["message"] == "두 번째":
            raise RuntimeError("labelling failed")
        return True

    reports.add("첫 번째", days_ago=0, updated_at=now())
    reports.add("두 번째", days_ago=0, updated_at=now() + dt.timedelta(milliseconds=1))
    with pytest.raises(RuntimeError, match="labelling failed"):
        run(reports, client, failing, streams, now=now() + dt.timedelta(seconds=1))
    assert {key: client.get(key) for key in checkpoints} == checkpoints
    # The next sweep reads both again (applying is idempotent) and moves on.
    run(reports, client, applied, streams, now=now() + dt.timedelta(seconds=2))
    assert applied.messages == ["첫 번째:pending", "두 번째:pending", "첫 번째:pending", "두 번째:pending"]
    assert {key: client.get(key) for key in checkpoints} != checkpoints


def test_a_backlog_is_read_over_several_sweeps_in_order_without_repeats(reports, client):
    base = now() - dt.timedelta(seconds=30)
    reports.add_many(
        [{"message": f"문자 {i}", "status": "pending", "updated_at": base + dt.timedelta(seconds=i)} for i in range(9)]
    )
    applied = Applied()
    for _ in range(4):
        run(reports, client, applied, False, max_per_sweep=4)
    assert applied.messages == [f"문자 {i}:pending" for i in range(9)]


@MODES
def test_the_campaign_sweep_labels_the_campaign_of_a_report_verified_after_it_was_filed(reports, client, streams):
    store = CampaignStore(client, window_s=3600, rules=Rules(min_senders=5, phishing_share=0.5))
    members = store.observe(
        [signature(LURE.format(name="김민준", n=1000 + n)) for n in range(6)],
        [f"0101234{n:04d}" for n in range(6)],
        [False] * 6,
    )
    assert members[-1] is not None
    campaign_id = members[-1].id
    counter = CampaignCounter(store)
    settings = Settings(mongodb_uri=reports.uri)
    reports.add(LURE.format(name="한지민", n=4242), days_ago=0, updated_at=now())  # filed pending
    assert sweep_verdicts(settings, counter, change_streams=streams)["labelled"] == 0
    reports.collection.update_one({}, {"$set": {"status": "verified", "updated_at": now()}})
    assert sweep_verdicts(settings, counter, change_streams=streams)["labelled"] == 1
    labelled = store.get_many([campaign_id])[campaign_id]
    assert (labelled.verdict, labelled.source) == ("phishing", "admin")
