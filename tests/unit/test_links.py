"""Links read as a browser reads them: any public suffix, IDN and punycode, IPs, ports, user@host tricks, paths."""

from __future__ import annotations

import time

import pytest

from weave_ml.model import links
from weave_ml.model.links import find, registrable_domain
from weave_ml.model.text import normalise


def only(text: str) -> links.Link:
    (link,) = find(normalise(text))
    return link


def test_a_url_gives_its_host_registrable_domain_and_path():
    link = only("[CJ대한통운] 배송조회 https://www.CJlogistics.com/ko/tool/parcel/tracking?no=1234 확인")
    assert (link.scheme, link.host, link.domain, link.is_ip) == (
        "https",
        "www.cjlogistics.com",
        "cjlogistics.com",
        False,
    )
    assert link.path == "/ko/tool/parcel/tracking?no=1234" and link.port is None and not link.userinfo


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("세금 환급 abc.tax 에서", "abc.tax"),
        ("x.mba", "x.mba"),
        ("로그인 secure.y.host/login", "y.host"),
        ("z.zone", "z.zone"),
        ("중고거래 w.market/p/1", "w.market"),
        ("hometax.go.kr", "hometax.go.kr"),
        ("a.b.nhis.or.kr", "nhis.or.kr"),
        ("shop.example.co.kr", "example.co.kr"),
        ("foo.blogspot.com", "foo.blogspot.com"),  # a private suffix: each blog is someone else's
    ],
)
def test_a_bare_host_under_any_public_suffix_is_a_link(text, domain):
    assert only(text).domain == domain


@pytest.mark.parametrize(
    "text",
    [
        "오후3.30분",
        "1.5배 빨라요",
        "ok.ㅋㅋ",
        "v1.2.3",
        "file.txt 보내줘",
        "node.js 공부",
        "a.zzzz",
        "co.kr",
        "끝. 다음",
    ],
)
def test_what_only_looks_like_a_host_is_no_link(text):
    assert find(normalise(text)) == []


def test_hosts_glued_to_korean_words_start_and_end_with_their_latin_letters():
    link = only("재배송예약cj-ex.top/a8X에서 확인")
    assert link.host == "cj-ex.top" and link.path == "/a8x에서"
    assert only("http://cj-ex.top에서 확인").host == "cj-ex.top"
    assert only("주소:cj-ex.xyz 바로가기").host == "cj-ex.xyz"
    assert only("접속 naver.com.확인하세요").host == "naver.com"


def test_internationalised_hosts_come_out_in_punycode():
    link = only("택배.한국 에서 조회")
    assert link.host == "xn--2h3b319a.xn--3e0b707e" and link.unicode_host == "택배.한국"
    assert only("xn--2h3b319a.xn--3e0b707e/q").domain == link.domain
    assert registrable_domain("WWW.택배.한국") == link.domain


def test_what_stands_before_an_at_is_not_where_the_link_goes():
    trick = only("http://www.kbstar.com@evil.top/login")
    assert (trick.host, trick.userinfo, trick.path) == ("evil.top", True, "/login")
    assert only("http://www.kbstar.com:443@evil.top").host == "evil.top"
    bare = only("kbstar.com@evil.top/x")
    assert (bare.host, bare.userinfo) == ("evil.top", True)
    assert only("문의 help@cjlogistics.com").domain == "cjlogistics.com"


def test_ip_hosts_in_every_form_a_browser_reads():
    assert (only("접속 1.2.3.4:8080/a 끝").host, only("1.2.3.4:8080/a").port) == ("1.2.3.4", 8080)
    assert only("http://0x7f.1/x").host == "127.0.0.1"
    assert only("http://2130706433").host == "127.0.0.1"
    assert only("http://0300.0250.1.1").host == "192.168.1.1"
    link = only("https://[::1]:80/x")
    assert (link.host, link.is_ip, link.port) == ("::1", True, 80)
    assert find("999.1.1.1") == []


def test_scheme_forms_and_dots_a_browser_accepts():
    assert only("http://localhost:8000/predict").host == "localhost"
    assert only("https:\\\\evil.top\\x").host == "evil.top"
    assert only("ｈｔｔｐ：／／ＡＢＣ．ＣＯＭ／Ｘ").host == "abc.com"  # full width, normalised
    assert only("cj-ex\u3002top/x").host == "cj-ex.top"  # the ideographic full stop is a dot to IDNA


def test_spans_leave_out_the_sentence_around_a_link():
    text = normalise("예약▶(http://cj-ex.top/a8X). 감사합니다 그리고 naver.com/x, 끝")
    assert [text[link.start : link.end] for link in find(text)] == ["http://cj-ex.top/a8x", "naver.com/x"]


@pytest.mark.parametrize(
    "unit", [".", "a.", "a", "a-", "1.", "가.", "가a", "a@", "xn--", "0x", "a.com/", "\u3002a", "가.com "]
)
def test_hostile_texts_of_ten_thousand_characters_take_little_time(unit):
    text = (unit * (10_000 // len(unit) + 1))[:10_000]
    find(text)  # the list loads once
    started = time.thread_time()
    find(text)
    assert time.thread_time() - started < 0.25
