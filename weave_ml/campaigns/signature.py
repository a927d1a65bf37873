"""A message's template signature: mask what varies between copies of one lure, then MinHash LSH band keys.

Copies of one campaign differ in names, amounts, links, numbers, spacing and a few typos; the masked text keeps
the wording they share. Its character 3-shingles (spaces and punctuation dropped, so split keywords and broken
spacing do not matter) are MinHashed with ``NUM_PERM`` fixed permutations and cut into ``BANDS`` bands of
``ROWS`` values: two texts share a band with probability J^ROWS (J: Jaccard similarity of their shingles).
Every process computes the same signature (fixed seed), so every gateway and worker agrees on a campaign.

Own implementation rather than datasketch: its ``MinHash.update`` is a Python call per shingle (about 0.3 ms
for an SMS) and its Redis-backed LSH makes several round trips per insert; here one message costs a vectorised
numpy step, and the Redis side is one script call per batch (``weave_ml.campaigns.store``).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass

import numpy as np

from weave_ml.model.features import _MONEY, _PHONE, _URL  # the model's own patterns: linear-time, tested
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

# Masks, most specific first. Each stands for one private-use character, so a mask is one "letter" of the
# template wherever it appears and never mixes with the text around it.
_MASKED_NAME = re.compile(r"[가-힣]\*+[가-힣]?|[가-힣]{2,4}(?= ?(?:님|씨|고객))")
# Digits, and the marks lures hide digits behind ("*21*-5601", "??1?5"): a run of them is one number.
_NUMBER = re.compile(r"(?<![\d*?#])[*?#]*+\d[\d*?#]*+")
# A word that is part of a link the link pattern cannot read: broken by a space ("zrr .kr/x"), dotted in
# brackets ("vo[.]la/x"), with look-alike letters ("httрs://"). Searched per word, so it stays linear.
_LINKISH = re.compile(r"[a-z0-9]/|/[a-z0-9]|\[\.\]|\(\.\)|[a-z0-9]\.[a-z]|[a-z0-9]\.$")
# Whether some word of a text is linkish: the same pattern with a word's end (a space or the text's end) for "$".
_LINKISH_IN_TEXT = re.compile(r"[a-z0-9]/|/[a-z0-9]|\[\.\]|\(\.\)|[a-z0-9]\.[a-z]|[a-z0-9]\.(?: |$)")
_NOT_TEMPLATE = re.compile(r"[^\w\ue000-\ue0ff]+")
_URL_MARK, _PHONE_MARK, _MONEY_MARK, _NAME_MARK, _NUMBER_MARK = "\ue001", "\ue002", "\ue003", "\ue004", "\ue005"
# Each mark by what it stands for (weave_ml.campaigns.examples fills them in).
MARKS = {"link": _URL_MARK, "phone": _PHONE_MARK, "money": _MONEY_MARK, "name": _NAME_MARK, "number": _NUMBER_MARK}

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

    @property
    def campaign_id(self) -> str:
        """The id of a new campaign founded by this message: a hash of all its bands, stable across processes."""
        return hashlib.blake2b("".join(self.bands).encode(), digest_size=8).hexdigest()


def mask(text: str) -> str:
    """Return the message's template: normalised, links, phone numbers, amounts, names and numbers masked."""
    text = normalise(text)
    text = _URL.sub(_URL_MARK, text)
    if _LINKISH_IN_TEXT.search(text):  # most texts hold no broken link: one scan instead of one per word
        text = " ".join(_URL_MARK if _LINKISH.search(word) else word for word in text.split(" "))
    text = _PHONE.sub(_PHONE_MARK, text)
    text = _MONEY.sub(_MONEY_MARK, text)
    text = _MASKED_NAME.sub(_NAME_MARK, text)
    return _NUMBER.sub(_NUMBER_MARK, text)


_READABLE = {"link": "<링크>", "phone": "<전화번호>", "money": "<금액>", "name": "<이름>", "number": "<숫자>"}


def readable_template(template: str) -> str:
    """Return a masked template with its masks spelled out, for operators (``<링크>``, ``<번호>`` …)."""
    for kind, word in _READABLE.items():
        template = template.replace(MARKS[kind], word)
    return template


def _letters(template: str) -> int:
    return sum(map(str.isalpha, template))  # the marks are private-use characters, not letters


def shingles(template: str) -> set[str]:
    """Return the character shingles of a template, spaces and punctuation left out."""
    compact = _NOT_TEMPLATE.sub("", template).replace("_", "")
    return {compact[i : i + SHINGLE] for i in range(max(1, len(compact) - SHINGLE + 1))}


def signature(text: str) -> tuple[Signature, str] | None:
    """Return the signature and masked template of a message, or None when it is too short or generic to count."""
    template = mask(text)
    if _letters(template) < MIN_LETTERS:
        return None
    grams = shingles(template)
    if len(grams) < MIN_SHINGLES:
        return None
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, grams)), dtype=np.uint64, count=len(grams))
    values = ((_A[:, None] * hashes[None, :] + _B[:, None]) >> _MERSENNE_SHIFT).min(axis=1).astype(np.uint32)
    # A band's key: its ROWS values and its index mixed into 64 bits (multiply-add, wrapping).
    keys = (values.astype(np.uint64).reshape(BANDS, ROWS) * _MIX).sum(axis=1) + _BAND_SALT
    # One hex string cut in sixteen: each band's key as 16 hex digits, big-endian, as f"{key:016x}" would write it.
    digits = keys.astype(">u8").tobytes().hex()
    return Signature(tuple(digits[i : i + 16] for i in range(0, 16 * BANDS, 16))), template
