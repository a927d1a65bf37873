"""A message's template signature: mask what varies between copies of one lure, then MinHash LSH band keys.

Copies of one campaign differ in names, amounts, links, numbers, spacing and a few typos; the masked text keeps
the wording they share. Its character 3-shingles (spaces and punctuation dropped, so split keywords and broken
spacing do not matter) are MinHashed with ``NUM_PERM`` fixed permutations and cut into ``BANDS`` bands of
``ROWS`` values: two texts share a band with probability J^ROWS (J: Jaccard similarity of their shingles).
Every process computes the same signature (fixed seed), so every gateway and worker agrees on a campaign.

A link is masked unless it is official (weave_ml.model.official): phishers rotate throwaway domains, so an unknown
domain is a mark and the variants of a lure still group; an official domain is what tells a real notice from its
look-alike, so the template keeps it (its path and query masked). The kept domains, and whether the text is vouched
for (every link official for an organisation it names), are mixed into every band key: a courier's notice on its
own domain and the same wording on a look-alike domain never share a band, so never a campaign.

Own implementation rather than datasketch: its ``MinHash.update`` is a Python call per shingle (about 0.3 ms
for an SMS) and its Redis-backed LSH makes several round trips per insert; here one message costs a vectorised
numpy step, and the Redis side is one script call per batch (``weave_ml.campaigns.store``).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from weave_ml.model import links
from weave_ml.model.official import official
from weave_ml.model.patterns import MONEY, PHONE  # the model's own patterns: linear-time, tested
from weave_ml.model.text import normalise

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 3
# A text needs this many letters (Hangul, Latin…; not digits, not masked parts) to join a campaign: "ㅋㅋ", "네",
# "감사합니다", "확인했습니다 감사합니다", OTP codes and one-word replies never do. Short texts are identical
# across millions of unrelated people; grouping them says nothing about a sender blasting a template.
MIN_LETTERS = 15
# ... and this many distinct shingles, so a long run of one repeated syllable does not qualify either.
MIN_SHINGLES = 8

# A text's signature reads at most this many characters of it: a lure is an SMS or an LMS, whose 2,000 bytes hold
# 1,000 Hangul characters, and the signature's cost grows with the text (it runs in a request's thread; the API
# takes texts of up to 10,000 characters).
MAX_CHARS = 1000

# Masks, most specific first. Each stands for one private-use character, so a mask is one "letter" of the
# template wherever it appears and never mixes with the text around it.
# A person's name: masked by a lure ("홍*동"), before an honorific ("김민수 고객님"), or a full name of a common surname
# before the words that follow names ("박지훈입니다", "이서연에게"). Templates of phishing campaigns are kept for weeks
# and shown to operators: what could name a person goes. A few ordinary words go with them; grouping does not mind.
_MASKED_NAME = re.compile(
    r"[가-힣]\*+[가-힣]?|[가-힣]{2,4}(?= ?(?:님|씨|고객))"
    r"|(?<![가-힣])[김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하][가-힣]{1,2}"
    r"(?=(?:입니다|이에요|이예요|예요|이야|께서|에게|한테)(?![가-힣]))"
)
# A street address with its number ("중구 세종대로 110", "강남구 역삼동 123-4"), the city before it if written.
_ADDRESS = re.compile(
    r"(?:[가-힣]{1,6}(?:특별시|광역시|특별자치시|특별자치도|시|도) ?)?[가-힣]{1,6}(?:구|군|시) ?[가-힣0-9]{1,10}"
    r"(?:로|길|동|읍|면|리) ?\d{1,5}(?:-\d{1,5})?(?:번길)?"
)
# Digits, and the marks lures hide digits behind ("*21*-5601", "??1?5"): a run of them is one number.
_NUMBER = re.compile(r"(?<![\d*?#])[*?#]*+\d[\d*?#]*+")
# A word that is part of a link the link pattern cannot read: broken by a space ("zrr .kr/x"), dotted in
# brackets ("vo[.]la/x"), with look-alike letters ("httрs://"). Searched per word, so it stays linear.
_LINKISH = re.compile(r"[a-z0-9]/|/[a-z0-9]|\[\.\]|\(\.\)|[a-z0-9]\.[a-z]|[a-z0-9]\.$")
# Whether some word of a text is linkish: the same pattern with a word's end (a space or the text's end) for "$".
_LINKISH_IN_TEXT = re.compile(r"[a-z0-9]/|/[a-z0-9]|\[\.\]|\(\.\)|[a-z0-9]\.[a-z]|[a-z0-9]\.(?: |$)")
_NOT_TEMPLATE = re.compile(r"[^\w\ue000-\ue0ff]+")
_URL_MARK, _PHONE_MARK, _MONEY_MARK, _NAME_MARK, _NUMBER_MARK = "\ue001", "\ue002", "\ue003", "\ue004", "\ue005"
_ADDRESS_MARK = "\ue007"
# Each mark by what it stands for (weave_ml.campaigns.examples fills them in).
MARKS = {
    "link": _URL_MARK,
    "phone": _PHONE_MARK,
    "money": _MONEY_MARK,
    "address": _ADDRESS_MARK,
    "name": _NAME_MARK,
    "number": _NUMBER_MARK,
}
# An official link in a template: its registrable domain between two of these ("\ue006cjlogistics.com\ue006").
OFFICIAL_MARK = "\ue006"
OFFICIAL_LINK = re.compile(f"{OFFICIAL_MARK}([^{OFFICIAL_MARK}]*){OFFICIAL_MARK}")
# While the other masks run, each kept domain stands as one character of its own (so no mask reads into it).
_KEPT_FIRST = 0xE010
_KEPT_MAX = 0xE0FF - _KEPT_FIRST

_MERSENNE_SHIFT = np.uint64(32)
_rng = np.random.default_rng(20261130)
# Multiply-shift hashing: (a*x + b) mod 2^64, top 32 bits; a odd. Fixed seed: every process draws the same ones.
_A = (_rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_MIX = (_rng.integers(1, 2**63, size=ROWS, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_BAND_SALT = _rng.integers(0, 2**63, size=BANDS, dtype=np.uint64)


@dataclass(frozen=True)
class Signature:
    """A message's LSH band keys (``BANDS`` hex strings) and the id a campaign started by it gets."""

    bands: tuple[str, ...]
    # Every link official for an organisation the text names: its campaign never raises it (campaigns.policy).
    vouched: bool = False

    @property
    def campaign_id(self) -> str:
        """The id of a new campaign founded by this message: a hash of all its bands, stable across processes."""
        return hashlib.blake2b("".join(self.bands).encode(), digest_size=8).hexdigest()


def mask(text: str) -> str:
    """Return the message's template: normalised, links (official ones but for their domain), phone numbers,
    amounts, names and numbers masked."""
    return _masked(normalise(text))[0]


def _masked(text: str, found: Sequence[links.Link] | None = None) -> tuple[str, Sequence[links.Link]]:
    """The template of a normalised text, and the text's links (``found``, when found already)."""
    found = links.find(text) if found is None else found
    kept: list[str] = []
    parts, last = [], 0
    for link in found:
        parts.append(text[last : link.start])
        if official().is_official(link) and link.domain in kept:
            parts.append(chr(_KEPT_FIRST + kept.index(link.domain)))
        elif official().is_official(link) and len(kept) < _KEPT_MAX:
            kept.append(link.domain)
            parts.append(chr(_KEPT_FIRST + len(kept) - 1))
        else:
            parts.append(_URL_MARK)
        last = link.end
    parts.append(text[last:])
    text = "".join(parts)
    if _LINKISH_IN_TEXT.search(text):  # most texts hold no broken link: one scan instead of one per word
        text = " ".join(_URL_MARK if _LINKISH.search(word) else word for word in text.split(" "))
    text = PHONE.sub(_PHONE_MARK, text)
    text = MONEY.sub(_MONEY_MARK, text)
    text = _ADDRESS.sub(_ADDRESS_MARK, text)
    text = _MASKED_NAME.sub(_NAME_MARK, text)
    text = _NUMBER.sub(_NUMBER_MARK, text)
    for index, domain in enumerate(kept):
        text = text.replace(chr(_KEPT_FIRST + index), f"{OFFICIAL_MARK}{domain}{OFFICIAL_MARK}")
    return text, found


_READABLE = {
    "link": "<링크>",
    "phone": "<전화번호>",
    "money": "<금액>",
    "address": "<주소>",
    "name": "<이름>",
    "number": "<숫자>",
}


def readable_template(template: str) -> str:
    """Return a masked template with its masks spelled out, for operators (``<링크>``, ``<링크:kbstar.com>`` …)."""
    for kind, word in _READABLE.items():
        template = template.replace(MARKS[kind], word)
    return OFFICIAL_LINK.sub(r"<링크:\1>", template)


def kept_domains(template: str) -> list[str]:
    """Return the official domains a template keeps, in order."""
    return OFFICIAL_LINK.findall(template)


def _letters(template: str) -> int:
    return sum(map(str.isalpha, template))  # the marks are private-use characters, not letters


def shingles(template: str) -> set[str]:
    """Return the character shingles of a template, spaces and punctuation left out."""
    compact = _NOT_TEMPLATE.sub("", template).replace("_", "")
    return {compact[i : i + SHINGLE] for i in range(max(1, len(compact) - SHINGLE + 1))}


def signature(text: str) -> tuple[Signature, str] | None:
    """Return the signature and masked template of a message, or None when it is too short or generic to count."""
    # Twice the bound before normalising: invisible characters and spelled-out words shrink a text, never grow it.
    normalised = normalise(text[: 2 * MAX_CHARS])
    return of_normalised(normalised, links.find(normalised) if len(normalised) <= MAX_CHARS else None)


def of_normalised(normalised: str, found: Sequence[links.Link] | None = None) -> tuple[Signature, str] | None:
    """:func:`signature` of a message already normalised (its first ``2 * MAX_CHARS`` characters), with its links
    when they were found already (they are found again when the normalised text is longer than ``MAX_CHARS``)."""
    normalised = normalised[:MAX_CHARS]
    template, found = _masked(normalised, found)
    # A kept domain counts as one link mark, neither letters nor shingles: the wording is what groups texts, and the
    # domains part them through the band keys below.
    wording = OFFICIAL_LINK.sub(OFFICIAL_MARK, template)
    if _letters(wording) < MIN_LETTERS:
        return None
    grams = shingles(wording)
    if len(grams) < MIN_SHINGLES:
        return None
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, grams)), dtype=np.uint64, count=len(grams))
    values = ((_A[:, None] * hashes[None, :] + _B[:, None]) >> _MERSENNE_SHIFT).min(axis=1).astype(np.uint32)
    # A band's key: its ROWS values and its index mixed into 64 bits (multiply-add, wrapping).
    keys = (values.astype(np.uint64).reshape(BANDS, ROWS) * _MIX).sum(axis=1) + _BAND_SALT
    vouched = official().vouched(normalised, found)
    domains = sorted(set(kept_domains(template)))
    if domains or vouched:  # texts without an official link keep the keys they always had
        keys = keys + _trust_salt(domains, vouched)
    # One hex string cut in sixteen: each band's key as 16 hex digits, big-endian, as f"{key:016x}" would write it.
    digits = keys.astype(">u8").tobytes().hex()
    return Signature(tuple(digits[i : i + 16] for i in range(0, 16 * BANDS, 16)), vouched), template


def _trust_salt(domains: list[str], vouched: bool) -> np.uint64:
    """A 64-bit value of the kept domains and the vouched flag, added to every band key."""
    digest = hashlib.blake2b(("\n".join(domains) + ("\nvouched" if vouched else "")).encode(), digest_size=8)
    return np.uint64(int.from_bytes(digest.digest(), "big"))
