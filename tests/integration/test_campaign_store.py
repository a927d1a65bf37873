"""The campaign store against a real redis-server: grouping, counting, labelling, expiry, no text kept."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from devstack.processes import RedisServer, wait_until
from tests.integration.mongo import mongo_server_fixture, reports_fixture  # noqa: F401 - fixtures
from weave_ml.campaigns import examples, policy
from weave_ml.campaigns.counting import CampaignCounter
from weave_ml.campaigns.policy import Rules
from weave_ml.campaigns.recent import memory_key
from weave_ml.campaigns.signature import signature
from weave_ml.campaigns.store import VERDICT_LOG_KEY, VERDICT_LOG_TTL_S, CampaignStore
from weave_ml.campaigns.verdicts import sweep
from weave_ml.model.predictions import Score
from weave_ml.names import SERVICE_COUNTERS_KEY
from weave_ml.settings import Settings

pytestmark = pytest.mark.integration

LURE = "[CJ대한통운] {name}님 택배({n}-5678-9012) 주소 불명확으로 배달 실패. 재배송 예약 ▶ http://cj-ex{n}.top/a8X"
OTHER = "[신한카드] 결제 {n}원 승인 {name}님 일시불 잔액 확인은 앱에서 가능합니다 감사합니다"
NAMES = ["김민준", "이서연", "박지호", "최하은", "정도윤", "강서준", "조예린"]


@pytest.fixture
def store(redis_server, redis_db):
    return CampaignStore(redis_server.client(redis_db), window_s=3600, rules=Rules(min_senders=5, phishing_share=0.5))


def lure(n: int, template: str = LURE):
    return signature(template.format(name=NAMES[n % len(NAMES)], n=1000 + n))


def aged(store: CampaignStore, campaign_id: str, seconds: float) -> None:
    """Make a campaign look last seen ``seconds`` before the server's clock (the one the script writes with)."""
    now, micro = store.client.time()
    when = now + micro / 1e6 - seconds
    store.client.hset(f"weave:campaign:c:{campaign_id}", "last_seen", when)
    if store.client.zscore("weave:campaign:active", campaign_id) is not None:
        store.client.zadd("weave:campaign:active", {campaign_id: when})


def test_variants_from_many_senders_form_one_campaign(store):
    found = store.observe([lure(n) for n in range(8)], [f"010-1234-{5000 + n}" for n in range(8)], [True] * 8)
    ids = {campaign.id for campaign in found if campaign}
    assert len(ids) == 1
    last = found[-1]
    assert last is not None
    assert (last.messages, last.phishing, last.senders) == (8, 8, 8)
    assert [c.senders for c in found if c] == list(range(1, 9))
    (listed,) = store.active()
    assert listed.id == last.id and listed.template is not None and "김민준" not in listed.template


def test_a_batch_job_finds_the_campaign_of_each_position_or_of_a_page_of_them(store):
    found = store.observe([lure(n) for n in range(8)], [f"010-1234-{6000 + n}" for n in range(8)], [True] * 8)
    store.remember_batch("job-7", dict(enumerate(found)), 60)
    whole = store.of_batch("job-7")
    assert set(whole) == {position for position, campaign in enumerate(found) if campaign is not None}
    page = store.of_batch("job-7", [6, 7, 40])
    assert set(page) == {6, 7} and page[7].id == whole[7].id and page[7].senders == 8
    assert store.of_batch("job-7", []) == {} and store.of_batch("no-such-job", [1]) == {}


def test_one_sender_repeating_itself_is_not_many_senders(store):
    found = store.observe([lure(n) for n in range(8)], ["010-1234-5000"] * 8, [True] * 8)
    assert found[-1] is not None and found[-1].senders == 1 and found[-1].messages == 8
    assert store.active() == []


def test_another_template_is_another_campaign_and_short_texts_none(store):
    first = store.observe(
        [lure(1), lure(2, OTHER), signature("네") if signature("네") else None], [None] * 3, [0, 0, 0]
    )
    assert first[0] is not None and first[1] is not None and first[0].id != first[1].id
    assert first[2] is None


def test_a_report_labels_the_campaign_of_its_members(store):
    members = store.observe([lure(n) for n in range(6)], [f"0101234{n:04d}" for n in range(6)], [False] * 6)
    assert members[-1] is not None and members[-1].verdict is None
    report = lure(77)
    assert report is not None
    labelled = store.label(report, "phishing")
    assert labelled.id == members[-1].id and labelled.messages == 6 and labelled.verdict == "phishing"
    assert store.get_many([labelled.id])[labelled.id].verdict == "phishing"
    with pytest.raises(ValueError, match="verdict"):
        store.label(report, "maybe")


def test_every_key_expires_with_the_window_and_holds_no_text(store):
    store.observe([lure(n) for n in range(6)], [f"010-9999-{n:04d}" for n in range(6)], [True] * 6)
    store.label(lure(9), "phishing", "user", reporter="app-user-9999")
    keys = store.client.keys("weave:campaign:*")
    assert keys
    for key in keys:
        # The log of verdict changes outlives campaigns (an operator's audit trail); it is counts and ids too.
        longest = VERDICT_LOG_TTL_S if key == VERDICT_LOG_KEY.encode() else 3600
        assert 0 < store.client.ttl(key) <= longest
        dump = store.client.dump(key) or b""
        for secret in (b"9999", "김민준".encode(), b"cj-ex", b"app-user"):
            assert secret not in key and secret not in dump
    assert int(store.client.hget(SERVICE_COUNTERS_KEY, "campaigns_new") or 0) == 1  # the service's counters: counts


def test_campaigns_older_than_the_window_leave_the_list(store):
    found = store.observe([lure(n) for n in range(6)], [f"010-1234-{n:04d}" for n in range(6)], [True] * 6)
    assert found[-1] is not None and [c.id for c in store.active()] == [found[-1].id]
    aged(store, found[-1].id, 3601)
    assert store.active() == []  # last seen before now - window


@pytest.mark.parametrize("streams", [True, False], ids=["change-stream", "updated_at"])
def test_verdicts_written_to_mongodb_label_the_campaigns_of_their_texts(store, reports, streams):
    members = store.observe([lure(n) for n in range(6)], [f"0101234{n:04d}" for n in range(6)], [False] * 6)
    other = store.observe([lure(n, OTHER) for n in range(6)], [f"0109876{n:04d}" for n in range(6)], [False] * 6)
    reports.add(LURE.format(name="한지민", n=4242), days_ago=0.001, status="verified")  # an admin's verdict
    reports.add(OTHER.format(name="한지민", n=4242), days_ago=0.001, risk_score=0.95)  # a score: no verdict
    reports.add(LURE.format(name="한지민", n=1), days_ago=3, status="verified")  # older than the window
    counter = CampaignCounter(store)
    settings = Settings(mongodb_uri=reports.uri)
    assert sweep(settings, counter, change_streams=streams)["labelled"] == 1
    labelled = store.get_many([members[-1].id, other[-1].id])
    assert labelled[members[-1].id].verdict == "phishing" and labelled[other[-1].id].verdict is None
    # The next sweep reads only what came since; an admin clears the campaign.
    reports.add(LURE.format(name="한지민", n=77), days_ago=0, status="false_positive")
    assert sweep(settings, counter, change_streams=streams)["labelled"] == 1
    assert store.get_many([members[-1].id])[members[-1].id].verdict == "normal"
    assert sweep(settings, counter, change_streams=streams)["labelled"] == 0


def test_a_signature_finds_its_campaign_without_counting_a_message(store):
    assert store.find(lure(0)[0]) is None  # nothing counted yet
    counted = store.observe([lure(n) for n in range(6)], [f"010-1234-{5000 + n}" for n in range(6)], [True] * 6)
    last = counted[-1]
    assert last is not None
    found = store.find(lure(40)[0])  # a variant never seen: names, numbers and link differ
    assert found is not None and (found.id, found.messages, found.senders) == (last.id, 6, 6)
    assert store.find(lure(41)[0]).messages == 6  # finding counts nothing
    assert store.find(lure(1, OTHER)[0]) is None  # another template belongs to no campaign


class CountingCalls:
    """Wraps a real store's ``observe_call`` to record each call's size, by who made it: the answering thread (waits
    for it) or the process's background counting thread."""

    def __init__(self, store: CampaignStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answering: list[int] = []
        self.background: list[int] = []
        self._observe = store.observe_call
        monkeypatch.setattr(store, "observe_call", self)

    def __call__(self, signatures, *args, **kwargs):
        side = self.background if threading.current_thread().name == "campaign-counts" else self.answering
        side.append(sum(found is not None for found in signatures))
        return self._observe(signatures, *args, **kwargs)


def test_a_repeated_text_is_answered_from_its_last_count_and_counted_in_the_background(store, monkeypatch):
    counter = CampaignCounter(store, recent_ttl_s=0.5)
    calls = CountingCalls(store, monkeypatch)
    text = LURE.format(name="김민준", n=1234)
    flagged = Score("sha256:" + "0" * 64, 0.95, (), "v1")
    first = counter.observe_one(text, "010-1111-0001", flagged)
    assert first is not None and calls.answering == [1]  # a new text waits for its count
    repeats = [counter.observe_one(text, f"010-1111-{n:04d}", flagged) for n in range(2, 12)]
    assert calls.answering == [1] and {r.id for r in repeats if r} == {first.id}  # ten answered without a call
    wait_until(lambda: sum(calls.background) == 10, 5, "the repeats to be counted")
    assert len(calls.background) <= 3  # in one call or a few, not ten
    counted = store.find(lure(0)[0])
    assert counted is not None and (counted.messages, counted.senders, counted.phishing) == (11, 11, 11)
    # The background count refreshed what the next repeat is answered with.
    refreshed = counter.observe_one(text, "010-1111-0099", flagged)
    assert refreshed is not None and refreshed.messages >= 11 and calls.answering == [1]
    time.sleep(0.6)  # older than recent_ttl_s: the text waits for a count of its own again
    own = counter.observe_one(text, "010-1111-0100", flagged)
    assert own is not None and own.messages >= 12
    assert calls.answering == [1, 1]


def test_a_reported_verdict_empties_what_repeats_are_answered_with(store, monkeypatch):
    counter = CampaignCounter(store)  # the production memory: 10 s
    calls = CountingCalls(store, monkeypatch)
    text = OTHER.format(name="이서연", n=52000)
    plain = Score("sha256:" + "1" * 64, 0.1, (), "v1")
    first = counter.observe_one(text, "010-2222-0001", plain)
    assert first is not None and first.verdict is None and calls.answering == [1]
    assert counter.observe_one(text, "010-2222-0002", plain) is not None and calls.answering == [1]  # from memory
    wait_until(lambda: sum(calls.background) == 1, 2, "the repeat to be counted")  # nothing waits to be counted now
    kept = counter.recent.get(memory_key(text))
    assert kept is not None and kept[1] is not None and kept[1].verdict is None
    found = signature(text)
    assert found is not None
    store.label(found, "phishing")  # as POST /admin/campaigns/report does, from any process
    # Within a flush what was kept from before the verdict is forgotten: the next answer waits for a count of its
    # own and carries the verdict.
    wait_until(lambda: counter.recent.get(memory_key(text)) is None, 2, "the memory to be emptied", 0.01)
    after = counter.observe_one(text, "010-2222-0003", plain)
    assert after is not None and after.verdict == "phishing" and calls.answering == [1, 1]


def senders(count: int, start: int = 0) -> list[str]:
    return [f"010-3333-{4000 + start + n}" for n in range(count)]


def test_the_templates_of_phishing_campaigns_are_kept_for_the_retrain_and_no_others(store):
    store.observe([lure(n) for n in range(6)], senders(6), [True] * 6)  # a phishing campaign
    store.observe([lure(n, OTHER) for n in range(6)], senders(6), [False] * 6)  # a campaign of normal notices
    store.observe([lure(n, LURE.replace("택배", "등기")) for n in range(3)], senders(3), [True] * 3)  # too few senders

    assert examples.collect(store, keep_s=86400) == {"kept": 1, "reported_normal": 0, "dropped": 0, "held": 1}
    (example,) = examples.training_examples(store.client, since=0, limit=10, weight=0.3)
    assert (example.label, example.weight, example.source) == (1, 0.3, "campaign")
    assert not any(name in example.message for name in NAMES) and "cj-ex1000" not in example.message
    # The example is its campaign's template: it has the signature of every member.
    signed = signature(example.message)
    assert signed is not None and signed[0] == lure(3)[0]
    assert store.client.ttl(examples.KEY) == 86400 and store.client.ttl(examples.TEMPLATES_KEY) == 86400
    # Asked not to repeat a text training already has, none comes back.
    assert examples.training_examples(store.client, since=0, limit=10, weight=0.3, exclude=[example.message]) == []


def test_a_campaign_reported_normal_leaves_the_kept_templates(store):
    store.observe([lure(n) for n in range(6)], senders(6), [True] * 6)
    examples.collect(store, keep_s=86400)
    store.label(lure(7), "normal")
    assert examples.collect(store, keep_s=86400) == {"kept": 0, "reported_normal": 1, "dropped": 0, "held": 0}
    assert store.client.hlen(examples.TEMPLATES_KEY) == 0


def test_a_reported_lure_the_model_lets_through_still_gives_its_template(store):
    # The model scores every member normal; one report says phishing before the campaign has its five senders.
    store.observe([lure(n) for n in range(2)], senders(2), [False] * 2)
    store.label(lure(2), "phishing")
    store.observe([lure(n) for n in range(3, 8)], senders(5, 2), [False] * 5)
    assert examples.collect(store, keep_s=86400)["kept"] == 1
    (example,) = examples.training_examples(store.client, since=0, limit=10, weight=0.3)
    signed = signature(example.message)
    assert signed is not None and signed[0] == lure(0)[0]


LURES = [
    LURE,
    "[국민건강보험공단] {name}님 건강검진 결과 미확인 안내. 결과지 조회 ▶ http://nhis-chk{n}.cfd/r 기한 내 확인 요망",
    "[검찰청] {name}님 명의 계좌가 금융사기 사건에 연루되었습니다 사건번호 {n} 담당 수사관 연락 바람 http://spo{n}.help",
    "[해외결제] {name}님 카드 {n}원 해외 승인 완료. 본인 결제가 아닐 경우 즉시 신고 바랍니다 http://card-stop{n}.sbs",
]


def test_kept_templates_go_after_the_retrain_window_and_beyond_the_cap(store, monkeypatch):
    now = time.time()
    for age, template in zip((0, 100, 300, 400), LURES, strict=True):
        found = store.observe([lure(n, template) for n in range(5)], senders(5), [True] * 5)
        assert found[-1] is not None
        aged(store, found[-1].id, age)
    assert examples.collect(store, keep_s=86400, now=now)["held"] == 4
    newest_first = [example.message for example in examples.training_examples(store.client, 0, 10, 0.3)]
    assert len(set(newest_first)) == 4 and "건강검진" in newest_first[1] and "해외" in newest_first[3]
    assert [m.message for m in examples.training_examples(store.client, 0, 2, 0.3)] == newest_first[:2]
    # A retrain looking back less far sees fewer.
    assert len(examples.training_examples(store.client, now - 250, 10, 0.3)) == 2
    # Kept for 250 s: the campaigns last seen 300 and 400 s ago go.
    assert examples.collect(store, keep_s=250, now=now)["dropped"] == 2
    assert store.client.hlen(examples.TEMPLATES_KEY) == 2
    monkeypatch.setattr(examples, "MAX_KEPT", 1)
    assert examples.collect(store, keep_s=250, now=now)["held"] == 1
    assert [m.message for m in examples.training_examples(store.client, 0, 10, 0.3)] == newest_first[:1]
    assert store.client.hlen(examples.TEMPLATES_KEY) == 1


def test_a_text_nothing_else_resembles_is_kept_briefly_and_a_whole_window_once_another_joins_it(store):
    short = CampaignStore(store.client, window_s=3600, rules=store.rules, lone_ttl_s=600)
    (alone,) = short.observe([lure(0, LURES[1])], ["010-7777-0001"], [False])
    assert alone is not None
    keys = store.client.keys("weave:campaign:*")
    lone_keys = [key for key in keys if b":band:" in key or alone.id.encode() in key]
    assert len(lone_keys) == 16 + 2  # its bands, its counts, its senders
    assert all(0 < store.client.ttl(key) <= 600 for key in lone_keys)
    (joined,) = short.observe([lure(1, LURES[1])], ["010-7777-0002"], [False])
    assert joined is not None and joined.id == alone.id and joined.messages == 2
    campaign_key = f"weave:campaign:c:{alone.id}"
    assert 600 < store.client.ttl(campaign_key) <= 3600
    assert 600 < store.client.ttl(f"{campaign_key}:sender-ids") <= 3600
    shared = [band for band in lure(1, LURES[1])[0].bands if band in lure(0, LURES[1])[0].bands]
    assert len(shared) >= 2 and all(store.client.ttl(f"weave:campaign:band:{band}") > 600 for band in shared)
    # A reported text founds a group that lives the whole window: a verdict is worth keeping.
    short.label(lure(0, LURES[2]), "phishing")
    reported = short.find(lure(1, LURES[2])[0])
    assert reported is not None and store.client.ttl(f"weave:campaign:c:{reported.id}") > 600


BANK_NOTICE = (
    "[국민은행] {name} 고객님 {n}월 정기예금 만기 안내드립니다. 자세한 내용은 영업점 또는 고객센터로 문의 바랍니다"
)


def bank_notice_campaign(store: CampaignStore):
    """A real notice sent by six numbers, which the model lets through."""
    found = store.observe([lure(n, BANK_NOTICE) for n in range(6)], senders(6, 100), [False] * 6)
    assert found[-1] is not None and not policy.is_phishing(found[-1], store.rules)
    return found[-1]


def user_report(reports, template: str, n: int, feedback: str, reporter: str | None) -> None:
    """A user's report as the Java API files it now: the user's feedback, the app user's id."""
    fields = {"reporter": reporter} if reporter is not None else {}
    filed = {"timestamp": dt.datetime.now(dt.UTC), "updated_at": dt.datetime.now(dt.UTC)}
    reports.add(template.format(name="한지민", n=n), user_feedback=feedback, **fields, **filed)


def test_one_users_phishing_report_does_not_flag_a_bank_notice_for_everyone(store, reports):
    notice = bank_notice_campaign(store)
    counter, settings = CampaignCounter(store), Settings(mongodb_uri=reports.uri)
    user_report(reports, BANK_NOTICE, 7, "피싱", "app-user-1")
    sweep(settings, counter)
    after = store.get_many([notice.id])[notice.id]
    assert after.verdict is None and after.users_phishing == 1 and not policy.is_phishing(after, store.rules)
    assert store.client.hget(f"weave:campaign:c:{notice.id}", "template") is None  # not kept as a phishing example
    # The same user again, and reports without a reporter id (one anonymous user however many): still two users.
    user_report(reports, BANK_NOTICE, 8, "피싱", "app-user-1")
    for n in range(3):
        user_report(reports, BANK_NOTICE, 9 + n, "스미싱", None)
    sweep(settings, counter)
    assert store.get_many([notice.id])[notice.id].users_phishing == 2
    # A third distinct user: users' verdict, which raises the campaign.
    user_report(reports, BANK_NOTICE, 20, "phishing", "app-user-3")
    sweep(settings, counter)
    raised = store.get_many([notice.id])[notice.id]
    assert (raised.verdict, raised.source, raised.users_phishing) == ("phishing", "users", 3)
    assert policy.is_phishing(raised, store.rules)


def test_a_phishers_normal_report_does_not_switch_off_a_live_lure_campaign(store, reports):
    found = store.observe([lure(n) for n in range(6)], senders(6), [True] * 6)
    assert found[-1] is not None and policy.is_phishing(found[-1], store.rules)
    assert examples.collect(store, keep_s=86400)["held"] == 1
    counter, settings = CampaignCounter(store), Settings(mongodb_uri=reports.uri)
    user_report(reports, LURE, 50, "오탐", "phisher-1")
    sweep(settings, counter)
    lure_campaign = store.get_many([found[-1].id])[found[-1].id]
    assert lure_campaign.verdict is None and policy.is_phishing(lure_campaign, store.rules)
    # Even several accounts saying "normal" do not clear what the scores say: only an admin can.
    for n in (2, 3, 4):
        user_report(reports, LURE, 50 + n, "정상", f"phisher-{n}")
    sweep(settings, counter)
    lure_campaign = store.get_many([found[-1].id])[found[-1].id]
    assert (lure_campaign.verdict, lure_campaign.source) == ("normal", "users")
    assert policy.is_phishing(lure_campaign, store.rules)
    assert examples.collect(store, keep_s=86400) == {"kept": 1, "reported_normal": 0, "dropped": 0, "held": 1}


def test_an_admin_verdict_is_not_undone_by_user_reports(store, reports):
    notice = bank_notice_campaign(store)
    counter, settings = CampaignCounter(store), Settings(mongodb_uri=reports.uri)
    now = dt.datetime.now(dt.UTC)
    reports.add(BANK_NOTICE.format(name="한지민", n=1), status="false_positive", timestamp=now)  # an operator's fix
    sweep(settings, counter)
    for n in range(5):
        user_report(reports, BANK_NOTICE, 30 + n, "피싱", f"app-user-{n}")
    sweep(settings, counter)
    fixed = store.get_many([notice.id])[notice.id]
    assert fixed.verdict == "normal" and not policy.is_phishing(fixed, store.rules)
    assert (fixed.source, fixed.users_phishing) == ("admin", 5)
    # Through the gateway's path too: a user's report counts as one user; another admin verdict changes it.
    counter.label(BANK_NOTICE.format(name="이서연", n=2), "phishing", "user", "app-user-9")
    assert store.get_many([notice.id])[notice.id].verdict == "normal"
    counter.label(BANK_NOTICE.format(name="이서연", n=2), "phishing")
    assert store.get_many([notice.id])[notice.id].verdict == "phishing"


def test_one_sender_repeating_a_text_does_not_tip_the_share(store):
    store.observe([lure(n, BANK_NOTICE) for n in range(5)], senders(5, 200), [False] * 5)
    # One number sends a variant the model scores phishing, twenty times: most messages, one sender of six.
    found = store.observe([lure(40 + n, BANK_NOTICE) for n in range(20)], ["010-6666-0001"] * 20, [True] * 20)
    campaign = found[-1]
    assert campaign is not None and (campaign.messages, campaign.phishing, campaign.senders) == (25, 20, 6)
    assert not policy.is_phishing(campaign, store.rules)
    assert campaign.phishing_senders == 1 and campaign.share == 1 / 6


def test_a_reporters_reports_beyond_the_hourly_limit_count_for_nothing(store):
    rules = Rules(min_senders=5, phishing_share=0.5, users_needed=1, reporter_limit=2)
    strict = CampaignStore(store.client, window_s=3600, rules=rules)
    labelled = [strict.label(lure(n, template), "phishing", "user", "busy-user") for n, template in enumerate(LURES)]
    assert [c.verdict for c in labelled] == ["phishing", "phishing", None, None]
    # Reporting a campaign it already counted for uses nothing more (a report swept twice, a change of mind).
    again = strict.label(lure(9, LURES[0]), "normal", "user", "busy-user")
    assert (again.users_phishing, again.users_normal) == (0, 1)


def test_every_change_of_a_verdict_is_logged_with_what_made_it(store):
    found = store.observe([lure(n) for n in range(6)], senders(6), [True] * 6)  # phishing by its scores
    campaign_id = found[-1].id
    for n in range(3):
        store.label(lure(10 + n), "phishing", "user", f"app-user-{n}")
    store.label(lure(20), "normal")
    store.label(lure(21), "normal")  # the same verdict again changes nothing
    log = [entry for entry in store.verdict_log() if entry["campaign"] == campaign_id]
    assert [(e["source"], e["verdict"], e["phishing"]) for e in log] == [
        ("admin", "normal", False),
        ("users", "phishing", True),
        ("scores", None, True),
    ]
    assert log[1]["reporters"] == {"phishing": 3, "normal": 0}
    assert (log[2]["senders"], log[2]["phishing_senders"]) == (5, 5)  # turned phishing when it became a campaign


CHATTER = [
    "오늘 저녁에 다같이 삼겹살 먹으러 가는 거 맞지? 장소는 역 앞 그 집으로 하자",
    "이번 주말 등산 모임은 비 소식 때문에 다음 주로 미뤄졌습니다 참고해 주세요",
    "아파트 관리사무소에서 알립니다 내일 오전 엘리베이터 정기 점검이 있습니다",
    "우리 강아지 드디어 산책 훈련 성공했어요 너무 기특하지 않나요 사진 보세요",
    "회사 앞 카페 신메뉴 딸기라떼 진짜 맛있더라 다음에 같이 마시러 가자",
    "동창회 회비 입금 부탁드립니다 총무가 정리해서 단톡방에 다시 올릴게요",
    "어머니 생신 선물로 뭐가 좋을지 다들 의견 좀 주세요 꽃이랑 케이크 생각중",
    "내일 아침 출근길 지하철 파업 예정이라니 다들 일찍 나오시는 게 좋겠어요",
    "교회 바자회에 쓸 물건 정리해서 토요일까지 사무실로 가져다 주시면 됩니다",
    "아이들 학교 운동회 날짜가 다음 달 셋째 주 금요일로 확정되었다고 하네요",
    "새로 이사한 집 집들이는 다음 달 첫째 주 토요일 저녁으로 하려고 해요",
    "요즘 감기가 유행이라던데 다들 손 잘 씻고 따뜻하게 입고 다니세요 건강 조심",
]


def test_every_phishing_campaign_has_its_own_metric_series_however_many_larger_campaigns_there_are(store):
    from api.metrics.campaigns import LARGEST, families

    for k, chat in enumerate(CHATTER):  # larger harmless campaigns: chat lines forwarded by many, many times
        store.observe([lure(n, chat) for n in range(20)], senders(20, 1000 * (k + 1)), [False] * 20)
    phishing = store.observe([lure(n) for n in range(6)], senders(6), [True] * 6)[-1]
    assert phishing is not None
    series = {family.name: family.samples for family in families(store)}
    lure_series = [s for s in series["weave_campaign_senders"] if s.labels["campaign"] == phishing.id]
    assert [(s.labels["phishing"], s.value) for s in lure_series] == [("true", 6)]
    assert len(CHATTER) > LARGEST
    assert sum(s.labels["phishing"] == "false" for s in series["weave_campaign_senders"]) == LARGEST


def test_a_new_text_gives_each_key_it_writes_one_expiry_and_touches_no_other_key(tmp_path):
    # A private server: INFO commandstats counts what this test sends and nothing else.
    server = RedisServer(tmp_path)
    client = server.client(0)
    try:
        store = CampaignStore(client, window_s=3600, rules=Rules(min_senders=5, phishing_share=0.5), lone_ttl_s=600)
        before = client.info("commandstats")
        store.observe([lure(0)], ["010-1234-5000"], [True])
        after = client.info("commandstats")
        keys = client.keys("weave:campaign:*")
        held = [key for key in keys if b":band:" not in key]  # band keys are written with their TTL (SET EX)
        assert len(held) == 3  # the group, its senders, its senders scored phishing
        assert all(0 < client.ttl(key) <= 600 for key in keys)
        assert calls(after, "expire") - calls(before, "expire") == len(held)
    finally:
        client.close()
        server.stop()


def calls(stats: dict, command: str) -> int:
    return int(stats.get(f"cmdstat_{command}", {"calls": 0})["calls"])
