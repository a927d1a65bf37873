"""Hand-made signals of a message (links, numbers, money, sender kind) as a scikit-learn transformer."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from weave_ml.model import links
from weave_ml.model.official import official
from weave_ml.model.patterns import CHEAP_TLDS, MONEY, PHONE, SHORTENERS
from weave_ml.model.text import SenderKind

# What the model sees for one message: the normalised text and the sender kind's value.
ModelInput = tuple[str, str]

# Every pattern below runs on any text a sender chooses, up to 10,000 characters, so none may backtrack
# super-linearly (tests/unit/test_linear_time.py holds them to it). Links are read by weave_ml.model.links.
_MESSENGER_ID = re.compile(
    r"(?:텔레그램|텔레|카톡|카카오톡|라인|telegram|kakao|line)\s*+(?:id|아이디)?\s*+[:：]?\s*+@?[a-z0-9_]{3}"
    r"|@[a-z][a-z0-9_]{3}"
)
_OVERSEAS = re.compile(r"\[?(?:국외|국제|해외)\s*발신\]?")


# Brand fragments that look-alike hosts borrow ("cj-logis", "nhis-refund", "kbstar-safe"), matched at the start of
# a host label; beside them, every official domain's own label. Which domains are official is weave_ml.model.official's
# list (weave_ml/data/official_domains.json), not this module's.
_BRANDS = (
    "cj",
    "epost",
    "koreapost",
    "hanjin",
    "lotte",
    "ilogen",
    "logen",
    "coupang",
    "kbstar",
    "kbcard",
    "kb",
    "shinhan",
    "woori",
    "hana",
    "keb",
    "nonghyup",
    "nh",
    "ibk",
    "kakao",
    "toss",
    "naver",
    "nid",
    "kbank",
    "kfcc",
    "samsung",
    "hyundai",
    "bccard",
    "nhis",
    "nps",
    "hometax",
    "wetax",
    "gov",
    "minwon",
    "efine",
    "police",
    "scourt",
    "ecfs",
    "court",
    "fss",
    "unipass",
    "customs",
    "kcs",
    "upbit",
    "bithumb",
    "coinone",
    "skt",
    "sktelecom",
    "uplus",
    "olleh",
    "apple",
    "icloud",
    "google",
    "amazon",
    "daangn",
    "bunjang",
    "joongna",
    "npay",
    "kepco",
    "kisa",
)
# A real government or institution suffix buried inside a longer host ("epost.go.kr-rsv.me", "nhis-kr.top").
_KR_DISGUISE = re.compile(r"\.(?:go|or|co)\.kr[.\-]|\.(?:go|or|co)-kr\b|(?:^|[.\-])kr-|-kr(?:$|[.\-])")
# "If this was not you, call ..." wording of payment, issuance and login alerts.
_NOT_YOU = re.compile(
    r"본인\s*+(?:이|의)?\s*+(?:아닐|아니|아닌|미사용|미신청|미승인)|(?:결제|이용|신청|요청)\s*+(?:이|가)?\s*+아닌|"
    r"(?:신청|결제|요청)하지\s*+않(?:으셨|았)|미승인\s*+거래|도용\s*+의심|명의\s*+도용|부정\s*+사용|취소\s*+(?:문의|요청|신청)"
)
# A number a scammer can answer: a geographic landline, 070 or a mobile, not a 15xx/16xx representative line.
_CALLBACK_NUMBER = re.compile(r"(?<!\d)0(?:2|[3-6][1-5]|70|10)[\s\-.)]?\d{3,4}[\s\-.]?\d{4}(?!\d)")


# Labels that say nothing about who owns a host.
_PLAIN_SUBDOMAINS = frozenset(("www", "m", "mobile", "web"))
_VOWELS = frozenset("aeiou")


def _label_stems(domains: Iterable[str]) -> frozenset[str]:
    """The first label of each official domain long enough to be a brand's own ("kbstar", "cjlogistics", "epost")."""
    return frozenset(label for domain in domains if len(label := domain.split(".")[0]) >= 4)


def _deletions(label: str) -> set[str]:
    return {label[:i] + label[i + 1 :] for i in range(len(label))}


@functools.cache
def _official_index() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """Official domains' brand labels, and each one-character deletion of those of five or more letters mapped to
    the labels it comes from: two labels one edit apart (a letter added, dropped or changed) share a deletion."""
    domains = {domain for brand in official().brands.values() for domain in brand.domains}
    stems = _label_stems(domains)
    variants: dict[str, set[str]] = {}
    for stem in stems:
        if len(stem) >= 5:
            for variant in _deletions(stem) | {stem}:
                variants.setdefault(variant, set()).add(stem)
    return stems, {variant: frozenset(labels) for variant, labels in variants.items()}


def _one_edit_from_official(label: str) -> str | None:
    """The official brand label ``label`` is one edit away from ("upbiit", "blthumb"), or None."""
    stems, variants = _official_index()
    if len(label) < 5 or label in stems or len(label) > 30:
        return None
    for variant in _deletions(label) | {label}:
        near = variants.get(variant)
        if near:
            return min(near)
    return None


def _random_looking(label: str) -> bool:
    """A label no one would choose to be read: letters and digits mixed ("x7k2q9"), or a run of consonants."""
    if not 5 <= len(label) <= 24 or not label.isascii() or not label.isalnum():
        return False
    digits = sum(ch.isdigit() for ch in label)
    letters = len(label) - digits
    switches = sum(a.isdigit() != b.isdigit() for a, b in itertools.pairwise(label))
    if digits >= 2 and letters >= 2 and switches >= 2:
        return True
    return digits == 0 and len(label) >= 6 and sum(ch in _VOWELS for ch in label) * 6 < len(label)


@dataclass(frozen=True)
class LinkFacts:
    """What the links of one (normalised) text show; each field is a host that shows it, or None."""

    links: tuple[links.Link, ...]
    short: str | None = None  # a link shortener
    risky: str | None = None  # a cheap new TLD, an IP address, an .apk download
    lookalike: str | None = None  # a brand's name or a Korean institution's suffix in a host that is not its own
    confusable: str | None = None  # one edit from an official domain's brand label
    random: str | None = None  # a random-looking label
    deep: str | None = None  # two or more subdomains before the registered domain
    unofficial: str | None = None  # the text names an organisation and links to a host that is not official for it


def _is_lookalike(link: links.Link) -> bool:
    host = link.host
    if _KR_DISGUISE.search(host):
        return True
    stems, _ = _official_index()
    labels = re.split(r"[.\-]", host)[:-1]  # the TLD itself names no brand
    return any(label.startswith(_BRANDS) or label in stems for label in labels)


_MAY_LINK = re.compile("[.:\u3002\uff61\uff0e]")
_NO_LINKS = LinkFacts(())


@functools.lru_cache(maxsize=64)
def link_facts(text: str) -> LinkFacts:
    """Read the links of a normalised text once (the signals of one message all ask; the cache answers them)."""
    # Every link has a dot in its host or a scheme's colon; a text with neither costs nothing more.
    if not _MAY_LINK.search(text):
        return _NO_LINKS
    found = tuple(links.find(text))
    if not found:
        return LinkFacts(found)
    directory = official()
    facts: dict[str, str] = {}
    named: frozenset[str] | None = None
    for link in found:
        host = link.unicode_host if not link.is_ip else link.host
        if link.domain in SHORTENERS:
            facts.setdefault("short", host)
            continue
        if link.is_ip or link.path.endswith(".apk") or link.domain.rpartition(".")[2] in CHEAP_TLDS:
            facts.setdefault("risky", host)
        if link.is_ip or directory.is_official(link):
            continue
        if _is_lookalike(link):
            facts.setdefault("lookalike", host)
        labels = link.host.split(".")
        own = link.domain.split(".")[0]
        if _one_edit_from_official(own) or any(_one_edit_from_official(part) for part in own.split("-")):
            facts.setdefault("confusable", host)
        if any(_random_looking(label) for label in labels[:-1]):
            facts.setdefault("random", host)
        subdomains = [label for label in labels[: len(labels) - len(link.domain.split("."))] if label]
        if len([label for label in subdomains if label not in _PLAIN_SUBDOMAINS]) >= 2:
            facts.setdefault("deep", host)
        if named is None:
            named = directory.named(text, normalised=True)
        if named:
            facts.setdefault("unofficial", host)
    return LinkFacts(found, **facts)


def _fact(name: str) -> Callable[[str], bool]:
    return lambda text: getattr(link_facts(text), name) is not None


def _callback_alert(text: str) -> bool:
    """True when an alert asks the reader to call an ordinary number if the charge or request was not theirs."""
    return _NOT_YOU.search(text) is not None and _CALLBACK_NUMBER.search(text) is not None


def _has(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda text: pattern.search(text) is not None


# Each signal: a name, a test on the normalised text, and the reason a user reads when it drives the score.
SIGNALS: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("link", lambda text: bool(link_facts(text).links), "인터넷 주소(링크) 포함"),
    ("short_link", _fact("short"), "단축 URL 포함"),
    ("risky_link", _fact("risky"), "의심스러운 도메인 또는 앱 설치 파일 링크"),
    ("phone_number", _has(PHONE), "전화번호 포함"),
    ("money", _has(MONEY), "금액 언급"),
    ("messenger_id", _has(_MESSENGER_ID), "메신저 아이디로 연락 유도"),
    ("overseas_label", _has(_OVERSEAS), "국외 발신 표시"),
    ("lookalike_link", _fact("lookalike"), "기관·브랜드를 흉내 낸 인터넷 주소"),
    ("callback_alert", _callback_alert, "'본인이 아니면 전화하라'며 일반 번호로 연락 유도"),
    ("confusable_link", _fact("confusable"), "공식 도메인과 한 글자 다른 주소"),
    ("random_host", _fact("random"), "무작위 문자열 주소"),
    ("deep_subdomain", _fact("deep"), "하위 도메인이 여러 겹인 주소"),
    ("unofficial_link", _fact("unofficial"), "공식 도메인이 아닌 링크"),
)
# Signals whose reason names what was found: the host, after the reason ("공식 도메인이 아닌 링크: kbstar-safe.top").
_FOUND = {
    "short_link": "short",
    "risky_link": "risky",
    "lookalike_link": "lookalike",
    "confusable_link": "confusable",
    "random_host": "random",
    "deep_subdomain": "deep",
    "unofficial_link": "unofficial",
}
# A host is shown up to this many characters in a reason.
_SHOWN_HOST = 40
SENDER_REASONS = {
    SenderKind.MOBILE.value: "개인 휴대전화 번호에서 발송",
    SenderKind.LANDLINE.value: "일반 유선 번호에서 발송",
    SenderKind.INTERNET_PHONE.value: "인터넷 전화(070) 번호에서 발송",
    SenderKind.INTERNATIONAL.value: "해외 번호에서 발송",
    SenderKind.SHORT_CODE.value: "대표번호·단축번호에서 발송",
    SenderKind.UNKNOWN.value: "발신 번호 확인 불가",
}


def message_text(item: ModelInput) -> str:
    """Return the text part of a model input; the vectorisers' preprocessor."""
    return item[0]


class MessageSignals(TransformerMixin, BaseEstimator):
    """Binary signals of each message followed by a one-hot of its sender kind.

    ``fit`` records which signals and sender kinds exist (``signals_``, ``sender_kinds_``), so a saved model
    keeps its column layout when later code adds signals; a signal the code no longer has is a clear error.
    """

    def fit(self, X: Sequence[ModelInput], y: object = None) -> MessageSignals:
        """Record the signal and sender-kind columns of this model."""
        self.signals_ = [name for name, _, _ in SIGNALS]
        self.sender_kinds_ = [kind.value for kind in SenderKind]
        return self

    def transform(self, X: Sequence[ModelInput]) -> sparse.csr_matrix:
        """Return an ``(n, n_signals + n_sender_kinds)`` 0/1 matrix."""
        check_is_fitted(self, ["signals_", "sender_kinds_"])
        tests = {name: test for name, test, _ in SIGNALS}
        missing = [name for name in self.signals_ if name not in tests]
        if missing:
            raise ValueError(f"this model needs signals the code no longer has: {', '.join(missing)}")
        columns = [tests[name] for name in self.signals_]
        kind_column = {kind: len(columns) + i for i, kind in enumerate(self.sender_kinds_)}
        rows = np.zeros((len(X), len(columns) + len(kind_column)), dtype=np.float64)
        for row, (text, kind) in enumerate(X):
            for column, test in enumerate(columns):
                rows[row, column] = test(text)
            if kind in kind_column:
                rows[row, kind_column[kind]] = 1.0
        return sparse.csr_matrix(rows)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Return ``signal:<name>`` and ``sender:<kind>`` names in column order."""
        names = [f"signal:{name}" for name in self.signals_] + [f"sender:{kind}" for kind in self.sender_kinds_]
        return np.asarray(names, dtype=object)


def reason_for(feature_name: str, text: str | None = None) -> str:
    """Return the user-facing reason for a feature name of the fitted pipeline; with the message's normalised
    ``text``, a link signal's reason names the host it found."""
    kind, _, value = feature_name.partition(":")
    if kind == "signal":
        reason = next(reason for name, _, reason in SIGNALS if name == value)
        host = getattr(link_facts(text), _FOUND[value]) if text is not None and value in _FOUND else None
        if host:
            shown = host if len(host) <= _SHOWN_HOST else host[: _SHOWN_HOST - 1] + "…"
            return f"{reason}: {shown}"
        return reason
    if kind == "sender":
        return SENDER_REASONS[value]
    return f"'{value}' 표현"  # a word n-gram: "word:<text>"
