"""Hand-made signals of a message (links, numbers, money, sender kind) as a scikit-learn transformer."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from weave_ml.text import SenderKind

# What the model sees for one message: the normalised text and the sender kind's value.
ModelInput = tuple[str, str]

_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:com|net|org|kr|co|me|ly|gl|do|la|top|xyz|"
    r"icu|shop|site|online|club|info|cc|link|click|vip|live|app|io)\b(?:/\S*)?"
)
_SHORTENERS = (
    "bit.ly",
    "han.gl",
    "me2.do",
    "vo.la",
    "url.kr",
    "t.ly",
    "tinyurl.com",
    "goo.gl",
    "is.gd",
    "buly.kr",
    "zrr.kr",
    "c11.kr",
    "t.co",
    "ow.ly",
    "cutt.ly",
    "shorturl.at",
    "naver.me",
    "abit.ly",
    "short.gy",
)
_RISKY_ENDINGS = re.compile(
    r"\.(?:top|xyz|icu|shop|site|online|club|click|vip|live|cc|info|buzz|apk)\b|\d+\.\d+\.\d+\.\d+"
)
_PHONE = re.compile(r"(?<!\d)(?:\+?\d{1,3}[\s\-]?)?(?:0\d{1,2}|1[5-8]\d{2})[\s\-.)]?\d{3,4}[\s\-.]?\d{4}(?!\d)")
_MONEY = re.compile(r"\d[\d,.]*\s*(?:만\s*)?(?:원|won|krw)|[£$€₩]\s?\d|\d[\d,.]*\s*(?:pounds?|usd|dollars?)")
_MESSENGER_ID = re.compile(
    r"(?:텔레그램|텔레|카톡|카카오톡|라인|telegram|kakao|line)\s*(?:id|아이디)?\s*[:：]?\s*@?[a-z0-9_]{3,}|@[a-z][a-z0-9_]{3,}"
)
_OVERSEAS = re.compile(r"\[?(?:국외|국제|해외)\s*발신\]?")


def _has(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda text: pattern.search(text) is not None


# Each signal: a name, a test on the normalised text, and the reason a user reads when it drives the score.
SIGNALS: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("link", _has(_URL), "인터넷 주소(링크) 포함"),
    ("short_link", lambda text: any(domain in text for domain in _SHORTENERS), "단축 URL 포함"),
    ("risky_link", _has(_RISKY_ENDINGS), "의심스러운 도메인 또는 앱 설치 파일 링크"),
    ("phone_number", _has(_PHONE), "전화번호 포함"),
    ("money", _has(_MONEY), "금액 언급"),
    ("messenger_id", _has(_MESSENGER_ID), "메신저 아이디로 연락 유도"),
    ("overseas_label", _has(_OVERSEAS), "국외 발신 표시"),
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

    Stateless: ``fit`` learns nothing, so the feature layout is fixed by :data:`SIGNALS` and :class:`SenderKind`.
    """

    def fit(self, X: Sequence[ModelInput], y: object = None) -> MessageSignals:
        """Return self; there is nothing to learn."""
        return self

    def transform(self, X: Sequence[ModelInput]) -> sparse.csr_matrix:
        """Return an ``(n, n_signals + n_sender_kinds)`` 0/1 matrix."""
        kinds = [kind.value for kind in SenderKind]
        rows = np.zeros((len(X), len(SIGNALS) + len(kinds)), dtype=np.float64)
        for row, (text, kind) in enumerate(X):
            for column, (_, test, _) in enumerate(SIGNALS):
                rows[row, column] = test(text)
            rows[row, len(SIGNALS) + kinds.index(kind)] = 1.0
        return sparse.csr_matrix(rows)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Return ``signal:<name>`` and ``sender:<kind>`` names in column order."""
        names = [f"signal:{name}" for name, _, _ in SIGNALS] + [f"sender:{kind.value}" for kind in SenderKind]
        return np.asarray(names, dtype=object)


def reason_for(feature_name: str) -> str:
    """Return the user-facing reason for a feature name of the fitted pipeline."""
    kind, _, value = feature_name.partition(":")
    if kind == "signal":
        return next(reason for name, _, reason in SIGNALS if name == value)
    if kind == "sender":
        return SENDER_REASONS[value]
    return f"'{value}' 표현"  # a word n-gram: "word:<text>"
