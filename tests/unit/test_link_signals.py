"""The model's link signals read links as weave_ml.model.links does and judge them against the official domains."""

from __future__ import annotations

import pytest

from weave_ml.model import features, patterns
from weave_ml.model.features import SIGNALS, link_facts, reason_for
from weave_ml.model.text import normalise
from weave_ml.reputation import subjects


def _signals(text: str) -> set[str]:
    normalised = normalise(text)
    return {name for name, test, _ in SIGNALS if test(normalised)}


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        # A bank named, its brand label in a host on a cheap TLD that is not its own.
        (
            "[KB국민은행] 해외 IP 로그인 감지 https://kbstar-safe.mba/login",
            {"link", "risky_link", "lookalike_link", "unofficial_link"},
            {"short_link", "confusable_link"},
        ),
        # An exchange's domain with one letter more; .tax and .host were TLDs the former pattern did not know.
        ("[업비트] 로그인 확인 upbiit.com", {"link", "confusable_link", "unofficial_link"}, {"risky_link"}),
        ("세금 환급 확인 refund-now.tax", {"link", "risky_link"}, set()),
        ("x7k2q.ab3kd9.top 확인", {"link", "risky_link", "random_host"}, set()),
        ("a.b.cj-logis.zone/x 주소 수정", {"link", "risky_link", "lookalike_link", "deep_subdomain"}, set()),
        ("택배 보관중 bit.ly/abc", {"link", "short_link"}, {"risky_link", "unofficial_link"}),
        # A genuine notice on its own domain: a link, nothing more.
        (
            "[현대카드] 11월 명세서 https://www.hyundaicard.com",
            {"link"},
            {"risky_link", "lookalike_link", "unofficial_link", "confusable_link", "random_host", "deep_subdomain"},
        ),
        ("[국세청] 홈택스(www.hometax.go.kr)에 로그인 후 확인", {"link"}, {"lookalike_link", "unofficial_link"}),
        ("내일 점심 같이 먹자", set(), {"link"}),
    ],
)
def test_link_signals(text: str, expected: set[str], absent: set[str]) -> None:
    found = _signals(text)
    assert expected <= found, found
    assert not absent & found, found


def test_reasons_name_the_host_they_found() -> None:
    text = normalise("[KB국민은행] 보안 인증 https://kbstar-safe.mba/login")
    assert reason_for("signal:unofficial_link", text) == "공식 도메인이 아닌 링크: kbstar-safe.mba"
    assert reason_for("signal:short_link", normalise("확인 han.gl/x1")) == "단축 URL 포함: han.gl"
    assert reason_for("signal:unofficial_link") == "공식 도메인이 아닌 링크"  # no text: the plain reason
    assert reason_for("signal:phone_number", text) == "전화번호 포함"
    long_host = "a" * 20 + "-kbstar-" + "b" * 20 + ".top"  # 52 characters, shown up to 40
    assert reason_for("signal:lookalike_link", long_host).endswith("…")


def test_shorteners_and_cheap_tlds_are_kept_in_one_place() -> None:
    assert not hasattr(features, "_SHORTENERS") and not hasattr(features, "_URL")
    assert set(patterns.SHORTENERS) <= subjects.SHARED_DOMAINS
    assert {"tax", "mba", "host", "zone", "market"} <= patterns.CHEAP_TLDS


def test_links_of_a_text_are_read_once() -> None:
    features.link_facts.cache_clear()
    text = normalise("[KB국민은행] https://kbstar-safe.mba")
    for _, test, _ in SIGNALS:
        test(text)
    assert link_facts.cache_info().misses == 1
