"""The reputation store against a real redis-server: counting, evidence, the trust rules, expiry, no text or number.

Each way campaigns were found steerable by anyone who can call /predict or file a report is replayed here against
reputation: made-up senders, one report deciding for everyone, a phisher's own "normal" report, users against an
admin, one sender repeating itself, a look-alike blast marking the official domain.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from devstack.processes import RedisServer, wait_until
from tests.integration.mongo import mongo_server_fixture, reports_fixture  # noqa: F401 - fixtures
from weave_ml.campaigns.counting import CampaignCounter
from weave_ml.campaigns.policy import Rules as CampaignRules
from weave_ml.campaigns.recent import memory_key
from weave_ml.campaigns.store import CampaignStore
from weave_ml.campaigns.verdicts import sweep
from weave_ml.model.predictions import Score
from weave_ml.names import SERVICE_COUNTERS_KEY
from weave_ml.reports.labels import hashed_reporter
from weave_ml.reputation import policy
from weave_ml.reputation.policy import Rules
from weave_ml.reputation.store import (
    BY_ADMIN,
    BY_CAMPAIGN,
    BY_REPORT,
    BY_USER,
    CHANGES_KEY,
    VERDICT_LOG_KEY,
    VERDICT_LOG_TTL_S,
    ReputationStore,
    Sighting,
)
from weave_ml.reputation.subjects import Subject, domain_subject, number_subject, of_message
from weave_ml.settings import Settings

pytestmark = pytest.mark.integration

_databases = itertools.count(960)
TTL_S = 86400
LURE = "[CJ대한통운] {name}님 택배 주소 불명확으로 배달 실패. 재배송 예약 http://{domain}/a{n} 문의 {number}"
NAMES = ["김민준", "이서연", "박지호", "최하은", "정도윤", "강서준", "조예린"]
EVIL = domain_subject("cj-ex.top")


def number(written: str) -> Subject:
    found = number_subject(written)
    assert found is not None
    return found


CALLBACK = number("010-4321-8765")


@pytest.fixture
def store(redis_server):
    client = redis_server.client(next(_databases))
    client.flushdb()
    yield ReputationStore(client, TTL_S, Rules(users_needed=3, reporter_limit=30, min_senders=5, suspicious_share=0.5))
    client.flushdb()


def lure(n: int, domain: str = "cj-ex.top", number: str = "010-4321-8765") -> str:
    return LURE.format(name=NAMES[n % len(NAMES)], domain=domain, n=n, number=number)


def sighted(store: ReputationStore, text: str, sender: str | None, scored: bool = False) -> dict:
    (looked,) = store.observe([Sighting(of_message(text, sender), scored)])
    return looked


def entry(store: ReputationStore, subject=EVIL) -> policy.Entry:
    return store.get([subject])[subject.id]


def user(store: ReputationStore, verdict: str, reporter: str | None, subject=EVIL) -> policy.Entry:
    return store.report([subject], verdict, BY_USER, hashed_reporter(reporter))[subject.id]


def test_domains_and_numbers_are_counted_by_distinct_senders_and_say_whether_they_were_seen_before(store):
    first = sighted(store, lure(1), "010-1111-0001")
    assert first[EVIL.id].seen_before is False and first[CALLBACK.id].seen_before is False
    again = sighted(store, lure(2), "+82 10 1111 0001")  # the same sender, written another way
    assert again[EVIL.id].seen_before is True and again[EVIL.id].entry.messages == 2
    assert (entry(store).messages, entry(store).senders) == (2, 1)
    sighted(store, lure(3), "010-1111-0002")
    counted = entry(store)
    assert (counted.messages, counted.senders) == (3, 2) and counted.first_seen <= counted.last_seen
    # A sender's own number is not counted, nor read: it is judged by an admin's verdict alone.
    sender = of_message(lure(1), "010-1111-0001").sender
    assert sender is not None and sender.id not in first and entry(store, sender).messages == 0
    assert int(store.client.hget(SERVICE_COUNTERS_KEY, "reputation_entries_new") or 0) == 2


def test_every_key_expires_and_holds_no_text_and_no_number(store):
    for n in range(6):
        sighted(store, lure(n), f"010-9999-{n:04d}", scored=True)
    user(store, policy.PHISHING, "app-user-9999", CALLBACK)
    store.report([EVIL], policy.PHISHING, BY_ADMIN)
    keys = store.client.keys("weave:reputation:*")
    assert keys
    for key in keys:
        longest = VERDICT_LOG_TTL_S if key == VERDICT_LOG_KEY.encode() else TTL_S
        assert 0 < store.client.ttl(key) <= longest, key
        dump = store.client.dump(key) or b""
        for secret in (b"9999", b"8765", b"4321", "김민준".encode(), "택배".encode(), b"app-user"):
            assert secret not in key and secret not in dump, (key, secret)


def test_an_admins_verdict_on_a_domain_reports_it_for_every_text_and_is_final_until_another_admins(store):
    reported = store.report([EVIL], policy.PHISHING, BY_ADMIN)[EVIL.id]
    assert (reported.verdict, reported.source, reported.admin) == (policy.REPORTED, policy.ADMIN, policy.PHISHING)
    # Users saying "normal", however many, do not undo it.
    for n in range(6):
        assert user(store, policy.NORMAL, f"phisher-{n}").verdict == policy.REPORTED
    cleared = store.report([EVIL], policy.NORMAL, BY_ADMIN)[EVIL.id]
    assert (cleared.verdict, cleared.source) == (policy.CLEAN, policy.ADMIN)


def test_one_users_report_does_not_report_a_domain_for_everyone(store):
    assert user(store, policy.PHISHING, "app-user-1").verdict == ""
    # The same user again, and reports without a reporter (one anonymous user however many): two users.
    user(store, policy.PHISHING, "app-user-1")
    for _ in range(3):
        user(store, policy.PHISHING, None)
    assert entry(store).users_phishing == 2 and entry(store).verdict == ""
    third = user(store, policy.PHISHING, "app-user-3")
    assert (third.verdict, third.source, third.users_phishing) == (policy.REPORTED, policy.USERS, 3)


def test_a_phishers_normal_report_does_not_unblock(store):
    # Reported by an admin's verdict on a text holding it: a phisher's "normal" changes nothing.
    store.report([EVIL], policy.PHISHING, BY_REPORT, "r:report-1")
    assert user(store, policy.NORMAL, "phisher-1").verdict == policy.REPORTED
    # Reported by three users: one "normal" does not outweigh them, nor do three: they must outnumber them.
    other = domain_subject("nhis-refund.top")
    for n in range(3):
        user(store, policy.PHISHING, f"app-user-{n}", other)
    for n in range(3):
        assert user(store, policy.NORMAL, f"phisher-{n}", other).verdict == policy.REPORTED
    outnumbered = user(store, policy.NORMAL, "phisher-3", other)
    assert (outnumbered.verdict, outnumbered.source) == (policy.CLEAN, policy.USERS)


def test_an_admins_verdict_is_not_undone_by_users(store):
    store.report([EVIL], policy.NORMAL, BY_ADMIN)
    for n in range(5):
        assert user(store, policy.PHISHING, f"app-user-{n}").verdict == policy.CLEAN
    assert entry(store).users_phishing == 5
    # An admin's verdict on a text that holds it (a report's status) outweighs users too.
    other = domain_subject("kakao-gift.top")
    store.report([other], policy.NORMAL, BY_REPORT, "r:report-2")
    for n in range(5):
        assert user(store, policy.PHISHING, f"app-user-{n}", other).verdict == policy.CLEAN


def test_a_normal_text_quoting_a_lures_link_does_not_clear_it_but_the_same_reports_change_counts_once(store):
    store.report([EVIL], policy.PHISHING, BY_REPORT, "r:lure")
    warning = store.report([EVIL], policy.NORMAL, BY_REPORT, "r:police-warning")[EVIL.id]
    assert warning.verdict == policy.REPORTED and (warning.reports_phishing, warning.reports_normal) == (1, 1)
    # The same report read again counts once; an admin correcting it moves its count.
    assert store.report([EVIL], policy.PHISHING, BY_REPORT, "r:lure")[EVIL.id].reports_phishing == 1
    corrected = store.report([EVIL], policy.NORMAL, BY_REPORT, "r:lure")[EVIL.id]
    assert (corrected.verdict, corrected.reports_phishing, corrected.reports_normal) == (policy.CLEAN, 0, 2)


def test_one_sender_repeating_does_not_tip_the_share_and_scores_alone_never_report(store):
    for n in range(5):
        sighted(store, lure(n), f"010-2000-{n:04d}")
    for n in range(20):  # one number, a text scored phishing twenty times: most texts, one sender of six
        sighted(store, lure(100 + n), "010-6666-0001", scored=True)
    shared = entry(store)
    assert (shared.messages, shared.senders, shared.phishing_senders) == (25, 6, 1) and shared.verdict == ""
    # Made-up senders, as many as anyone likes: suspicious at most.
    for n in range(40):
        sighted(store, lure(200 + n), f"010-7777-{n:04d}", scored=True)
    made_up = entry(store)
    assert (made_up.verdict, made_up.source) == (policy.SUSPICIOUS, policy.SCORES)


def test_a_protected_subject_is_never_marked_by_evidence_from_texts(store):
    official = domain_subject("cjlogistics.com")
    shortener = domain_subject("bit.ly")
    representative = number("1588-1255")
    assert official.protected and shortener.protected and representative.protected
    held = [official, shortener, representative]
    store.report(held, policy.PHISHING, BY_REPORT, "r:lure-quoting-the-real-site")
    store.report(held, policy.ADMIN, BY_CAMPAIGN, "campaign-1")
    for n in range(5):
        store.report(held, policy.PHISHING, BY_USER, hashed_reporter(f"app-user-{n}"))
    assert all(found.verdict == "" for found in store.get(held).values())
    # Only an admin's verdict on the subject itself judges it.
    assert store.report([official], policy.PHISHING, BY_ADMIN)[official.id].verdict == policy.REPORTED


def test_a_phishing_campaigns_evidence_reports_its_members_domains_and_goes_when_withdrawn(store):
    assert store.report([EVIL], policy.USERS, BY_CAMPAIGN, "campaign-1")[EVIL.id].verdict == policy.REPORTED
    assert store.report([EVIL], policy.USERS, BY_CAMPAIGN, "campaign-1")[EVIL.id].campaigns_users == 1
    scores_only = domain_subject("other-lure.top")
    assert store.report([scores_only], policy.SCORES, BY_CAMPAIGN, "c2")[scores_only.id].verdict == policy.SUSPICIOUS
    withdrawn = store.report([EVIL], "", BY_CAMPAIGN, "campaign-1")[EVIL.id]
    assert (withdrawn.verdict, withdrawn.campaigns_users) == ("", 0)
    # Withdrawing evidence from an entry the store never held creates nothing.
    store.report([domain_subject("never-seen.top")], "", BY_CAMPAIGN, "campaign-1")
    assert not store.client.exists("weave:reputation:d:never-seen.top")


def test_a_reporters_reports_beyond_the_hourly_limit_count_for_nothing(redis_server, store):
    strict = ReputationStore(store.client, TTL_S, Rules(users_needed=1, reporter_limit=2))
    domains = [domain_subject(f"lure-{n}.top") for n in range(4)]
    verdicts = [strict.report([d], policy.PHISHING, BY_USER, hashed_reporter("busy"))[d.id].verdict for d in domains]
    assert verdicts == [policy.REPORTED, policy.REPORTED, "", ""]
    # Reporting an entry it already counted for uses nothing more (a report swept twice, a change of mind).
    again = strict.report([domains[0]], policy.NORMAL, BY_USER, hashed_reporter("busy"))[domains[0].id]
    assert (again.users_phishing, again.users_normal) == (0, 1)


def test_every_change_of_a_verdict_is_logged_with_what_made_it_and_moves_the_counter(store):
    before = store.changes()
    for n in range(3):
        user(store, policy.PHISHING, f"app-user-{n}")
    store.report([EVIL], policy.NORMAL, BY_ADMIN)
    store.report([EVIL], policy.NORMAL, BY_ADMIN)  # the same verdict again changes nothing
    changes = store.verdict_log(entry=EVIL.id)
    assert [(c["source"], c["verdict"], c["was"]) for c in changes] == [
        (policy.ADMIN, policy.CLEAN, policy.REPORTED),
        (policy.USERS, policy.REPORTED, None),
    ]
    assert changes[1]["reporters"] == {"phishing": 3, "normal": 0}
    assert store.changes() != before and int(store.client.get(CHANGES_KEY) or 0) == 2
    assert store.judged_counts() == {policy.REPORTED: 0, policy.SUSPICIOUS: 0, policy.CLEAN: 1}


def test_verified_senders_are_kept_as_hashes_listed_and_removed(store):
    bank = number("1588-9999")
    before = store.changes()
    store.verify(bank, "KB국민은행", "****-9999")
    store.verify(domain_subject("kbstar.com"), "KB국민은행", "kbstar.com")
    assert store.verified().of(bank) == "KB국민은행" and store.changes() != before
    assert [(item["id"], item["shown"]) for item in store.verified_listing()] == sorted(
        [(bank.id, "****-9999"), ("d:kbstar.com", "kbstar.com")]
    )
    assert b"15889999" not in (store.client.dump("weave:reputation:verified") or b"")
    assert store.unverify(bank.id) and not store.unverify(bank.id)
    assert store.verified().of(bank) is None


def user_report(reports, text: str, feedback: str, reporter: str | None) -> None:
    fields = {"reporter": reporter} if reporter is not None else {}
    now = dt.datetime.now(dt.UTC)
    reports.add(text, user_feedback=feedback, timestamp=now, updated_at=now, **fields)


def counter_of(store: ReputationStore) -> CampaignCounter:
    campaigns = CampaignStore(store.client, window_s=3600, rules=CampaignRules(min_senders=5, phishing_share=0.5))
    return CampaignCounter(campaigns, reputation=store)


@pytest.mark.parametrize("streams", [True, False], ids=["change-stream", "updated_at"])
def test_reports_written_to_mongodb_are_evidence_on_what_their_texts_hold(store, reports, streams):
    counter, settings = counter_of(store), Settings(mongodb_uri=reports.uri)
    reports.add(lure(1), days_ago=0.001, status="verified")  # an admin's verdict: the domain and number reported
    reports.add(lure(2, "other-lure.top", "010-1212-3434"), days_ago=0.001, risk_score=0.95)  # a score: no verdict
    user_report(reports, lure(3, "users-lure.top", "010-5656-7878"), "피싱", "app-user-1")  # one user: weak
    assert sweep(settings, counter, change_streams=streams)["labelled"] == 2
    found = store.get([EVIL, CALLBACK, domain_subject("other-lure.top"), domain_subject("users-lure.top")])
    assert [found[s.id].verdict for s in (EVIL, CALLBACK)] == [policy.REPORTED, policy.REPORTED]
    assert found[EVIL.id].source == policy.REPORTS
    assert found["d:other-lure.top"].verdict == "" and found["d:users-lure.top"].users_phishing == 1
    # The report's sender's own number holds the evidence too, though it blocks nothing by itself.
    sender = of_message(lure(1), "010-1234-5678").sender
    assert sender is not None and entry(store, sender).reports_phishing == 1
    # Read again by the next sweep (the overlap of updated_at): counted once.
    sweep(settings, counter, change_streams=streams)
    assert entry(store).reports_phishing == 1


def test_a_look_alike_blast_and_its_reports_never_mark_the_official_domain(store):
    counter = counter_of(store)
    notice = "[CJ대한통운] 배송 출발 안내. 실시간 배송 위치 확인 https://www.cjlogistics.com/tracking?no={n}"
    blast = "[CJ대한통운] 배송 출발 안내. 배송 위치 확인 https://www.cjlogistics.com 또는 http://cjlogistics-{k}.xyz/t?n={n}"
    texts = [blast.format(k=n % 3, n=n) for n in range(12)]
    scores = [Score("sha256:" + "0" * 64, 0.95, (), "v1")] * len(texts)
    counted = counter.count_many(texts, [f"010-4242-{n % 6:04d}" for n in range(12)], scores)
    assert counted[-1].campaign is not None  # a phishing campaign, by its scores
    counter.report_text(blast.format(k=0, n=99), policy.PHISHING)  # an admin's verdict on one of the texts
    official_entry = entry(store, domain_subject("cjlogistics.com"))
    assert official_entry.messages == 12 and official_entry.verdict == ""  # counted, never marked
    assert entry(store, domain_subject("cjlogistics-0.xyz")).verdict == policy.REPORTED
    real = counter.count_many([notice.format(n=1)], ["1588-1255"], [Score("sha256:" + "1" * 64, 0.1, (), "v1")])[0]
    answer = counter.judge({"is_phishing": False, "risk_level": "low", "reasons": []}, real)
    assert answer["is_phishing"] is False and answer["links"][0]["reputation"] == "clean"


def test_a_phishing_campaigns_members_mark_their_domains_in_the_background(store):
    counter = counter_of(store)
    texts = [lure(n, domain=f"throwaway-{n % 4}.top") for n in range(8)]
    flagged = Score("sha256:" + "2" * 64, 0.95, (), "v1")
    for n, text in enumerate(texts):
        counted = counter.count_one(text, f"010-3131-{n:04d}", flagged)
    assert counted.campaign is not None and counted.campaign.senders >= 5
    # A campaign phishing by its scores makes its members' domains suspicious, never reported.
    wait_until(
        lambda: entry(store, domain_subject("throwaway-3.top")).campaigns_scores == 1, 3, "the campaign's evidence"
    )
    assert entry(store, domain_subject("throwaway-3.top")).verdict == policy.SUSPICIOUS
    # An admin's verdict on the campaign reports the domains and numbers of the members seen from then on.
    counter.label(texts[0], "phishing")
    forgotten(counter, texts[5])
    counter.count_one(texts[5], "010-3131-0099", flagged)
    wait_until(lambda: entry(store, domain_subject("throwaway-1.top")).verdict == policy.REPORTED, 3, "the mark")
    assert entry(store, CALLBACK).source == policy.CAMPAIGN
    # An admin's "normal" on the campaign takes its evidence back.
    counter.label(texts[0], "normal")
    forgotten(counter, texts[5])
    counter.count_one(texts[5], "010-3131-0098", flagged)
    wait_until(lambda: entry(store, domain_subject("throwaway-1.top")).verdict == "", 3, "the evidence withdrawn")


def forgotten(counter: CampaignCounter, text: str) -> None:
    """Wait until the process forgot what it kept of a text (a verdict was reported)."""
    wait_until(lambda: counter.recent.get(memory_key(text)) is None, 2, "the memory to be emptied", 0.01)


def test_a_verdict_reaches_what_a_process_remembers_within_a_flush(store):
    counter = counter_of(store)
    plain = Score("sha256:" + "3" * 64, 0.1, (), "v1")
    text = "택배 확인 http://fresh-lure.top/x"  # too short for a campaign: reputation alone
    first = counter.count_one(text, "010-1000-0001", plain)
    assert first.looked["d:fresh-lure.top"].seen_before is False
    answer = counter.judge({"is_phishing": False, "risk_level": "low", "reasons": []}, first)
    assert answer["links"] == [
        {"domain": "fresh-lure.top", "official": False, "seen_before": False, "reputation": "unknown"}
    ]
    again = counter.count_one("다른 문구 http://fresh-lure.top/y", "010-1000-0002", plain)
    assert again.looked["d:fresh-lure.top"].seen_before is True  # from memory
    store.report([domain_subject("fresh-lure.top")], policy.PHISHING, BY_ADMIN)  # as another gateway would
    wait_until(
        lambda: (
            counter.count_one(text, "010-1000-0003", plain).looked["d:fresh-lure.top"].entry.verdict == policy.REPORTED
        ),
        2,
        "the verdict to reach this process",
        0.01,
    )
    counter.recent.flush_now()
    assert entry(store, domain_subject("fresh-lure.top")).messages >= 3  # remembered answers are counted later


def test_a_batch_read_judges_its_senders_by_admins_verdicts_and_the_verified_list(store):
    counter = counter_of(store)
    store.report([number("010-6060-7070")], policy.PHISHING, BY_ADMIN)  # an admin's verdict on the number itself
    store.verify(number("1588-3333"), "KB국민은행", "****-3333")
    high = Score("sha256:" + "4" * 64, 0.97, (), "v1")
    scored: dict[int, tuple[str, str | None, Score]] = {
        0: ("엄마 나 폰 액정 깨져서 이 번호로 문자 줘", "010-6060-7070", high),  # nothing to link to or call
        1: ("[KB국민은행] 고객님 정기예금 만기 안내드립니다. 자세한 내용은 영업점으로 문의 바람", "1588-3333", high),
    }
    counter.count_batch("job-1", scored, 3600)
    results = [{"index": p, "is_phishing": p == 1, "risk_level": "low", "reasons": ["금액 언급"]} for p in scored]
    judged = counter.judge_batch("job-1", results)
    assert judged[0]["is_phishing"] is True and judged[0]["reasons"][0] == policy.NUMBER_REASON
    assert (judged[1]["is_phishing"], judged[1]["reasons"]) == (False, [policy.VERIFIED_REASON])
    # A page of the job is judged the same, from what was kept for its own positions alone.
    assert counter.judge_batch("job-1", results[1:]) == judged[1:]
    assert set(store.of_batch("job-1", [1, 7])) == {1} and set(store.of_batch("job-1")) == {0, 1}
    assert store.of_batch("job-1", []) == {}


def test_a_new_entry_gives_each_key_it_writes_one_expiry_and_touches_no_other_key(tmp_path):
    # A private server: INFO commandstats counts what this test sends and nothing else.
    server = RedisServer(tmp_path)
    client = server.client(0)
    try:
        store = ReputationStore(client, TTL_S, Rules(users_needed=3, reporter_limit=30, min_senders=5))
        before = client.info("commandstats")
        sighted(store, lure(1), "010-1111-0001", scored=True)
        after = client.info("commandstats")
        keys = [key for key in client.keys("weave:reputation:*") if key != b"weave:reputation:judged:suspicious"]
        # Per entry (the link's domain, the number to call): the entry, its senders, its senders scored phishing.
        assert len(keys) == 2 * 3
        assert all(0 < client.ttl(key) <= TTL_S for key in keys)
        expired = int(after["cmdstat_expire"]["calls"]) - int(before.get("cmdstat_expire", {"calls": 0})["calls"])
        assert expired == len(keys)
    finally:
        client.close()
        server.stop()
