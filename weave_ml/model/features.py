"""Hand-made signals of a message (links, numbers, money, sender kind) as a scikit-learn transformer."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from weave_ml.model.patterns import MONEY, PHONE, SHORTENERS
from weave_ml.model.text import SenderKind

# What the model sees for one message: the normalised text and the sender kind's value.
ModelInput = tuple[str, str]

# Top-level domains a bare host may end in. Besides the common ones, the cheap generic TLDs that Korean smishing
# moved to once .top/.xyz got blocked (.help, .sbs, .cfd, .cyou ...); English words such as .win or .life are
# left out because "ok.win" style run-ons in chat would read as links.
_TLDS = (
    "com|net|org|kr|co|me|ly|gl|do|la|top|xyz|icu|shop|site|online|club|info|cc|link|click|vip|live|app|io|"
    "help|sbs|cfd|cyou|lol|pw|bond|lat|asia|cn|ru|su|tk|ml|ga|cf|gq|mobi|kim|rest|monster|quest|beauty|ink|fyi|"
    "buzz|fun|bar|today"
)
# Every pattern below runs on any text a sender chooses, up to 10,000 characters, so none may backtrack
# super-linearly (tests/unit/test_linear_time.py holds them to it). A bare host is bounded as DNS bounds it
# (labels of at most 63 characters, here at most ten of them): each of the many places a dotted or hyphenated
# run could start a host then costs a bounded scan, where an unbounded one rescanned the rest of the run.
_URL = re.compile(
    rf"(?:https?://|www\.)\S+|\b[a-z0-9][a-z0-9\-]{{0,62}}(?:\.[a-z0-9\-]{{1,63}}){{0,8}}\.(?:{_TLDS})\b(?:/\S*)?"
)
# An IP address starts where a digit run starts, and its digit runs are never given back: a long digit run is
# then read once, not once per digit.
_RISKY_ENDINGS = re.compile(
    r"\.(?:top|xyz|icu|shop|site|online|club|click|vip|live|cc|info|buzz|apk|help|sbs|cfd|cyou|lol|pw|bond|lat|"
    r"cn|ru|su|tk|ml|ga|cf|gq|rest|monster|quest|beauty|fun|bar|today)\b|(?<!\d)\d++\.\d++\.\d++\.\d"
)
_MESSENGER_ID = re.compile(
    r"(?:텔레그램|텔레|카톡|카카오톡|라인|telegram|kakao|line)\s*+(?:id|아이디)?\s*+[:：]?\s*+@?[a-z0-9_]{3}"
    r"|@[a-z][a-z0-9_]{3}"
)
_OVERSEAS = re.compile(r"\[?(?:국외|국제|해외)\s*발신\]?")


# Brand fragments that look-alike hosts borrow ("cj-logis", "nhis-refund", "kbstar-safe"), matched at the start of
# a host label, and the registered domains those brands really send from.
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
_OFFICIAL_DOMAINS = frozenset(
    (
        "kbstar.com",
        "kbcard.com",
        "kbfg.com",
        "shinhan.com",
        "shinhancard.com",
        "wooribank.com",
        "wooricard.com",
        "kebhana.com",
        "hanacard.co.kr",
        "nonghyup.com",
        "ibk.co.kr",
        "kakao.com",
        "kakaobank.com",
        "kakaopay.com",
        "kakaocorp.com",
        "kko.to",
        "toss.im",
        "toss.me",
        "tossbank.com",
        "kbanknow.com",
        "kfcc.co.kr",
        "samsungcard.com",
        "samsung.com",
        "hyundaicard.com",
        "hyundai.com",
        "lottecard.co.kr",
        "lotteglogis.com",
        "lotteon.com",
        "bccard.com",
        "cjlogistics.com",
        "cjone.com",
        "hanjin.com",
        "ilogen.com",
        "coupang.com",
        "naver.com",
        "naver.me",
        "google.com",
        "apple.com",
        "icloud.com",
        "amazon.com",
        "upbit.com",
        "bithumb.com",
        "coinone.co.kr",
        "daangn.com",
        "bunjang.co.kr",
        "kepco.co.kr",
        "gov.kr",
        "tworld.co.kr",
        "sktelecom.com",
        "uplus.co.kr",
        "kt.com",
    )
)
# Second-level labels under which a domain is registered one level deeper (shinhan.co.kr, nhis.or.kr).
_SECOND_LEVEL = frozenset(("co", "go", "or", "ac", "ne", "re", "pe", "com"))
_SCHEME_OR_PATH = re.compile(r"^(?:https?://)?([^/?#\s]+)")
# A real government or institution suffix buried inside a longer host ("epost.go.kr-rsv.me", "nhis-kr.top").
_KR_DISGUISE = re.compile(r"\.(?:go|or|co)\.kr[.\-]|\.(?:go|or|co)-kr\b|(?:^|[.\-])kr-|-kr(?:$|[.\-])")
# "If this was not you, call ..." wording of payment, issuance and login alerts.
_NOT_YOU = re.compile(
    r"본인\s*+(?:이|의)?\s*+(?:아닐|아니|아닌|미사용|미신청|미승인)|(?:결제|이용|신청|요청)\s*+(?:이|가)?\s*+아닌|"
    r"(?:신청|결제|요청)하지\s*+않(?:으셨|았)|미승인\s*+거래|도용\s*+의심|명의\s*+도용|부정\s*+사용|취소\s*+(?:문의|요청|신청)"
)
# A number a scammer can answer: a geographic landline, 070 or a mobile, not a 15xx/16xx representative line.
_CALLBACK_NUMBER = re.compile(r"(?<!\d)0(?:2|[3-6][1-5]|70|10)[\s\-.)]?\d{3,4}[\s\-.]?\d{4}(?!\d)")


def _registered_domain(host: str) -> str:
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def _lookalike_link(text: str) -> bool:
    """True when a link's host dresses up as a brand or a Korean institution it does not belong to."""
    for match in _URL.finditer(text):
        host_match = _SCHEME_OR_PATH.match(match.group(0))
        if host_match is None:
            continue
        host = host_match.group(1).removeprefix("www.").rstrip(".")
        if _registered_domain(host) in _OFFICIAL_DOMAINS or host.endswith((".go.kr", ".or.kr")):
            continue
        if _KR_DISGUISE.search(host):
            return True
        labels = re.split(r"[.\-]", host)[:-1]  # the TLD itself names no brand
        if any(label.startswith(_BRANDS) for label in labels):
            return True
    return False


def _callback_alert(text: str) -> bool:
    """True when an alert asks the reader to call an ordinary number if the charge or request was not theirs."""
    return _NOT_YOU.search(text) is not None and _CALLBACK_NUMBER.search(text) is not None


def _has(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda text: pattern.search(text) is not None


# Each signal: a name, a test on the normalised text, and the reason a user reads when it drives the score.
SIGNALS: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("link", _has(_URL), "인터넷 주소(링크) 포함"),
    ("short_link", lambda text: any(domain in text for domain in SHORTENERS), "단축 URL 포함"),
    ("risky_link", _has(_RISKY_ENDINGS), "의심스러운 도메인 또는 앱 설치 파일 링크"),
    ("phone_number", _has(PHONE), "전화번호 포함"),
    ("money", _has(MONEY), "금액 언급"),
    ("messenger_id", _has(_MESSENGER_ID), "메신저 아이디로 연락 유도"),
    ("overseas_label", _has(_OVERSEAS), "국외 발신 표시"),
    ("lookalike_link", _lookalike_link, "기관·브랜드를 흉내 낸 인터넷 주소"),
    ("callback_alert", _callback_alert, "'본인이 아니면 전화하라'며 일반 번호로 연락 유도"),
)
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


def reason_for(feature_name: str) -> str:
    """Return the user-facing reason for a feature name of the fitted pipeline."""
    kind, _, value = feature_name.partition(":")
    if kind == "signal":
        return next(reason for name, _, reason in SIGNALS if name == value)
    if kind == "sender":
        return SENDER_REASONS[value]
    return f"'{value}' 표현"  # a word n-gram: "word:<text>"
