"""The official-domain list: names in Korean texts, official domains per organisation, vouched texts."""

from __future__ import annotations

import json
from importlib import resources

from weave_ml.model.links import find, public_suffixes
from weave_ml.model.official import official
from weave_ml.model.text import normalise

NOTICE = (
    "[CJ대한통운] 고객님의 택배가 배송 완료되었습니다. 조회 https://www.cjlogistics.com/ko/tool/parcel/tracking?no=1"
)
LOOKALIKE = "[CJ대한통운] 고객님의 택배가 배송 완료되었습니다. 조회 https://cjlogistics-ko.xyz/tracking?no=1"


def link(text: str):
    (found,) = find(normalise(text))
    return found


def test_every_entry_is_complete_and_every_domain_registrable():
    raw = json.loads(resources.files("weave_ml").joinpath("data", "official_domains.json").read_text("utf-8"))
    assert "review" in raw["about"]
    ids = [entry["id"] for entry in raw["brands"]]
    assert len(ids) == len(set(ids)) >= 80
    for entry in raw["brands"]:
        assert entry["names"] and entry["domains"] and entry["kind"] and entry["source"], entry["id"]
        for domain in entry["domains"]:
            # A registrable domain as the PSL reads it, not a host under one: the list matches on domains.
            assert public_suffixes().privatesuffix(domain) == domain, domain


def test_texts_name_organisations_as_koreans_write_them():
    assert official().named("[CJ대한통운] 배송") == {"cj-logistics"}
    assert official().named("대한통운에서 보낸 택배") == {"cj-logistics"}
    assert {"kb-kookmin-bank", "kb-card"} <= official().named("KB국민카드 결제 승인")
    assert official().named("국민은행 알림") == {"kb-kookmin-bank"}
    assert official().named("KT 고객님 요금 안내") == {"kt"}
    assert official().named("dkt kt2x 안내") == frozenset()  # a Latin name inside a longer word is not it
    assert official().named("안녕 오늘 저녁 뭐 먹어") == frozenset()


def test_a_domain_is_official_for_its_organisations_and_government_suffixes_for_government():
    assert official().brands_of(link("https://www.cjlogistics.com/x")) == {"cj-logistics"}
    assert official().brands_of(link("cjlogistics-ko.xyz")) == frozenset()
    assert "nts" in official().brands_of(link("www.hometax.go.kr"))
    assert "police" in official().brands_of(link("anything.go.kr"))  # every go.kr domain is government's
    assert "cj-logistics" not in official().brands_of(link("anything.go.kr"))
    assert official().brands_of_domain("kbstar.com") == {"kb-kookmin-bank"}


def test_hosts_where_anyone_publishes_and_ips_are_official_for_nobody():
    assert not official().is_official(link("https://open.kakao.com/o/abcd"))
    assert not official().is_official(link("https://m.blog.naver.com/someone/1"))
    assert official().is_official(link("https://accounts.kakao.com/login"))
    assert not official().is_official(link("http://1.2.3.4/cjlogistics.com"))


def test_a_text_is_vouched_for_when_every_link_is_official_for_an_organisation_it_names():
    assert official().vouched(NOTICE)
    assert not official().vouched(LOOKALIKE)
    assert not official().vouched(NOTICE + " 또는 http://cj-ex.top/a")  # one unknown link is enough
    assert not official().vouched("[국민은행] 조회 https://www.cjlogistics.com")  # official, but not the named one's
    assert not official().vouched("[CJ대한통운] 택배가 도착했습니다")  # no link: nothing to vouch for
    assert not official().vouched("[카카오] 오픈채팅 참여 https://open.kakao.com/o/abc")
    assert official().vouched("[국세청] 환급금 조회 https://www.hometax.go.kr")
