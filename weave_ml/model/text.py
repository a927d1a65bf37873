"""Message normalisation, sender kinds and the message hash that keys the score cache (keyed: weave_ml.keys)."""

from __future__ import annotations

import functools
import re
import unicodedata
from enum import StrEnum

from weave_ml import keys

# Zero-width and bidirectional controls are invisible to a reader but let a sender make two
# identical-looking lures hash and tokenise differently, so they are removed before anything else.
_INVISIBLE = dict.fromkeys(
    [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065), *range(0x2066, 0x206A), 0xFEFF, 0x00AD],
)
# Cyrillic and Greek letters drawn like Latin ones ("kаkao" with a Cyrillic а): read as the Latin letter they
# imitate, so a look-alike host or brand is the brand to the model. Korean messages carry no Cyrillic or Greek text.
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁӏвкмнтАЕОРСУХІЈЅВКМНТαοριεκνυτχΑΒΕΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdlbkmhtAEOPCYXIJSBKMHTaopiekvutxABEHIKMNOPTYX",
)
# Obfuscation of Hangul words: one syllable at a time with a separator between ("건*강*검*진", "대-출", "신.규"), or
# spaced out ("대 출 가 능"). Each run of single syllables is joined: with separators from two syllables on, with
# spaces or asterisks alone from three (two spaced syllables, "이 책", are ordinary writing, and "홍*동" is how a
# notice masks a name). Every character is looked at once: a run is matched where its first syllable stands, single
# syllables only, and never rescanned.
_SEPARATOR = r"[._\-·•~^|/\\+=#]"
_SPELLED_OUT = re.compile(
    rf"(?<![가-힣])[가-힣](?:{_SEPARATOR}[가-힣](?![가-힣]))+"
    r"|(?<![가-힣])[가-힣](?: [가-힣](?![가-힣])){2,}"
    r"|(?<![가-힣])[가-힣](?:\*[가-힣](?![가-힣])){2,}"
)
_SEPARATORS = re.compile(rf"{_SEPARATOR}|[ *]")
_WHITESPACE_RUN = re.compile(r"\s+")
# Unicode's control characters (category Cc) are exactly these two ranges; one regex pass, not a call per character.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class SenderKind(StrEnum):
    """Kind of number a message came from, as far as the sender string tells."""

    MOBILE = "mobile"
    LANDLINE = "landline"
    INTERNET_PHONE = "internet_phone"
    INTERNATIONAL = "international"
    SHORT_CODE = "short_code"
    UNKNOWN = "unknown"


# A message is read in its normalised form three or four times in one process (its cache key, the model's input,
# its campaign signature), at about 35 µs each: the forms of the last REMEMBERED texts up to REMEMBERED_CHARS long
# (a text message's length, and a few megabytes at most) are remembered.
REMEMBERED = 512
REMEMBERED_CHARS = 1_000


def normalise(text: str) -> str:
    """Return the canonical form of a message, the one the model, the cache key and the campaign signature all read.

    NFKC (full-width letters, decomposed jamo composed back: "ㅋㅏ카오" is "카카오"), no invisible, bidirectional or
    control characters, look-alike Cyrillic and Greek letters read as Latin, Hangul words spelled out syllable by
    syllable joined again, one space, casefolded.
    """
    return _remembered(text) if len(text) <= REMEMBERED_CHARS else _normalise(text)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_LOOKALIKES)
    text = _WHITESPACE_RUN.sub(" ", _CONTROL.sub(" ", text))
    text = _SPELLED_OUT.sub(lambda run: _SEPARATORS.sub("", run.group(0)), text)
    return text.strip().casefold()


_remembered = functools.lru_cache(maxsize=REMEMBERED)(_normalise)


def sender_kind(sender: str | None) -> SenderKind:
    """Classify a sender string (Korean numbering plan) into a :class:`SenderKind`."""
    if not sender:
        return SenderKind.UNKNOWN
    raw = unicodedata.normalize("NFKC", sender).strip()
    if re.search(r"[^\d\s\-().+#]", raw):
        # Letters or masked digits: nothing trustworthy can be read from it.
        return SenderKind.UNKNOWN
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return SenderKind.UNKNOWN
    if raw.startswith("#"):
        return SenderKind.SHORT_CODE
    if raw.startswith(("+", "00")):
        national = digits[2:] if raw.startswith("00") else digits
        if not national.startswith("82"):
            return SenderKind.INTERNATIONAL if len(national) >= 7 else SenderKind.UNKNOWN
        digits = "0" + national[2:].lstrip("0")
    if re.fullmatch(r"01[016789]\d{7,8}", digits):
        return SenderKind.MOBILE
    if re.fullmatch(r"070\d{7,8}", digits):
        return SenderKind.INTERNET_PHONE
    if re.fullmatch(r"1[5-8]\d{6}|080\d{7,8}|\d{3,6}", digits):
        return SenderKind.SHORT_CODE
    if re.fullmatch(r"0(2\d{7,8}|[3-6][1-5]\d{7,8})", digits):
        return SenderKind.LANDLINE
    return SenderKind.UNKNOWN


def hash_input(text: str, sender: str | None = None) -> bytes:
    """Return what a message's hash covers: the normalised text and the sender kind, so equal hashes score alike."""
    return f"{normalise(text)}\x1f{sender_kind(sender).value}".encode("utf-8", "surrogatepass")


def message_hash(text: str, sender: str | None = None) -> str:
    """Return the keyed ``sha256:<hex>`` of a message (:func:`hash_input` under the deployment's secret)."""
    return keys.current().message_hash(hash_input(text, sender))


def mask_phone(sender: str | None) -> str | None:
    """Return a sender with all but the last four digits masked, safe to write to logs."""
    if not sender:
        return sender
    digits_seen = sum(ch.isdigit() for ch in sender)
    keep_from = digits_seen - 4
    out, index = [], 0
    for ch in sender:
        if ch.isdigit():
            out.append(ch if index >= keep_from else "*")
            index += 1
        else:
            out.append(ch)
    return "".join(out)
