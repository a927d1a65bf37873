"""Rollouts without processes: the record, canary assignment, the decision logic, the registry changes, the reports'
join, and scoring with both versions."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from weave_ml.model.predictions import OperatingPoints
from weave_ml.model.text import message_hash
from weave_ml.registry import changes as registry_admin
from weave_ml.registry.rollout_record import CANARY, SHADOW, Rollout, RolloutError, assigned_to_candidate
from weave_ml.registry.store import Registry, RegistryError
from weave_ml.rollouts.decision import ABORT, CONTINUE, PROMOTE, Bounds, Confusion, VersionStats, judge
from weave_ml.rollouts.dual_scoring import RolloutScorer
from weave_ml.rollouts.evidence import ANSWERED, Observations, confusion_by_version, labelled_reports, parse_stats

OLD, NEW, CANDIDATE = "20250101-000000-000000aaaa", "20250108-000000-000000bbbb", "20250115-000000-000000cccc"
HASHES = [f"sha256:{hashlib.sha256(str(i).encode()).hexdigest()}" for i in range(4000)]


@pytest.fixture
def three_versions(tmp_path, small_pipeline) -> Registry:
    registry = Registry(tmp_path / "models", keep=3)
    for version in (OLD, NEW):
        registry.publish(small_pipeline, {"version": version})
    registry.publish(small_pipeline, {"version": CANDIDATE}, make_current=False)
    return registry


def test_a_rollout_refuses_an_unknown_mode_or_a_share_out_of_range():
    with pytest.raises(RolloutError, match="unknown rollout mode"):
        Rollout.begin(CANDIDATE, "blue-green", None, NEW)
    for share in (-0.1, 100.5, True):
        with pytest.raises(RolloutError, match="share"):
            Rollout.begin(CANDIDATE, CANARY, share, NEW)
    with pytest.raises(RolloutError, match="malformed"):
        Rollout.from_dict({"candidate": CANDIDATE})
    canary = Rollout.begin(CANDIDATE, CANARY, None, NEW)
    assert canary.share == 10 and Rollout.from_dict(canary.to_dict()) == canary
    assert Rollout.begin(CANDIDATE, SHADOW, None, NEW).share == 0.0


def test_canary_assignment_is_stable_close_to_its_share_and_drawn_anew_per_candidate():
    half = [assigned_to_candidate(h, CANDIDATE, 50) for h in HASHES]
    assert half == [assigned_to_candidate(h, CANDIDATE, 50) for h in HASHES]  # the same text, the same version
    assert 0.46 < sum(half) / len(HASHES) < 0.54
    assert 0.07 < sum(assigned_to_candidate(h, CANDIDATE, 10) for h in HASHES) / len(HASHES) < 0.13
    # A larger share keeps every message the smaller one gave the candidate: raising it moves no text back.
    tenth = [assigned_to_candidate(h, CANDIDATE, 10) for h in HASHES]
    assert all(big for small, big in zip(tenth, half, strict=True) if small)
    other = [assigned_to_candidate(h, OLD, 50) for h in HASHES]
    assert other != half
    shadow = Rollout.begin(CANDIDATE, SHADOW, 100, NEW)
    assert not any(shadow.answers_with_candidate(h) for h in HASHES[:100])


def test_a_canary_text_is_looked_up_only_under_the_version_that_answers_it():
    canary = Rollout.begin(CANDIDATE, CANARY, 50, NEW)
    mine = next(h for h in HASHES if canary.answers_with_candidate(h))
    theirs = next(h for h in HASHES if not canary.answers_with_candidate(h))
    served = [NEW, OLD, CANDIDATE]
    assert canary.lookup_versions(mine, served) == [CANDIDATE]
    assert canary.lookup_versions(mine, [NEW], strict=False) == [CANDIDATE, NEW]
    assert canary.lookup_versions(theirs, served) == [NEW, OLD]
    assert Rollout.begin(CANDIDATE, SHADOW, None, NEW).lookup_versions(mine, served) == [NEW, OLD]


def stats(scored: int, positive: int = 0, errors: int = 0, seconds: float = 0.0) -> VersionStats:
    return VersionStats(scored=scored, answered=scored // 2, positive=positive, errors=errors, seconds=seconds)


BOUNDS = Bounds(min_scored=100, max_error_rate=0.01, max_latency_ratio=3.0, max_positive_rate_change=0.05)


def verdict_of(candidate, current, reported=None, bounds=BOUNDS, *, current_version=NEW, started_against=NEW):
    return judge(
        candidate,
        current,
        reported,
        candidate_version=CANDIDATE,
        current_version=current_version,
        started_against=started_against,
        bounds=bounds,
    )


def test_no_verdict_before_enough_messages_then_aborts_on_each_bound():
    quiet = stats(1000, positive=100, seconds=1.0)
    assert verdict_of(stats(50, positive=50, errors=40), quiet).action == CONTINUE
    errors = verdict_of(stats(990, positive=99, errors=20, seconds=1.0), quiet)
    assert errors.action == ABORT and "error rate 1.98%" in errors.reason
    slow = verdict_of(stats(1000, positive=100, seconds=3.5), quiet)
    assert slow.action == ABORT and "3.5x" in slow.reason
    jumpy = verdict_of(stats(1000, positive=170, seconds=1.0), quiet)
    assert jumpy.action == ABORT and "positive rate 17.00%" in jumpy.reason
    shy = verdict_of(stats(1000, positive=40, seconds=1.0), quiet)  # a drop is as suspicious as a jump
    assert shy.action == ABORT
    fine = verdict_of(stats(1000, positive=120, errors=5, seconds=2.0), quiet)
    assert fine == verdict_of(stats(1000, positive=120, errors=5, seconds=2.0), quiet)
    assert fine.action == CONTINUE and "automatic promotion is off" in fine.reason


def test_promotion_needs_enough_reports_on_which_the_candidate_does_no_worse():
    auto = Bounds(min_scored=100, auto_promote=True, min_reports=50)
    both = stats(1000, positive=100, seconds=1.0)
    current = Confusion(tp=30, fp=5, fn=10, tn=15)
    few = verdict_of(both, both, {CANDIDATE: Confusion(tp=10, tn=10), NEW: current}, auto)
    assert few.action == CONTINUE and "20 of 50 reported" in few.reason
    better = verdict_of(both, both, {CANDIDATE: Confusion(tp=38, fp=2, fn=2, tn=18), NEW: current}, auto)
    assert better.action == PROMOTE and "precision 95.00% against 85.71%" in better.reason
    lower_recall = verdict_of(both, both, {CANDIDATE: Confusion(tp=25, fp=0, fn=15, tn=20), NEW: current}, auto)
    assert lower_recall.action == CONTINUE and "worse" in lower_recall.reason
    tolerant = Bounds(min_scored=100, auto_promote=True, min_reports=50, tolerance=0.2)
    assert (
        verdict_of(both, both, {CANDIDATE: Confusion(tp=25, fp=0, fn=15, tn=20), NEW: current}, tolerant).action
        == PROMOTE
    )


def test_promotion_needs_enough_reports_for_the_current_model_too_and_a_false_alarm_is_worse_than_none():
    auto = Bounds(min_scored=100, auto_promote=True, min_reports=100)
    both = stats(1000, positive=100, seconds=1.0)
    ten_false_alarms = Confusion(fp=10, tn=90)  # 100 texts reported normal, 10 of them flagged by the candidate
    unknown = verdict_of(both, both, {CANDIDATE: ten_false_alarms}, auto)
    assert unknown.action == CONTINUE and "the current model has 0 of 100 reported messages" in unknown.reason
    # The current model flagged none of the same texts: its precision is not measured, yet it raised no false alarm.
    quiet = verdict_of(both, both, {CANDIDATE: ten_false_alarms, NEW: Confusion(tn=100)}, auto)
    assert quiet.action == CONTINUE and "worse" in quiet.reason and "precision 0.00% against n/a" in quiet.reason
    # Neither raised a false alarm and no phishing was reported: nothing says the candidate is worse.
    assert verdict_of(both, both, {CANDIDATE: Confusion(tn=100), NEW: Confusion(tn=100)}, auto).action == PROMOTE


def test_a_rollout_is_aborted_once_the_current_version_is_not_the_one_it_began_against():
    auto = Bounds(min_scored=100, auto_promote=True, min_reports=100)
    candidate = stats(1000, positive=100, seconds=1.0)
    poor = {CANDIDATE: Confusion(tp=14, fp=86)}  # 14% precision
    # A retrain published NEW mid-rollout: NEW has measured nothing yet, the rollout's evidence is against OLD.
    published = verdict_of(candidate, VersionStats(), poor, auto, started_against=OLD)
    assert published.action == ABORT
    assert f"changed from {OLD} to {NEW}" in published.reason and "start a new rollout" in published.reason
    # An operator rolled back to OLD while NEW's rollout ran, with every measurement on both sides in place.
    rolled_back = verdict_of(candidate, candidate, {**poor, OLD: Confusion(tp=14, fp=86)}, auto, current_version=OLD)
    assert rolled_back.action == ABORT and f"changed from {NEW} to {OLD}" in rolled_back.reason
    assert verdict_of(candidate, candidate, poor, auto, started_against=None).action == ABORT


def test_latency_and_positive_rate_bounds_hold_the_rollout_until_the_current_model_is_measured():
    auto = Bounds(min_scored=100, auto_promote=True, min_reports=50)
    slow_and_jumpy = stats(1000, positive=900, seconds=100.0)
    better = {CANDIDATE: Confusion(tp=40, tn=20), NEW: Confusion(tp=30, fp=5, fn=10, tn=15)}
    for current in (VersionStats(), stats(99, positive=10, seconds=0.1), stats(1000, positive=100, seconds=0.0)):
        held = verdict_of(slow_and_jumpy, current, better, auto)
        assert held.action == CONTINUE and held.reason.startswith("holding: the current model's scoring"), current
    measured = verdict_of(slow_and_jumpy, stats(1000, positive=100, seconds=1.0), better, auto)
    assert measured.action == ABORT and "100.0x" in measured.reason


def test_the_rollout_record_lives_beside_the_pointer_and_keeps_its_candidate(three_versions):
    registry = three_versions
    assert registry.rollout() is None
    with pytest.raises(RegistryError, match="unknown model version"):
        registry.set_rollout(Rollout.begin("20990101-000000-000000ffff", SHADOW, None, NEW))
    rollout = Rollout.begin(CANDIDATE, CANARY, 25, NEW)
    registry.set_rollout(rollout)
    assert registry.rollout() == rollout
    # Retention keeps the candidate of a rollout in progress, as it keeps the current version.
    registry.keep = 1
    assert registry.prune() == [OLD]
    registry.set_rollout(None)
    registry.set_rollout(None)  # ending no rollout is harmless
    assert registry.rollout() is None
    (registry.root / "ROLLOUT").write_text("{not json")
    with pytest.raises(RegistryError, match="unreadable rollout record"):
        registry.rollout()


def test_the_trainer_starts_promotes_and_aborts_rollouts_and_refuses_what_cannot_be(three_versions):
    registry = three_versions
    apply = registry_admin.carry_out
    code = registry_admin.ROLLOUT_START
    assert apply(registry, code, {"candidate": NEW, "mode": SHADOW})["error"]["code"] == registry_admin.INVALID_ROLLOUT
    missing = apply(registry, code, {"candidate": "nope", "mode": SHADOW})
    assert missing["error"]["code"] == registry_admin.UNKNOWN_VERSION
    bad_share = apply(registry, code, {"candidate": CANDIDATE, "mode": CANARY, "share": 200})
    assert bad_share["error"]["code"] == registry_admin.INVALID_ROLLOUT and registry.rollout() is None
    wrong_args = apply(registry, code, {"candidate": CANDIDATE, "colour": "blue"})
    assert wrong_args["error"]["code"] == registry_admin.UNKNOWN_ACTION
    for action in (registry_admin.ROLLOUT_PROMOTE, registry_admin.ROLLOUT_ABORT):
        assert apply(registry, action, {})["error"]["code"] == registry_admin.NO_ROLLOUT

    started = apply(registry, code, {"candidate": CANDIDATE, "mode": CANARY, "share": 50})
    assert started["event"] == "started" and started["rollout"]["share"] == 50 and started["current_version"] == NEW
    again = apply(registry, code, {"candidate": OLD, "mode": SHADOW})
    assert again["error"]["code"] == registry_admin.ROLLOUT_IN_PROGRESS
    aborted = apply(registry, registry_admin.ROLLOUT_ABORT, {"reason": "looked wrong"})
    assert aborted["event"] == "aborted" and aborted["reason"] == "looked wrong"
    assert registry.rollout() is None and registry.current_version() == NEW

    apply(registry, code, {"candidate": CANDIDATE, "mode": SHADOW})
    promoted = apply(registry, registry_admin.ROLLOUT_PROMOTE, {})
    assert promoted["current_version"] == registry.current_version() == CANDIDATE
    assert promoted["previous_version"] == NEW and registry.rollout() is None
    assert registry.metadata(CANDIDATE)["status"] == "published"


def test_only_a_persons_verdict_on_a_report_counts_and_each_version_is_tallied():
    reports: list[dict[str, Any]] = [
        {"message": "택배 주소 확인 http://han.gl/a", "sender": "010-1111-2222", "user_feedback": "피싱"},
        {"message": "택배 주소 확인 http://han.gl/a", "sender": "010-1111-2222", "user_feedback": "오탐"},  # older
        {"message": "엄마 오늘 늦어", "user_feedback": "정상"},
        {"message": "대출 승인 안내", "status": "verified"},
        {"message": "점수만 있는 신고", "risk_score": 0.95},  # the model's own opinion, not evidence
        {"message": "   "},
    ]
    labelled = list(labelled_reports(reports))
    assert labelled == [
        (message_hash("택배 주소 확인 http://han.gl/a", "010-1111-2222"), 1),
        (message_hash("엄마 오늘 늦어", None), 0),
        (message_hash("대출 승인 안내", None), 1),
    ]
    seen = [
        {NEW: (0.9, True), CANDIDATE: (0.8, True), ANSWERED: CANDIDATE},
        {NEW: (0.6, True), CANDIDATE: (0.1, False), ANSWERED: NEW},
        {},  # never scored during the rollout
    ]
    tallies = confusion_by_version(labelled, seen)
    assert tallies[NEW] == Confusion(tp=1, fp=1, answered=1)
    assert tallies[CANDIDATE] == Confusion(tp=1, tn=1, answered=1)
    assert tallies[CANDIDATE].precision == 1.0 and tallies[NEW].precision == 0.5


def test_stats_are_read_per_version_with_agreement():
    raw = {
        f"{NEW}|scored".encode(): b"10",
        f"{NEW}|positive".encode(): b"2",
        f"{NEW}|seconds".encode(): b"0.01",
        f"{CANDIDATE}|scored".encode(): b"10",
        f"{CANDIDATE}|answered".encode(): b"4",
        f"{CANDIDATE}|errors".encode(): b"1",
        b"compared": b"10",
        b"agreed": b"9",
    }
    stats, compared, agreed = parse_stats(raw)
    assert stats[NEW].positive_rate == 0.2 and stats[NEW].latency_s == pytest.approx(0.001)
    assert stats[CANDIDATE] == VersionStats(scored=10, answered=4, errors=1)
    assert (compared, agreed) == (10, 9)


class Recorder:
    """Keeps what a rollout scorer records, as the Redis evidence store would."""

    def __init__(self) -> None:
        self.recorded: list[Observations] = []

    def record(self, rollout: Rollout, seen: Observations) -> None:
        self.recorded.append(seen)


def test_both_versions_score_every_message_and_the_rollout_says_who_answers(three_versions):
    registry = three_versions
    current = registry.load(NEW).scorer()
    # The same model with its thresholds lowered: the candidate flags far more.
    eager = registry.load(CANDIDATE).scorer().with_points(OperatingPoints(0.002, 0.001, 0.0005, 0.01, 0.005))
    texts = [f"오늘 저녁 {i}시에 만나요" for i in range(40)]
    recorder = Recorder()
    shadow = RolloutScorer(current, eager, Rollout.begin(CANDIDATE, SHADOW, None, NEW), recorder)  # type: ignore[arg-type]
    answers = shadow.score_many(texts)
    assert [a.model_version for a in answers] == [NEW] * 40
    seen = recorder.recorded[0]
    assert all(set(by_version) == {NEW, CANDIDATE} for by_version in seen.scores.values())
    assert sum(by_version[CANDIDATE][1] for by_version in seen.scores.values()) == 40
    assert set(seen.seconds) == {NEW, CANDIDATE} and not seen.errors

    canary = RolloutScorer(current, eager, Rollout.begin(CANDIDATE, CANARY, 50, NEW), recorder)  # type: ignore[arg-type]
    first = canary.score_many(texts)
    assert {a.model_version for a in first} == {NEW, CANDIDATE}
    assert [a.model_version for a in first] == [a.model_version for a in canary.score_many(texts)]
    for answer in first:
        expected = CANDIDATE if assigned_to_candidate(answer.message_hash, CANDIDATE, 50) else NEW
        assert answer.model_version == expected
        assert recorder.recorded[1].answered_by[answer.message_hash] == expected
