"""Campaigns end to end: a lure blast replayed among ordinary traffic through two gateways and two workers.

1,000 variants of one lure template from 300 senders are interleaved with 10,000 normal messages of the seed
corpus's normal families, 600 of which are group-chat lines forwarded verbatim by 20 senders each. The first
part goes through POST /predict, alternating between two gateway processes, in order; the rest as batch jobs
scored by two workers.
"""

from __future__ import annotations

import collections
import random
import time
from functools import partial

import pytest
import redis

from devstack.processes import wait_until
from tests.integration.conftest import ADMIN_KEY, batch_status
from weave_ml.campaigns import examples
from weave_ml.campaigns.policy import REASON
from weave_ml.campaigns.store import CampaignStore
from weave_ml.settings import Settings
from weave_ml.training import corpus
from weave_ml.training.corpus import phishing, variation
from weave_ml.training.corpus.template import choose_channel, render
from weave_ml.training.corpus.vocabulary import mobile_number

pytestmark = pytest.mark.integration

LURE_TEMPLATE = next(t for t in phishing.PARCEL.templates if "주소 불명확으로 배달 실패" in t)
LURES, LURE_SENDERS, NORMALS = 1000, 300, 10_000
CHATTER_LINES, CHATTER_SENDERS = 30, 20
# /predict carries the stream, in order, until this many lures went through it; batches carry the rest.
LURES_BY_PREDICT = 60
DETECTED_WITHIN = 50
ADMIN = {"X-API-Key": ADMIN_KEY}


def lure_variants(rng: random.Random) -> list[tuple[str, str | None]]:
    senders = [mobile_number(rng) for _ in range(LURE_SENDERS)]
    variants: list[tuple[str, str | None]] = []
    for _ in range(LURES):
        text = render(LURE_TEMPLATE, rng)
        if rng.random() < variation.EVASION_SHARE:
            text = variation.evade(text, rng)
        variants.append((variation.add_noise(text, rng, choose_channel(phishing.PARCEL, rng)), rng.choice(senders)))
    return variants


def normal_traffic(rng: random.Random) -> tuple[list[tuple[str, str | None]], list[str]]:
    generated = [m for m in corpus.generate(seed=5, size=20_000) if m.label == 0]
    chat = [m.message for m in generated if "chat" in m.source and len(m.message) >= 25][:CHATTER_LINES]
    forwarded = [(line, mobile_number(rng)) for line in chat for _ in range(CHATTER_SENDERS)]
    rest = [(m.message, m.sender) for m in generated if m.message not in chat]
    traffic = rest[: NORMALS - len(forwarded)] + forwarded
    rng.shuffle(traffic)
    return traffic, chat


@pytest.fixture(scope="module")
def replay(redis_server, seed_model, tmp_path_factory):
    from tests.integration.conftest import Stack

    stack = Stack(redis_server, tmp_path_factory.mktemp("campaigns"), seed_model)
    workers = [stack.worker(), stack.worker()]
    for worker in workers:
        worker.wait_ready()
    gateways = [stack.gateway(), stack.gateway()]
    rng = random.Random(16)
    normals, chat = normal_traffic(rng)
    stream = [(text, sender, True) for text, sender in lure_variants(rng)] + [(t, s, False) for t, s in normals]
    rng.shuffle(stream)
    yield stack, gateways, workers, stream, chat
    stack.stop()


def campaign_raised(answer: dict) -> bool:
    return answer["campaign"] is not None and REASON in answer["reasons"]


def test_a_lure_blast_is_a_campaign_soon_and_ordinary_traffic_never_a_phishing_one(replay):
    _, gateways, workers, stream, _ = replay
    seen_lures, detected_at = 0, None
    lure_ids: collections.Counter[tuple[str, int]] = collections.Counter()
    started = time.monotonic()
    by_predict = 0
    while seen_lures < LURES_BY_PREDICT:
        text, sender, is_lure = stream[by_predict]
        gateway = gateways[by_predict % 2]
        by_predict += 1
        answer = gateway.post("/predict", {"message": text, "sender": sender}).json()
        if not is_lure:
            assert not campaign_raised(answer), (text, answer)
            continue
        seen_lures += 1
        if answer["campaign"] is not None and answer["is_phishing"] and detected_at is None:
            detected_at = seen_lures
        if answer["campaign"] is not None:
            lure_ids[answer["campaign"]["id"], by_predict % 2] += 1
    assert detected_at is not None and detected_at <= DETECTED_WITHIN, detected_at
    (lure_id, _), _ = lure_ids.most_common(1)[0]
    # Both gateway processes answered with the same campaign.
    assert lure_ids[lure_id, 0] > 0 and lure_ids[lure_id, 1] > 0, lure_ids

    predict_s = time.monotonic() - started
    rest = stream[by_predict:]
    half = len(rest) // 2
    jobs = []
    for gateway, part in zip(gateways, (rest[:half], rest[half:]), strict=True):
        body = {"messages": [{"message": text, "sender": sender} for text, sender, _ in part]}
        created = gateway.post("/predict/batch", body)
        assert created.status_code == 202, created.text
        jobs.append((gateway, created.json()["batch_id"], part))

    def done(gateway, batch_id) -> dict | None:
        status = batch_status(gateway.get(f"/predict/batch/{batch_id}"))
        return status if status["status"] == "done" else None

    lures_by_batch, lures_in_campaign, normal_raised, normal_in_campaign = 0, 0, [], 0
    for gateway, batch_id, part in jobs:
        status = wait_until(partial(done, gateway, batch_id), 120, "the batch to finish", interval_s=1.0)
        assert status is not None and status["failed"] == 0
        for (text, _, is_lure), result in zip(part, status["results"], strict=True):
            if is_lure:
                lures_by_batch += 1
                if result["campaign"] is not None and result["campaign"]["id"] == lure_id:
                    lures_in_campaign += 1
                    assert result["is_phishing"] and result["reasons"][0] == REASON
            else:
                if campaign_raised(result):
                    normal_raised.append((text, result["phishing_probability"], result["campaign"]))
                normal_in_campaign += result["campaign"] is not None
    assert lures_by_batch == LURES - LURES_BY_PREDICT
    # MinHash LSH misses a few heavily disguised copies (each evasion trick changes some shingles).
    assert lures_in_campaign >= 0.97 * lures_by_batch, lures_in_campaign
    assert normal_raised == []  # no normal message raised by a campaign
    # Both workers scored chunks: the same campaign id came out of each.
    for worker in workers:
        assert "score_batch_chunk" in worker.log()

    batch_s = time.monotonic() - started - predict_s
    listed = gateways[0].get("/admin/campaigns", headers=ADMIN)
    assert listed.status_code == 200, listed.text
    campaigns = listed.json()["campaigns"]
    phishing_campaigns = [c for c in campaigns if c["phishing"]]
    assert [c["id"] for c in phishing_campaigns] == [lure_id]
    (lure,) = phishing_campaigns
    assert lure["messages"] >= 0.97 * LURES and 270 <= lure["senders"] <= 330  # a HyperLogLog: within 10%
    assert "<링크>" in lure["template"] and "http" not in lure["template"]
    assert all(c["template"] is None for c in campaigns if not c["phishing"])
    # The forwarded chat lines are campaigns of their own (many senders), none of them phishing.
    assert sum(c["senders"] >= CHATTER_SENDERS - 2 for c in campaigns if not c["phishing"]) >= CHATTER_LINES // 2
    metrics = gateways[1].get("/metrics").text
    assert 'weave_campaigns_active{phishing="true"} 1.0' in metrics
    assert f'weave_campaign_senders{{campaign="{lure_id}",phishing="true"}}' in metrics
    new = next(line for line in metrics.splitlines() if line.startswith("weave_campaigns_new_total"))
    assert float(new.split()[-1]) >= len(campaigns)  # the listing stops at its limit
    print(
        f"\ndetected at lure {detected_at}; lures in the campaign {lure['messages']}/{LURES}; "
        f"normal messages raised {len(normal_raised)}/{NORMALS}; "
        f"in a (normal) campaign {normal_in_campaign}; /predict part {predict_s:.1f} s, batches {batch_s:.1f} s; "
        f"campaigns {len(campaigns)}, phishing {len(phishing_campaigns)}"
    )


def test_a_report_on_one_member_changes_the_answers_of_the_others(replay):
    _, gateways, _, _, chat = replay
    # A forwarded line the model does not flag stands for a new lure it misses: a campaign, not phishing.
    line = next(
        text
        for text in chat
        if (a := gateways[0].post("/predict", {"message": text}).json())["campaign"] and not a["is_phishing"]
    )
    before = gateways[1].post("/predict", {"message": line, "sender": "010-5555-0001"}).json()
    assert before["campaign"] is not None and not before["is_phishing"] and REASON not in before["reasons"]

    reported = gateways[0].post("/admin/campaigns/report", {"message": line, "verdict": "phishing"}, headers=ADMIN)
    assert reported.status_code == 200, reported.text
    assert reported.json()["campaign"]["id"] == before["campaign"]["id"]

    # That gateway answered this very text a moment ago: its repeats show the campaign as the last count returned
    # it, refreshed by the background count within a fraction of a second (campaigns.recent).
    after = wait_until(
        lambda: (
            (a := gateways[1].post("/predict", {"message": line, "sender": "010-5555-0002"}).json())["is_phishing"]
            and a
        ),
        3,
        "the report to reach the answers of the other gateway",
        0.1,
    )
    assert after["is_phishing"] is True and after["risk_level"] == "high" and after["reasons"][0] == REASON
    assert after["campaign"]["verdict"] == "phishing"
    assert after["phishing_probability"] == before["phishing_probability"]  # the model's score stays

    cleared = gateways[0].post("/admin/campaigns/report", {"message": line, "verdict": "normal"}, headers=ADMIN)
    assert cleared.status_code == 200
    wait_until(
        lambda: gateways[0].post("/predict", {"message": line}).json()["is_phishing"] is False, 3, "the verdict cleared"
    )

    short = gateways[0].post("/admin/campaigns/report", {"message": "네", "verdict": "phishing"}, headers=ADMIN)
    assert short.status_code == 200 and short.json() == {"campaign": None}
    assert (
        gateways[0].post("/admin/campaigns/report", {"message": line, "verdict": "x"}, headers=ADMIN).status_code == 400
    )
    assert gateways[0].get("/admin/campaigns").status_code == 401


def test_the_late_answer_of_a_timed_out_request_carries_the_campaign_of_its_text(make_stack):
    stack = make_stack()
    worker = stack.worker()
    worker.wait_ready()
    gateway = stack.gateway()
    rng = random.Random(7)
    variants = [text for text, _ in lure_variants(rng)[:8]]
    for n, text in enumerate(variants[:6]):
        formed = gateway.post("/predict", {"message": text, "sender": f"010-2222-{3000 + n}"}).json()["campaign"]
    assert formed is not None and formed["senders"] == 6

    worker.stop()  # no worker: the next request times out, and only its hash and signature are kept
    timed_out = gateway.post("/predict", {"message": variants[6], "sender": "010-2222-4000"})
    assert timed_out.status_code == 504
    stack.worker().wait_ready()
    # Its task expired unscored; the same text answered for another request gives the timed-out one its answer.
    again = gateway.post("/predict", {"message": variants[6], "sender": "010-2222-4001"}).json()
    late = gateway.get(timed_out.json()["status_url"])
    assert late.status_code == 200, late.text
    campaign = late.json()["campaign"]
    assert campaign is not None and campaign["id"] == formed["id"]
    assert campaign["messages"] == again["campaign"]["messages"] == 7  # reading the late answer counted nothing
    assert late.json()["is_phishing"] == again["is_phishing"] and late.json()["reasons"] == again["reasons"]


def test_operators_see_the_templates_kept_for_the_retrain_and_can_refuse_one(make_stack):
    stack = make_stack()
    stack.worker().wait_ready()
    gateway = stack.gateway()
    rng = random.Random(9)
    for n in range(6):
        answer = gateway.post("/predict", {"message": render(LURE_TEMPLATE, rng), "sender": f"010-3131-{n}"}).json()
    campaign_id = answer["campaign"]["id"]
    settings = Settings(redis_url=stack.env["REDIS_URL"], cache_redis_url=stack.env["CACHE_REDIS_URL"])
    with redis.Redis.from_url(settings.state_url) as client:
        store = CampaignStore.from_settings(client, settings)
        assert examples.collect(store, keep_s=3600)["kept"] == 1  # as the trainer does every 10 minutes

        listed = gateway.get("/admin/campaigns/examples", headers=ADMIN)
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert (body["weight"], body["used_at_most"]) == (0.3, 200)
        (example,) = body["examples"]
        assert example["id"] == campaign_id and "<링크>" in example["template"] and "http" not in example["template"]

        assert gateway.delete(f"/admin/campaigns/examples/{campaign_id}", headers=ADMIN).json() == {
            "id": campaign_id,
            "refused": True,
        }
        assert gateway.get("/admin/campaigns/examples", headers=ADMIN).json()["examples"] == []
        # The campaign is still active and phishing: the next collection does not keep it again.
        assert examples.collect(store, keep_s=3600)["kept"] == 0
        assert examples.training_examples(client, since=0, limit=10, weight=0.3) == []
    gone = gateway.delete(f"/admin/campaigns/examples/{campaign_id}", headers=ADMIN)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    assert gateway.get("/admin/campaigns/examples").status_code == 401


NOTICE = "[CJ대한통운] 배송 출발 안내. 실시간 배송 위치 확인 https://www.cjlogistics.com/ko/tool/parcel/tracking?gnbInvcNo={n}"
LOOKALIKE = "[CJ대한통운] 배송 출발 안내. 실시간 배송 위치 확인 https://cjlogistics-{k}.xyz/tracking?no={n}"


@pytest.fixture(scope="module")
def small_stack(redis_server, seed_model, tmp_path_factory):
    from tests.integration.conftest import Stack

    stack = Stack(redis_server, tmp_path_factory.mktemp("trust"), seed_model)
    stack.worker().wait_ready()
    yield stack, stack.gateway()
    stack.stop()


def test_a_look_alike_blast_does_not_turn_the_couriers_real_notice_into_phishing(small_stack):
    stack, gateway = small_stack
    real = gateway.post("/predict", {"message": NOTICE.format(n=600112345671), "sender": "1588-1255"}).json()
    assert real["is_phishing"] is False, real
    # Nine copies of the same wording linking to look-alike domains, from five made-up senders.
    lures = [
        gateway.post(
            "/predict", {"message": LOOKALIKE.format(n=600112340000 + i, k=i % 3), "sender": f"010-4242-{i % 5:04d}"}
        ).json()
        for i in range(9)
    ]
    assert lures[-1]["campaign"] is not None and campaign_raised(lures[-1])  # a phishing campaign, rightly
    lure_id = lures[-1]["campaign"]["id"]
    # The real notice, sent to many users: never answered as a campaign's phishing, never in the lure's campaign.
    for i in range(6):
        answer = gateway.post("/predict", {"message": NOTICE.format(n=600112345700 + i), "sender": "1588-1255"}).json()
        assert answer["is_phishing"] is False and REASON not in answer["reasons"], answer
        assert answer["campaign"] is None or answer["campaign"]["id"] != lure_id
    # Nor is its template kept as a phishing example for the next retrain, even once reported phishing.
    reported = gateway.post(
        "/admin/campaigns/report", {"message": NOTICE.format(n=1), "verdict": "phishing"}, headers=ADMIN
    ).json()
    assert reported["campaign"]["id"] != lure_id
    after = gateway.post("/predict", {"message": NOTICE.format(n=600112345799), "sender": "010-1111-2222"}).json()
    assert after["is_phishing"] is False and REASON not in after["reasons"], after
    settings = Settings(redis_url=stack.env["REDIS_URL"])
    with redis.Redis.from_url(settings.redis_url) as client:
        examples.collect(CampaignStore.from_settings(client, settings), keep_s=3600)
    kept = gateway.get("/admin/campaigns/examples", headers=ADMIN).json()["examples"]
    assert all("cjlogistics.com" not in example["template"] for example in kept), kept
    assert reported["campaign"]["id"] not in {example["id"] for example in kept}


def test_a_users_report_through_the_gateway_counts_once_and_every_verdict_change_is_readable(small_stack):
    _, gateway = small_stack
    notice = (
        "[국민은행] {n}번 고객님 정기예금 만기 안내드립니다. 자세한 사항은 가까운 영업점에 문의 바랍니다 감사합니다"
    )
    for i in range(6):
        formed = gateway.post("/predict", {"message": notice.format(n=i), "sender": f"1588-999{i}"}).json()
    assert formed["campaign"] is not None and formed["is_phishing"] is False
    user = {"message": notice.format(n=99), "verdict": "phishing", "source": "user", "reporter": "app-user-1"}
    once = gateway.post("/admin/campaigns/report", user, headers=ADMIN).json()["campaign"]
    assert once["verdict"] is None  # one user is weak evidence
    assert gateway.post("/predict", {"message": notice.format(n=7)}).json()["is_phishing"] is False
    for reporter in ("app-user-2", "app-user-3"):
        gateway.post("/admin/campaigns/report", {**user, "reporter": reporter}, headers=ADMIN)
    raised = wait_until(
        lambda: (a := gateway.post("/predict", {"message": notice.format(n=8)}).json())["is_phishing"] and a,
        3,
        "users' verdict to reach the answers",
        0.1,
    )
    assert raised["campaign"]["verdict"] == "phishing" and raised["campaign"]["verdict_source"] == "users"
    admin = gateway.post("/admin/campaigns/report", {"message": notice.format(n=9), "verdict": "normal"}, headers=ADMIN)
    assert admin.json()["campaign"]["verdict_source"] == "admin"
    changes = gateway.get("/admin/campaigns/verdicts", headers=ADMIN)
    assert changes.status_code == 200, changes.text
    mine = [c for c in changes.json()["changes"] if c["campaign"] == formed["campaign"]["id"]]
    assert [(c["source"], c["verdict"], c["reporters"]["phishing"]) for c in mine] == [
        ("admin", "normal", 3),
        ("users", "phishing", 3),
    ]
    assert gateway.get("/admin/campaigns/verdicts").status_code == 401
