"""Realistic noise (spacing, typos, emoji, sender prefixes, layout) applied to rendered messages."""

from __future__ import annotations

import random
import re

from weave_ml.training.corpus.vocabulary import EMOJI_ANY, EMOJI_PROMO, pick

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
# Vowel pairs people confuse when typing fast (ㅐ/ㅔ, ㅒ/ㅖ, ㅙ/ㅚ/ㅞ, ㅗ/ㅓ), by medial index.
_VOWEL_SWAPS = {1: 5, 5: 1, 3: 7, 7: 3, 10: 11, 11: 15, 15: 10, 8: 4, 4: 8}
_FINAL_SS = 20  # ㅆ as a final consonant: "했어" <-> "해어" style slips
_AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+")
_LEADING_TAG = re.compile(r"^\[([^\]\n]{1,20})\]")
_CHAT_ENDINGS = ("", "!", "!!", "~", "~~", ".", "..", "ㅎㅎ", "ㅠ")
_NOTICE_ENDINGS = ("", "!", ".", "~")
_TRAILING_TOKEN = re.compile(r"[./#:=]\S+$|\d$")
_ASCII_RUN = re.compile(r"[A-Za-z0-9]{3,}")
_URL_SPACE = re.compile(r" (?=(?:https?://)?[A-Za-z0-9-]+\.[a-z]{2,}(?:[./]|\s|$))")

# Per channel: probability of each kind of noise. Both labels share them, so noise never reveals the label.
_PROFILES: dict[str, dict[str, float]] = {
    "chat": {
        "squash": 0.35,
        "typo": 0.3,
        "emoji": 0.25,
        "tail": 0.3,
        "commas": 0.2,
        "split": 0.0,
        "lines": 0.0,
        "fullwidth": 0.0,
        "bracket": 0.0,
    },
    "sms": {
        "squash": 0.12,
        "typo": 0.1,
        "emoji": 0.08,
        "tail": 0.1,
        "commas": 0.2,
        "split": 0.06,
        "lines": 0.25,
        "fullwidth": 0.03,
        "bracket": 0.1,
    },
    "web": {
        "squash": 0.08,
        "typo": 0.06,
        "emoji": 0.08,
        "tail": 0.08,
        "commas": 0.15,
        "split": 0.05,
        "lines": 0.35,
        "fullwidth": 0.03,
        "bracket": 0.1,
    },
    "intl": {
        "squash": 0.12,
        "typo": 0.1,
        "emoji": 0.08,
        "tail": 0.08,
        "commas": 0.2,
        "split": 0.06,
        "lines": 0.3,
        "fullwidth": 0.04,
        "bracket": 0.1,
    },
}


def _hangul_positions(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if _HANGUL_FIRST <= ord(ch) <= _HANGUL_LAST]


def squash_spaces(text: str, rng: random.Random) -> str:
    """Drop some spaces, as people and spammers both do."""
    return "".join(ch for ch in text if ch != " " or rng.random() > 0.35)


def split_word(text: str, rng: random.Random) -> str:
    """Break one Korean word ("대 출", "환.급"): a filter-evasion habit that also happens by slip."""
    positions = [i for i in _hangul_positions(text) if i + 1 < len(text) and text[i + 1] != " "]
    positions = [i for i in positions if _HANGUL_FIRST <= ord(text[i + 1]) <= _HANGUL_LAST]
    if not positions:
        return text
    at = pick(rng, positions) + 1
    return text[:at] + pick(rng, (" ", " ", ".", "_", "*")) + text[at:]


def typo(text: str, rng: random.Random) -> str:
    """Introduce one jamo-level or character-order slip on a Hangul syllable."""
    positions = _hangul_positions(text)
    if not positions:
        return text
    at = pick(rng, positions)
    code = ord(text[at]) - _HANGUL_FIRST
    lead, vowel, final = code // 588, (code % 588) // 28, code % 28
    roll = rng.random()
    if roll < 0.1:
        return text[:at] + text[at] + text[at:]
    if roll < 0.3 and at + 1 < len(text) and _HANGUL_FIRST <= ord(text[at + 1]) <= _HANGUL_LAST:
        return text[:at] + text[at + 1] + text[at] + text[at + 2 :]
    if roll < 0.65 and vowel in _VOWEL_SWAPS:
        vowel = _VOWEL_SWAPS[vowel]
    else:
        final = 0 if final else _FINAL_SS
    return text[:at] + chr(_HANGUL_FIRST + lead * 588 + vowel * 28 + final) + text[at + 1 :]


def add_emoji(text: str, rng: random.Random, channel: str) -> str:
    """Append a chat emoji, or put a promotional symbol in front of a notice."""
    if channel == "chat":
        return text + pick(rng, ("", " ")) + pick(rng, EMOJI_ANY)
    return pick(rng, EMOJI_PROMO) + pick(rng, ("", " ")) + text


def vary_tail(text: str, rng: random.Random, channel: str) -> str:
    """Change the closing punctuation: drop it, double it, or (in chat) soften it."""
    # A trailing link or number would be corrupted by extra characters, so leave those endings alone.
    if _TRAILING_TOKEN.search(text):
        return text
    stripped = text.rstrip(".!~ ")
    return stripped + pick(rng, _CHAT_ENDINGS if channel == "chat" else _NOTICE_ENDINGS)


def drop_commas(text: str) -> str:
    """Write amounts without thousands separators (987000원)."""
    return _AMOUNT.sub(lambda m: m.group(0).replace(",", ""), text)


def break_lines(text: str, rng: random.Random) -> str:
    """Lay a notice out on several lines: after sentences, and with the link on its own line."""
    text = re.sub(r"([.!]) (?=\S)", lambda m: m.group(1) + pick(rng, ("\n", " ", "\n")), text)
    return _URL_SPACE.sub(lambda m: pick(rng, ("\n", "\n\n", " ")), text)


def to_fullwidth(text: str, rng: random.Random) -> str:
    """Turn one ASCII run (often a link or number) into full-width forms, as some senders' gateways do."""
    runs = list(_ASCII_RUN.finditer(text))
    if not runs:
        return text
    run = runs[rng.randrange(len(runs))]
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in run.group(0))
    return text[: run.start()] + wide + text[run.end() :]


def restyle_bracket(text: str, rng: random.Random) -> str:
    """Swap the leading [브랜드] tag for another bracket style."""
    brackets = pick(rng, ("【】", "<>", "()", "[]", "『』"))
    left, right = brackets[0], brackets[1]
    return _LEADING_TAG.sub(lambda m: f"{left}{m.group(1)}{right}", text, count=1)


def restyle_ad_mark(text: str, rng: random.Random) -> str:
    """Vary how the legally required (광고) mark is written."""
    return text.replace("(광고)", pick(rng, ("(광고)", "(광고)", "[광고]", "(광고) ", "(광 고)")), 1)


def sender_prefix(channel: str, rng: random.Random) -> str:
    """The carrier prefix a phone shows: [Web발신] for web-sent texts, [국외발신] for foreign ones."""
    if channel == "web":
        return "[Web발신]\n" if rng.random() < 0.8 else ""
    if channel == "intl":
        roll = rng.random()
        if roll < 0.6:
            return "[국외발신]\n"
        if roll < 0.85:
            return "[국제발신]\n"
        return "[Web발신]\n"
    return ""


_LOOKALIKES = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "i": "і"}  # Cyrillic twins
_URL_DOT = re.compile(r"(?<=[a-z0-9])\.(?=[a-z]{2,}(?:/|\s|$))")
_DIGIT_RUN = re.compile(r"\d{4,}")
# Share of lures that use an evasion trick on top of the channel's noise.
EVASION_SHARE = 0.3


def break_url(text: str, rng: random.Random) -> str:
    """Put a space or a full stop's look-alike into a link's host ("han. gl/x", "bit 。ly"), so filters miss it."""
    dots = list(_URL_DOT.finditer(text))
    if not dots:
        return text
    at = dots[rng.randrange(len(dots))].start()
    return text[:at] + pick(rng, (". ", " .", "。", "[.]", " . ")) + text[at + 1 :]


def lookalike_letters(text: str, rng: random.Random) -> str:
    """Swap Latin letters of one ASCII run for Cyrillic or digit look-alikes (kakа0talk)."""
    runs = [run for run in _ASCII_RUN.finditer(text) if any(ch in _LOOKALIKES for ch in run.group(0))]
    if not runs:
        return text
    run = runs[rng.randrange(len(runs))]
    twins = {**_LOOKALIKES, "o": pick(rng, ("о", "0")), "l": pick(rng, ("l", "1", "I"))}
    swapped = "".join(twins.get(ch, ch) if rng.random() < 0.5 else ch for ch in run.group(0))
    return text[: run.start()] + swapped + text[run.end() :]


def mask_digits(text: str, rng: random.Random) -> str:
    """Mask some digits of a number with ``*`` or ``?``, as lures hide an amount or card number."""
    runs = list(_DIGIT_RUN.finditer(text))
    if not runs:
        return text
    run = runs[rng.randrange(len(runs))]
    mask = pick(rng, ("*", "?", "*"))
    digits = [mask if rng.random() < 0.4 else ch for ch in run.group(0)]
    return text[: run.start()] + "".join(digits) + text[run.end() :]


def split_keyword(text: str, rng: random.Random) -> str:
    """Break a Korean word with a dot, hyphen or space (환.급, 대-출), the commonest filter evasion."""
    positions = [i for i in _hangul_positions(text) if i + 1 < len(text)]
    positions = [i for i in positions if _HANGUL_FIRST <= ord(text[i + 1]) <= _HANGUL_LAST]
    if not positions:
        return text
    for at in sorted(rng.sample(positions, min(len(positions), rng.randint(1, 3))), reverse=True):
        text = text[: at + 1] + pick(rng, (".", "-", " ", "·", "/")) + text[at + 1 :]
    return text


def evade(text: str, rng: random.Random) -> str:
    """Apply one or two of the tricks lure senders use against keyword and link filters."""
    tricks = (break_url, lookalike_letters, mask_digits, split_keyword)
    for trick in rng.sample(tricks, rng.randint(1, 2)):
        text = trick(text, rng)
    return text


def add_noise(text: str, rng: random.Random, channel: str) -> str:
    """Apply the noise profile of ``channel`` to ``text`` and add its sender prefix."""
    profile = _PROFILES[channel]
    if "(광고)" in text:
        text = restyle_ad_mark(text, rng)
    if rng.random() < profile["bracket"]:
        text = restyle_bracket(text, rng)
    if rng.random() < profile["commas"]:
        text = drop_commas(text)
    if rng.random() < profile["lines"]:
        text = break_lines(text, rng)
    if rng.random() < profile["typo"]:
        text = typo(text, rng)
    if rng.random() < profile["split"]:
        text = split_word(text, rng)
    if rng.random() < profile["squash"]:
        text = squash_spaces(text, rng)
    if rng.random() < profile["tail"]:
        text = vary_tail(text, rng, channel)
    if rng.random() < profile["emoji"]:
        text = add_emoji(text, rng, channel)
    if rng.random() < profile["fullwidth"]:
        text = to_fullwidth(text, rng)
    return sender_prefix(channel, rng) + text
