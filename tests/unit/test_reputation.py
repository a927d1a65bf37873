"""Reputation's pure parts: what a message holds (subjects) and what a verdict does to an answer (policy). No Redis."""

from __future__ import annotations

import random

import pytest

from weave_ml.model.links import find
from weave_ml.model.official import official
from weave_ml.model.text import normalise
from weave_ml.reputation import policy
from weave_ml.reputation.policy import Entry, Looked, judge
from weave_ml.reputation.subjects import (
    CALLBACK,
    LINK,
    SENDER,
    Verified,
    decode,
    domain_subject,
    number_subject,
    of_message,
    sender_subject,
)
from weave_ml.training.corpus import normal, vocabulary
from weave_ml.training.corpus.template import render

LURE = "[CJ대한통운] 주소 불명확 재배송 예약 http://cj-ex.top/a8X 및 www.cjlogistics.com 문의 010-4321-8765 카톡 ab_12"


def prediction(probability: float = 0.1, reasons: tuple[str, ...] = ()) -> dict:
    flagged = probability >= 0.5
    return {
        "is_phishing": flagged,
        "phishing_probability": probability,
        "risk_level": "high" if flagged else "low",
        "reasons": list(reasons),
    }


def reported(source: str = policy.REPORTS, admin: str = "") -> Entry:
    return Entry(verdict=policy.REPORTED, source=source, messages=3, admin=admin)


def test_a_message_holds_its_links_domains_its_call_backs_and_its_senders_number():
    held = of_message(LURE, "+82 10-9999-0000")
    assert [(s.role, s.domain, s.official, s.protected) for s in held.links] == [
        (LINK, "cj-ex.top", False, False),
        (LINK, "cjlogistics.com", True, True),  # lures link the real site beside their own
    ]
    assert [s.role for s in held.callbacks] == [CALLBACK, CALLBACK]
    assert held.sender is not None and held.sender.role == SENDER
    assert held.sender == sender_subject("010-9999-0000")  # every way of writing a number is one entry
    # Numbers only as keyed hashes: nothing of their digits in any id.
    for subject in (*held.callbacks, held.sender):
        assert subject.id.startswith("n:") and "8765" not in subject.id and "0000" not in subject.id
    assert decode(held.encode()) == held


@pytest.mark.parametrize(
    "text",
    [
        "블로그 후기 확인 https://blog.naver.com/someone/223",  # anyone publishes on an organisation's domain
        "단축 주소 https://bit.ly/3abcDe 확인",
        "오픈채팅 https://open.kakao.com/o/sAbc123",
        "텔레그램 https://t.me/scam_boss",
    ],
)
def test_a_host_where_anyone_publishes_is_protected(text):
    (link,) = of_message(text, None).links
    assert link.protected and not link.official


def test_an_organisations_number_is_protected_and_a_mobile_is_not():
    assert number_subject("1588-9999").protected  # type: ignore[union-attr]
    assert sender_subject("#1004").protected  # type: ignore[union-attr]
    assert not number_subject("010-1234-5678").protected  # type: ignore[union-attr]
    assert number_subject("kakao:abc123") is not None and number_subject("홍길동") is None


def test_a_reported_link_raises_the_answer_first_among_the_reasons_and_leaves_the_probability():
    held = of_message(LURE, None)
    looked = {held.links[0].id: Looked(reported(), seen_before=True)}
    answer, outcome = judge(prediction(0.2, ("금액 언급",)), held, looked, Verified())
    assert answer["is_phishing"] is True and answer["risk_level"] == "high"
    assert answer["reasons"] == [policy.LINK_REASON, "금액 언급"] and answer["phishing_probability"] == 0.2
    assert answer["links"] == [
        {"domain": "cj-ex.top", "official": False, "seen_before": True, "reputation": "reported"},
        {"domain": "cjlogistics.com", "official": True, "seen_before": False, "reputation": "clean"},
    ]
    assert outcome.raised_by == policy.REPORTS


def test_a_reported_call_back_number_raises_the_answer():
    held = of_message(LURE, None)
    answer, _ = judge(prediction(), held, {held.callbacks[0].id: Looked(reported(policy.USERS))}, Verified())
    assert answer["is_phishing"] and answer["reasons"] == [policy.NUMBER_REASON]


def test_a_senders_own_number_raises_only_by_an_admins_verdict_on_it():
    held = of_message("안녕하세요 내일 회의는 3시입니다 참고 부탁드려요", "010-5555-6666")
    assert held.sender is not None
    by_reports = {held.sender.id: Looked(reported(policy.REPORTS))}
    assert judge(prediction(), held, by_reports, Verified())[0]["is_phishing"] is False  # may be spoofed
    by_admin = {held.sender.id: Looked(reported(policy.ADMIN, admin=policy.PHISHING))}
    assert judge(prediction(), held, by_admin, Verified())[0]["reasons"] == [policy.NUMBER_REASON]


def test_suspicious_and_unknown_change_nothing_and_an_unseen_link_says_so():
    held = of_message(LURE, None)
    suspicious = {held.links[0].id: Looked(Entry(verdict=policy.SUSPICIOUS, source=policy.SCORES, messages=9))}
    answer, _ = judge(prediction(0.3), held, suspicious, Verified())
    assert answer["is_phishing"] is False and answer["links"][0]["reputation"] == "suspicious"
    fresh, _ = judge(prediction(0.3), held, {}, Verified())
    unseen = {"domain": "cj-ex.top", "official": False, "seen_before": False, "reputation": "unknown"}
    assert fresh["links"][0] == unseen


def test_an_official_or_protected_subject_is_never_blocked_but_by_an_admins_verdict_on_it():
    official_link = domain_subject("kbstar.com")
    # What evidence from texts made of it does not count (the store never gives it a verdict, and nor does this).
    assert policy.reputation_of(official_link, reported(policy.CAMPAIGN), Verified()) == policy.CLEAN
    shared = domain_subject("bit.ly")
    assert policy.reputation_of(shared, reported(policy.USERS), Verified()) == policy.UNKNOWN
    assert policy.blocks(official_link, reported(policy.ADMIN, admin=policy.PHISHING), Verified())


def _corpus_notices() -> list[tuple[str, str]]:
    """Notices of the seed corpus that link to their organisation's official site, with the organisation's name."""
    rng = random.Random(3)
    organisations = {site.removeprefix("www."): name for name, site in (*vocabulary.BANKS, *vocabulary.CARDS,
                                                                       *vocabulary.COURIERS)}  # fmt: skip
    templates = [
        template
        for family in (normal.BANK_NOTICE, normal.CARD_STATEMENT, normal.DELIVERY)
        for template in family.templates
        if "{url_real_" in template and "{rep_number}" not in template and "{mobile}" not in template
    ]
    notices = []
    for template in templates:
        for _ in range(6):
            text = render(template, rng)
            (link,) = find(normalise(text))
            if official().is_official(link):
                notices.append((text, organisations[link.host.removeprefix("www.")]))
    return notices


NOTICES = _corpus_notices()


def _verified(organisation: str) -> tuple[str, Verified]:
    number = f"1588-{sum(map(ord, organisation)) % 10_000:04d}"
    subject = sender_subject(number)
    assert subject is not None
    return number, Verified({subject.id: organisation})


def test_the_corpus_has_notices_with_official_links_of_several_organisations():
    assert len(NOTICES) >= 20 and len({organisation for _, organisation in NOTICES}) >= 5


@pytest.mark.parametrize(("text", "organisation"), NOTICES[:40])
def test_a_verified_senders_notice_with_official_links_stays_low_even_when_the_model_scores_it_high(text, organisation):
    number, verified = _verified(organisation)
    held = of_message(text, number)
    answer, outcome = judge(prediction(0.97, ("단축 URL 포함",)), held, {}, verified)
    assert (answer["is_phishing"], answer["risk_level"]) == (False, "low") and outcome.capped
    assert answer["reasons"] == [policy.VERIFIED_REASON] and answer["phishing_probability"] == 0.97
    # The same notice from a number nobody verified stays what the model says.
    assert judge(prediction(0.97), of_message(text, "010-1234-5678"), {}, verified)[0]["is_phishing"] is True


def test_a_verified_sender_number_does_not_vouch_for_a_look_alike_link_or_another_number():
    text, organisation = NOTICES[0]
    number, verified = _verified(organisation)
    (link,) = find(normalise(text))
    lookalike = normalise(text).replace(link.host, "kbstar-safe.top")
    assert judge(prediction(0.97), of_message(lookalike, number), {}, verified)[0]["is_phishing"] is True
    calls = text + " 문의 010-4321-8765"
    assert judge(prediction(0.97), of_message(calls, number), {}, verified)[0]["is_phishing"] is True
    # A number verified for the same organisation may be written in its notice.
    other = number_subject("010-4321-8765")
    assert other is not None
    both = Verified({**verified.organisations, other.id: organisation})
    assert judge(prediction(0.97), of_message(calls, number), {}, both)[0]["is_phishing"] is False


def test_an_admins_verdict_says_otherwise_for_a_verified_sender():
    text, organisation = NOTICES[0]
    number, verified = _verified(organisation)
    held = of_message(text, number)
    # An admin reported the official link itself: the answer is raised, not capped.
    admin = {held.links[0].id: Looked(reported(policy.ADMIN, admin=policy.PHISHING))}
    answer, outcome = judge(prediction(0.97), held, admin, verified)
    assert answer["is_phishing"] and answer["reasons"][0] == policy.LINK_REASON and not outcome.capped
    # An admin's verdict raised its campaign: not capped either.
    assert judge(prediction(0.97), held, {}, verified, admin_says_phishing=True)[0]["is_phishing"] is True


def test_an_operators_verified_domain_counts_as_official_for_its_organisation():
    text = "[경동택배] 배송 출발 안내. 실시간 배송 위치 확인 https://kdexp-tracking.example.kr/no/123"
    held = of_message(text, "1588-5678")
    assert held.sender is not None and not held.links[0].official
    verified = Verified({held.sender.id: "경동택배"})
    assert judge(prediction(0.97), held, {}, verified)[0]["is_phishing"] is True
    verified = Verified({held.sender.id: "경동택배", held.links[0].id: "경동택배"})
    answer, _ = judge(prediction(0.97), held, {}, verified)
    assert answer["is_phishing"] is False and answer["links"][0]["official"] is True


def test_protection_by_the_verified_list_reaches_every_subject_it_names():
    held = of_message(LURE, "010-9999-0000")
    assert held.sender is not None
    guarded = held.protected_by(Verified({held.sender.id: "x", held.links[0].id: "x"}))
    assert guarded.sender is not None and guarded.sender.protected and guarded.links[0].protected
    assert guarded.callbacks == held.callbacks
