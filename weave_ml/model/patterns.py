"""Phone numbers, amounts, link shorteners and cheap TLDs: read by the model's signals, campaign templates and
reputation.

Kept apart from :mod:`weave_ml.model.features` (scikit-learn) so the gateway, which masks templates, imports no
model library. Like every pattern run on a sender's text, each is linear in the text (tests/unit/test_linear_time.py).
"""

from __future__ import annotations

import re

PHONE = re.compile(r"(?<!\d)(?:\+?\d{1,3}[\s\-]?)?(?:0\d{1,2}|1[5-8]\d{2})[\s\-.)]?\d{3,4}[\s\-.]?\d{4}(?!\d)")
# An amount is read from the start of its run of digits and separators, once (possessive): "1,2,3,…" of any
# length is one attempt, not one per digit.
MONEY = re.compile(r"(?<![\d,.])[,.]*+\d[\d,.]*+\s*+(?:(?:만\s*+)?(?:원|won|krw)|pounds?|usd|dollars?)|[£$€₩]\s?\d")
# Link shorteners seen in Korean texts, in one place: the model's `short_link` signal and reputation's shared domains
# (a report on one short link is no verdict on the shortener) read this list.
SHORTENERS = (
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
    "gg.gg",
    "rb.gy",
    "tny.im",
    "qrco.de",
)
# Top-level domains registered for a dollar or two, where Korean smishing hosts its pages once a TLD gets blocked
# (.top and .xyz first, then .help, .sbs, .cfd, .cyou, and the .tax, .mba, .host, .zone, .market of issue 25).
CHEAP_TLDS = frozenset(
    {
        "top", "xyz", "icu", "shop", "site", "online", "club", "click", "vip", "live", "cc", "info", "buzz", "help",
        "sbs", "cfd", "cyou", "lol", "pw", "bond", "lat", "cn", "ru", "su", "tk", "ml", "ga", "cf", "gq", "rest",
        "monster", "quest", "beauty", "fun", "bar", "today", "tax", "mba", "host", "zone", "market", "store", "work",
        "life", "world", "space", "website", "tech", "pro", "win", "bid", "loan", "download", "racing", "review",
        "stream", "men", "party", "trade", "cam", "mom", "skin", "hair", "makeup", "autos", "boats", "homes", "qpon",
        "cloud", "fit", "run", "best", "asia", "mobi", "kim", "ink", "fyi", "link",
    }
)  # fmt: skip
