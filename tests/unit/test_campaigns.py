"""Campaign signatures and policy: pure logic, no Redis."""

from __future__ import annotations

import random
import threading
import time

import pytest

from devstack.processes import wait_until
from weave_ml.campaigns import policy
from weave_ml.campaigns.gathering import Gatherer
from weave_ml.campaigns.policy import Campaign, Rules
from weave_ml.campaigns.signature import BANDS, mask, readable_template, signature
from weave_ml.training.corpus import normal, phishing
from weave_ml.training.corpus.template import render

LURE = "[CJ대한통운] 김민준님 택배(1234-5678-9012) 주소 불명확으로 배달 실패. 재배송 예약 ▶ http://cj-ex.top/a8X"


def shared_bands(first: str, second: str) -> int:
    a, b = signature(first), signature(second)
    assert a is not None and b is not None
    return sum(x == y for x, y in zip(a[0].bands, b[0].bands, strict=True))


def test_variable_parts_are_masked():
    template = readable_template(mask(LURE))
    assert "김민준" not in template and "1234" not in template and "cj-ex.top" not in template
    assert (
        template == "[cj대한통운] <이름>님 택배(<숫자>-<숫자>-<숫자>) 주소 불명확으로 배달 실패. 재배송 예약 ▶ <링크>"
    )
    assert "<전화번호>" in readable_template(mask("상담 010-1234-5678 로 연락주세요"))
    assert "<금액>" in readable_template(mask("미납 요금 32,000원 납부 바랍니다"))


def test_names_and_street_addresses_are_masked_in_templates():
    template = readable_template(
        mask("김민수입니다 택배가 서울특별시 중구 세종대로 110 으로 갑니다 이서연에게 전해주세요")
    )
    assert template == "<이름>입니다 택배가 <주소> 으로 갑니다 <이름>에게 전해주세요"
    assert readable_template(mask("강남구 역삼동 123-4 배송 예정")) == "<주소> 배송 예정"
    # Ordinary words beside them stay: the template keeps the wording that groups copies of a lure.
    assert readable_template(mask("이번주 택배 조회를 하세요")) == "이번주 택배 조회를 하세요"


def test_a_long_text_is_signed_by_its_first_thousand_characters():
    rng = random.Random(7)
    head = "".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(1000))
    tails = ["".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(9000)) for _ in range(2)]
    first, second = signature(head + tails[0]), signature(head + tails[1])
    assert first is not None and second is not None
    assert first == second == signature(head)  # what follows the bound costs nothing and changes nothing


@pytest.mark.parametrize(
    "text",
    [
        "ㅋㅋ",
        "네",
        "감사합니다",
        "ㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋ",
        "인증번호 [123456]를 입력해주세요",
        "확인했습니다 감사합니다",
        "482913",
        "https://han.gl/abc 010-1234-5678 50,000원",
        "생일 축하해!!",
    ],
)
def test_short_or_generic_texts_never_join_a_campaign(text):
    assert signature(text) is None


def test_copies_of_one_lure_share_bands_whatever_varies():
    variant = "[CJ 대한통운] 이*희님  택배(9999-1111-2222) 주소 불명확으로 배달실패. 재배송예약 ▶ http://han.gl/zz"
    assert shared_bands(LURE, variant) >= 8
    assert shared_bands(LURE, LURE) == BANDS


def test_signatures_are_the_same_in_every_process():
    # Fixed seeds: a change of the permutations would split every live campaign in two at a rolling deploy.
    found = signature(LURE)
    assert found is not None
    assert found[0].campaign_id == "7f1e33ecadcb4612"


def test_different_templates_share_at_most_one_band():
    """Normal families against lure families: a campaign is joined on two shared bands, never reached here."""
    rng = random.Random(7)
    lures = [render(t, rng) for family in phishing.FAMILIES for t in family.templates]
    normals = [render(t, rng) for family in normal.FAMILIES for t in family.templates]
    lure_sigs = [s[0] for s in map(signature, lures) if s is not None]
    normal_sigs = [s[0] for s in map(signature, normals) if s is not None]
    assert len(lure_sigs) > 200 and len(normal_sigs) > 200
    lure_bands = [set(enumerate(s.bands)) for s in lure_sigs]
    worst = max(len(set(enumerate(n.bands)) & bands) for n in normal_sigs for bands in lure_bands)
    assert worst <= 1


def group(**overrides) -> Campaign:
    values = {"id": "c1", "messages": 10, "phishing": 0, "senders": 10, "first_seen": 0.0, "last_seen": 60.0}
    return Campaign(**{**values, **overrides})


PREDICTION = {"is_phishing": False, "risk_level": "low", "reasons": [], "phishing_probability": 0.1}


def test_too_few_senders_is_no_campaign():
    answer = policy.with_campaign(PREDICTION, group(senders=4, phishing=10, phishing_senders=4), Rules())
    assert answer["campaign"] is None and answer["is_phishing"] is False
    assert policy.with_campaign(PREDICTION, None, Rules())["campaign"] is None


def test_a_mostly_phishing_campaign_raises_every_member():
    answer = policy.with_campaign(PREDICTION, group(phishing=6, phishing_senders=6), Rules())
    assert answer["is_phishing"] is True and answer["risk_level"] == "high"
    assert answer["reasons"] == [policy.REASON]
    assert answer["phishing_probability"] == 0.1  # the model's probability stays
    assert answer["campaign"] == {
        "id": "c1",
        "first_seen": "1970-01-01T00:00:00+00:00",
        "messages": 10,
        "senders": 10,
        "phishing_share": 0.6,
        "verdict": None,
        "verdict_source": None,
    }


def test_a_normal_campaign_is_shown_and_changes_nothing():
    answer = policy.with_campaign(PREDICTION, group(phishing=4, phishing_senders=4), Rules())
    assert answer["campaign"]["id"] == "c1"
    assert (answer["is_phishing"], answer["risk_level"], answer["reasons"]) == (False, "low", [])


def test_an_admin_verdict_decides_and_users_can_raise_but_not_clear_what_scores_say():
    rules = Rules()
    assert policy.is_phishing(group(phishing_senders=0, verdict="phishing", source="admin"), rules)
    assert not policy.is_phishing(group(phishing_senders=10, verdict="normal", source="admin"), rules)
    assert policy.is_phishing(group(senders=0, verdict="phishing", source="admin"), rules)
    assert policy.is_phishing(group(phishing_senders=0, verdict="phishing", source="users"), rules)
    # Enough users saying "normal" do not switch off a campaign its scores make phishing: only an admin can.
    assert policy.is_phishing(group(phishing_senders=10, verdict="normal", source="users"), rules)


def test_the_phishing_share_counts_senders_not_messages():
    # One sender of ten repeated a lure-like variant 90 times: 90% of the messages, 10% of the senders.
    repeated = group(messages=100, phishing=90, senders=10, phishing_senders=1)
    assert repeated.share == 0.1 and not policy.is_phishing(repeated, Rules())


def test_a_campaign_of_texts_vouched_for_is_never_raised():
    for vouched in (
        group(phishing_senders=10, vouched=True),
        group(verdict="phishing", source="admin", vouched=True),
        group(verdict="phishing", source="users", vouched=True),
    ):
        answer = policy.with_campaign(PREDICTION, vouched, Rules())
        assert answer["campaign"] is not None and answer["is_phishing"] is False and answer["reasons"] == []


def test_the_template_is_listed_only_for_phishing_campaigns():
    assert policy.listing(group(phishing_senders=1, template="t"), Rules())["template"] is None
    listed = policy.listing(group(phishing_senders=9, template="t"), Rules(phishing_share=0.9))
    assert listed["template"] == "t" and listed["phishing"] is True


def test_concurrent_callers_share_calls_and_each_gets_its_own_result():
    calls: list[int] = []
    gate = threading.Event()

    def call(items):
        calls.append(len(items))
        gate.wait(5)  # the first call stays out until every caller has arrived
        return [item * 10 for item in items]

    gatherer: Gatherer[int, int] = Gatherer(call)
    results: dict[int, int | None] = {}
    threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, gatherer.submit(n))) for n in range(20)]
    for thread in threads:
        thread.start()
    wait_until(lambda: calls, 5, "the first caller's call", interval_s=0.001)
    wait_until(lambda: len(gatherer._pending) == 19, 5, "the other callers to wait behind it", interval_s=0.001)
    gate.set()
    for thread in threads:
        thread.join(5)
    assert results == {n: n * 10 for n in range(20)}
    assert sum(calls) == 20 and len(calls) == 2  # the first caller alone, then everyone who came meanwhile
    assert gatherer.submit(7) == 70  # a lone caller calls at once


def test_a_failed_call_fails_every_caller_of_it():
    def call(items):
        raise ConnectionError("down")

    gatherer: Gatherer[int, int] = Gatherer(call)
    with pytest.raises(ConnectionError):
        gatherer.submit(1)
    with pytest.raises(ConnectionError):  # and leaves no caller stuck behind it
        gatherer.submit(2)


def test_many_callers_over_many_calls_each_get_their_own_result_and_none_is_left_waiting():
    def call(items):
        time.sleep(0.0005)  # a round trip's time, during which the next callers gather
        return [item * 10 for item in items]

    gatherer: Gatherer[int, int] = Gatherer(call)
    results: dict[int, int | None] = {}

    def caller(first: int) -> None:
        for n in range(first, 4000, 8):
            results[n] = gatherer.submit(n)

    threads = [threading.Thread(target=caller, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    assert results == {n: n * 10 for n in range(4000)}
