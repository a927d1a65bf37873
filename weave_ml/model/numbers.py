"""Numbers a text asks you to call or message, and a sender's number, each as one key however it is written.

A *contact* is what a lure wants the reader to reach: a phone number (a mobile, an 070 internet phone, a 050x safe
number, a geographic landline, a 15xx–18xx representative number) or a messenger id ("카톡 abc123", "텔레그램 @xyz",
``t.me/xyz``, an open chat at ``open.kakao.com/o/…``). An 080 number is the opt-out line the law puts on every
advertisement ("무료거부 080-…"), never a call-back: it is read (so its digits are not taken for another number)
and left out.

Numbers come out in their national form, digits only: ``010-1234-5678``, ``010 1234 5678``, ``+82 10-1234-5678``,
``+82 (0)10.1234.5678`` and ``(010)1234-5678`` are all ``01012345678``. A messenger id comes out as
``<app>:<id>`` (``kakao:abc123``, ``telegram:xyz``). Give :func:`contacts` normalised text
(weave_ml.model.text.normalise): full-width digits and letters are plain ones, and the text is lower case.

Every pattern runs on any text a sender chooses (tests/unit/test_linear_time.py): no pattern repeats a group that
can itself repeat.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MOBILE = "mobile"
INTERNET_PHONE = "internet_phone"  # 070, and the 050x safe numbers that forward to another
LANDLINE = "landline"
REPRESENTATIVE = "representative"  # 15xx, 16xx, 18xx: registered to a business, often quoted by lures
TOLL_FREE = "toll_free"  # 080: advertisements' opt-out lines
SHORT_CODE = "short_code"  # a sender such as "#1004" or "1588"
INTERNATIONAL = "international"
MESSENGER = "messenger"
# A text quoting an organisation's representative number proves nothing about the text: lures quote the real one to
# look genuine. Such numbers are judged only by an operator (weave_ml.reputation).
ORGANISATIONS = frozenset({REPRESENTATIVE, SHORT_CODE, TOLL_FREE})

_SEP = r"[ .\-]?"
# A number starts where no digit (or "+") stands before it, and ends where no digit follows its last group.
_PHONE = re.compile(
    r"(?<![\d+])"
    r"(?:(?P<intl>(?:\+|00)82)[ .\-]?(?:\(0\)[ .\-]?)?0?|\(?0)"
    r"(?P<area>1[016789]|70|50[2-8]|80|2|[3-6][1-5])\)?" + _SEP + r"(?P<middle>\d{3,4})" + _SEP + r"(?P<last>\d{4})"
    r"(?![\d])"
    r"|(?<![\d+\-])(?P<rep>1[5-8]\d{2})" + _SEP + r"(?P<rep_last>\d{4})(?![\d]|-\d)"
)
_MESSENGER_APPS = {
    "카카오톡": "kakao",
    "카톡": "kakao",
    "kakaotalk": "kakao",
    "kakao": "kakao",
    "텔레그램": "telegram",
    "텔레": "telegram",
    "telegram": "telegram",
    "라인": "line",
    "위챗": "wechat",
    "wechat": "wechat",
}
# "카톡 abc123", "카카오톡 ID: kim_lee", "텔레그램 @xyz". An id without a marker (ID, 아이디, ":", "@") must hold a
# digit or "_": "kakao pay" names a service, not an account.
_MESSENGER_ID = re.compile(
    r"(?<![a-z0-9])(?P<app>카카오톡|카톡|kakaotalk|kakao|텔레그램|텔레|telegram|(?<![가-힣])라인|위챗|wechat)"
    r" ?(?P<marker>(?:(?:아이디|id)(?![a-z0-9]))? ?[:：]? ?@?)(?P<id>[a-z0-9_][a-z0-9_.]{2,31})(?![a-z0-9_])"
)
# A text naming none of these holds no messenger id (the links below hold "telegram" or "kakao", or "t.me/").
_MESSENGER_WORDS = (*_MESSENGER_APPS, "t.me/")
# Messenger links: an account or an open chat is where the reader is sent, whatever host carries it.
_MESSENGER_LINK = re.compile(
    r"(?<![a-z0-9.])(?:t\.me|telegram\.me)/(?P<telegram>[a-z0-9_]{3,32})"
    r"|(?<![a-z0-9.])open\.kakao\.com/o/(?P<openchat>[a-z0-9]{4,16})"
)


@dataclass(frozen=True)
class Contact:
    """One number or messenger id of a text: its key (national digits, or ``<app>:<id>``) and its kind."""

    key: str
    kind: str


def contacts(text: str) -> list[Contact]:
    """Return the numbers and messenger ids a normalised text asks the reader to call or message, each once, in
    order; 080 opt-out lines left out."""
    found: dict[str, Contact] = {}
    for match in _PHONE.finditer(text):
        contact = _phone(match)
        if contact.kind != TOLL_FREE:
            found.setdefault(contact.key, contact)
    # Most texts name no messenger: a look for the names (substrings, cheap) spares them the patterns.
    if not any(word in text for word in _MESSENGER_WORDS):
        return list(found.values())
    for match in _MESSENGER_ID.finditer(text):
        if match.group("marker").strip() or any(ch.isdigit() or ch == "_" for ch in match.group("id")):
            key = f"{_MESSENGER_APPS[match.group('app')]}:{match.group('id').rstrip('.')}"
            found.setdefault(key, Contact(key, MESSENGER))
    for match in _MESSENGER_LINK.finditer(text):
        telegram, openchat = match.group("telegram"), match.group("openchat")
        key = f"telegram:{telegram}" if telegram else f"kakao-openchat:{openchat}"
        found.setdefault(key, Contact(key, MESSENGER))
    return list(found.values())


def sender_number(sender: str | None) -> Contact | None:
    """Return a sender's number in national form with its kind, or None when the sender holds no number (a name,
    a masked number, nothing)."""
    if not sender:
        return None
    raw = unicodedata.normalize("NFKC", sender).strip()
    if re.search(r"[^\d\s\-().+#]", raw):
        return None
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return None
    if raw.startswith("#") or len(digits) <= 6:
        return Contact(digits, SHORT_CODE)
    if raw.startswith(("+82", "0082")):
        digits = "0" + digits.removeprefix("00").removeprefix("82").lstrip("0")
    elif raw.startswith(("+", "00")):
        return Contact(digits.removeprefix("00"), INTERNATIONAL)
    return Contact(digits, kind_of(digits))


def kind_of(digits: str) -> str:
    """The kind of a number in national form."""
    if re.fullmatch(r"01[016789]\d{7,8}", digits):
        return MOBILE
    if re.fullmatch(r"070\d{7,8}|050[2-8]\d{7,8}", digits):
        return INTERNET_PHONE
    if re.fullmatch(r"080\d{7,8}", digits):
        return TOLL_FREE
    if re.fullmatch(r"1[5-8]\d{6}", digits):
        return REPRESENTATIVE
    if re.fullmatch(r"0(?:2|[3-6][1-5])\d{7,8}", digits):
        return LANDLINE
    return SHORT_CODE if len(digits) <= 6 else LANDLINE


def _phone(match: re.Match[str]) -> Contact:
    if match.group("rep"):
        digits = match.group("rep") + match.group("rep_last")
    else:
        digits = "0" + match.group("area") + match.group("middle") + match.group("last")
    return Contact(digits, kind_of(digits))
