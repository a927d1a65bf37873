"""Reading labelled reports from a real MongoDB-wire server: precedence, the day window, deduplication, errors."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.integration.mongo import mongo_server_fixture, reports_fixture  # noqa: F401 - fixtures
from weave_ml.reports.mongo import ReportsUnavailable, load_labelled
from weave_ml.settings import Settings

pytestmark = pytest.mark.integration


def settings_for(reports, **overrides) -> Settings:
    return Settings(mongodb_uri=reports.uri, **overrides)


def labels_by_text(loaded) -> dict[str, tuple[int, str]]:
    return {m.message: (m.label, m.source) for m in loaded.messages}


def test_label_precedence_admin_then_user_then_confident_score(reports):
    reports.add(
        "admin says false alarm over user and score", user_feedback="피싱", status="false_positive", risk_score=0.1
    )
    reports.add("admin says phishing over user", user_feedback="오탐", status="verified", risk_score=0.95)
    reports.add("user english phishing", user_feedback="phishing")
    reports.add("user english false positive", user_feedback="false_positive", risk_score=0.9)
    reports.add("admin verified", status="verified", risk_score=0.1)
    reports.add("admin false positive", status="false_positive", risk_score=0.99)
    reports.add("unknown feedback falls through to admin", user_feedback="음…", status="verified")
    reports.add("confident high score", risk_score=0.8)
    reports.add("confident low score", risk_score=0.3)
    reports.add("uncertain score", risk_score=0.55)
    reports.add("no score at all", risk_score=None)
    reports.add("   ", user_feedback="피싱")

    loaded = load_labelled(settings_for(reports), reports.now)

    assert labels_by_text(loaded) == {
        "admin says false alarm over user and score": (0, "report:admin_status"),
        "admin says phishing over user": (1, "report:admin_status"),
        "user english phishing": (1, "report:user_feedback"),
        "user english false positive": (0, "report:user_feedback"),
        "admin verified": (1, "report:admin_status"),
        "admin false positive": (0, "report:admin_status"),
        "unknown feedback falls through to admin": (1, "report:admin_status"),
        "confident high score": (1, "report:auto_label"),
        "confident low score": (0, "report:auto_label"),
    }
    assert loaded.counts.read == 12
    assert loaded.counts.by_label_source == {"user_feedback": 2, "admin_status": 5, "auto_label": 2}
    assert loaded.counts.left_out == {"uncertain_score": 1, "no_label": 1, "no_message": 1}
    assert (loaded.counts.phishing, loaded.counts.normal) == (5, 4)


def test_only_the_last_retrain_days_are_read(reports):
    reports.add("yesterday", days_ago=1, status="verified")
    reports.add("inside the window", days_ago=6.9, status="verified")
    reports.add("just outside", days_ago=7.1, status="verified")
    reports.add("long ago", days_ago=90, user_feedback="피싱")
    reports.add("in the future", days_ago=-1, status="verified")

    loaded = load_labelled(settings_for(reports, retrain_days=7), reports.now)

    assert sorted(labels_by_text(loaded)) == ["inside the window", "yesterday"]
    assert loaded.window.days == 7
    assert loaded.window.until == reports.now.isoformat(timespec="seconds")
    # The query can use an index on the timestamp; it is created when missing.
    assert any(
        key == [("timestamp", 1)] for key in (index["key"] for index in reports.collection.index_information().values())
    )


def test_duplicates_keep_the_newest_label(reports):
    reports.add("택배 주소 확인 http://han.gl/x", days_ago=5, user_feedback="피싱")
    reports.add("택배  주소 확인 http://han.gl/X", days_ago=1, user_feedback="오탐")  # same once normalised
    reports.add("택배 주소 확인 http://han.gl/x", days_ago=0.5, risk_score=0.5)  # newest, but unlabelled
    reports.add("엄마 나 폰 고장났어", days_ago=3, risk_score=0.9)
    reports.add("엄마 나 폰 고장났어", days_ago=2, status="verified")

    loaded = load_labelled(settings_for(reports), reports.now)

    assert len(loaded.messages) == 2
    by_text = labels_by_text(loaded)
    assert by_text["택배  주소 확인 http://han.gl/X"] == (0, "report:user_feedback")
    assert by_text["엄마 나 폰 고장났어"] == (1, "report:admin_status")
    assert loaded.counts.left_out == {"duplicate": 2, "uncertain_score": 1}


def test_reads_are_capped_per_label_newest_first_and_keep_both_classes(reports):
    # A flood of recent false-alarm verdicts cannot crowd out the older phishing reports.
    documents = [
        {"message": f"정상 문자 {i}", "user_feedback": "정상", "timestamp": reports.now - dt.timedelta(minutes=i)}
        for i in range(300)
    ]
    documents += [
        {"message": f"피싱 문자 {i}", "status": "verified", "timestamp": reports.now - dt.timedelta(days=1, minutes=i)}
        for i in range(20)
    ]
    reports.add_many(documents)

    loaded = load_labelled(settings_for(reports, retrain_max_per_label=15), reports.now)

    assert [m.message for m in loaded.messages if m.label == 0] == [f"정상 문자 {i}" for i in range(15)]
    assert [m.message for m in loaded.messages if m.label == 1] == [f"피싱 문자 {i}" for i in range(15)]
    assert loaded.counts.stopped_by == "both_labels_full"
    assert loaded.counts.left_out["over_label_cap"] == 285
    assert loaded.counts.read == 315  # reading stopped once both labels were full
    # Admin verdicts are also returned apart, labelled by the admin alone, for the regression set.
    assert [m.message for m in loaded.verified] == [f"피싱 문자 {i}" for i in range(15)]
    assert loaded.window.max_per_label == 15


def test_reads_stop_at_the_read_limit_keeping_the_newest(reports):
    reports.add_many(
        [
            {
                "message": f"문자 {i}",
                "user_feedback": "피싱" if i % 2 else "오탐",
                "timestamp": reports.now - dt.timedelta(minutes=i),
            }
            for i in range(100)
        ]
    )

    loaded = load_labelled(settings_for(reports, retrain_max_read=40), reports.now)

    assert loaded.counts.read == 40 and loaded.counts.stopped_by == "read_limit"
    assert sorted(m.message for m in loaded.messages) == sorted(f"문자 {i}" for i in range(40))


def test_a_read_past_its_time_limit_keeps_what_was_read(reports):
    reports.add_many(
        [
            {
                "message": f"문자 {i}",
                "user_feedback": "피싱" if i % 2 else "오탐",
                "timestamp": reports.now - dt.timedelta(seconds=i),
            }
            for i in range(5000)
        ]
    )

    loaded = load_labelled(settings_for(reports, retrain_read_time_limit_s=1e-6), reports.now)

    assert loaded.counts.stopped_by == "time_limit"
    assert 0 < loaded.counts.read < 5000
    assert loaded.counts.labelled == loaded.counts.read


def test_an_unreachable_server_fails_fast_naming_the_host_not_the_password():
    from devstack.processes import free_port

    port = free_port()
    settings = Settings(mongodb_uri=f"mongodb://weave:s3cret-pw@127.0.0.1:{port}/weave?authSource=admin")
    started = time.monotonic()
    with pytest.raises(ReportsUnavailable) as caught:
        load_labelled(settings)
    assert time.monotonic() - started < 10
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value) and "weave:" not in str(caught.value)


def test_no_uri_is_a_clear_error():
    with pytest.raises(ReportsUnavailable, match="MONGODB_URI is not set"):
        load_labelled(Settings(mongodb_uri=None))
