"""Adversarial text (digit and dot runs, repeated separators, long words, mixed scripts) costs linear time.

Every regular expression of the scoring path, the normaliser, the vectorisers' tokenisers and the whole scorer
are timed on the same repeated pattern at 1,000 and 10,000 characters (the longest message the API accepts).
Linear work grows about tenfold; the test allows 20x, a ratio, so a slow or busy machine does not matter.
"""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Callable
from types import ModuleType

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from weave_ml.campaigns import signature as campaign_signature
from weave_ml.model import features, links, numbers, official, patterns, text
from weave_ml.model.pipeline import build_pipeline
from weave_ml.model.scoring import Scorer

SHORT, LONG = 1_000, 10_000
MAX_GROWTH = 20
BLOCK_S = 0.005
# Pieces attackers repeat: digits, separators, host-like and amount-like runs, keywords the patterns look
# for, and other scripts (Hangul, full-width, Cyrillic look-alikes, invisible characters).
PIECES = ["1", "0", ".", ",", "-", " ", "\n", "a", "z", "@", "/", ":", "가", "원", "본인", "텔레", "kr", "www.",
          "http://", "１", "а", "\u200b", "_", "[", "국외", "*", "·", "대 "]  # fmt: skip
units = st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map("".join)


@pytest.fixture(autouse=True, scope="module")
def nothing_remembered():
    """Time the work itself: a text normalised a moment ago is remembered (weave_ml.model.text), and costs nothing."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text, "REMEMBERED_CHARS", 0)
        yield


def _patterns(module: ModuleType) -> dict[str, re.Pattern[str]]:
    return {f"{module.__name__}.{name}": value for name, value in vars(module).items() if isinstance(value, re.Pattern)}


PATTERNS = {**_patterns(features), **_patterns(patterns), **_patterns(text), **_patterns(links), **_patterns(numbers)}
# The campaign signature's own masks (it also runs the link, phone and money patterns above).
PATTERNS.update(
    {name: value for name, value in _patterns(campaign_signature).items() if value not in PATTERNS.values()}
)
for name, pipeline_step in build_pipeline().named_steps["features"].transformer_list:
    if getattr(pipeline_step, "token_pattern", None) and pipeline_step.analyzer == "word":
        PATTERNS[f"vectoriser {name}.token_pattern"] = re.compile(pipeline_step.token_pattern)


def _seconds(work: Callable[[str], object], message: str) -> float:
    """Best of five timings of ``work(message)``, each over enough calls to last a few milliseconds.

    The clock is this thread's CPU time, not the wall clock: on a shared machine the wall clock also counts the
    time other processes hold the CPU, which says nothing about the work. The garbage collector is off while
    timing: a full collection costs in proportion to everything the test process holds (a fitted model among
    it), not to the message, and more allocations trigger more of them.
    """
    started = time.thread_time()
    work(message)
    calls = max(1, int(BLOCK_S / max(time.thread_time() - started, 1e-7)))
    best = float("inf")
    gc.disable()
    try:
        for _ in range(5):
            started = time.thread_time()
            for _ in range(calls):
                work(message)
            best = min(best, (time.thread_time() - started) / calls)
    finally:
        gc.enable()
    return best


def _growth(work: Callable[[str], object], unit: str) -> float:
    """Time at 10,000 characters over time at 1,000, the least of up to five tries: other work on a shared
    machine only ever makes one measurement slower, while a super-linear pattern fails every try by far."""
    repeated = unit * (LONG // len(unit) + 1)
    growth = float("inf")
    for _ in range(5):
        growth = min(growth, _seconds(work, repeated[:LONG]) / _seconds(work, repeated[:SHORT]))
        if growth <= MAX_GROWTH:
            break
    return growth


def test_every_scoring_pattern_is_covered():
    assert {
        "weave_ml.model.links._LINK",
        "weave_ml.model.patterns.MONEY",
        "weave_ml.model.features._KR_DISGUISE",
        "weave_ml.model.features._CALLBACK_NUMBER",
        "weave_ml.model.numbers._PHONE",
        "weave_ml.model.numbers._MESSENGER_ID",
    } <= set(PATTERNS)
    assert any(name.startswith("vectoriser") for name in PATTERNS)


@pytest.mark.parametrize("name", sorted(PATTERNS))
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.differing_executors])
@given(unit=units)
@example(unit="1")  # 10,000 digits took 3.5 s in the money pattern (quadratic)
@example(unit="1.")
@example(unit="a-")
@example(unit="a.")
@example(unit=".-a")
def test_pattern_time_grows_linearly(name: str, unit: str) -> None:
    pattern = PATTERNS[name]
    growth = _growth(lambda message: sum(1 for _ in pattern.finditer(message)), unit)
    assert growth <= MAX_GROWTH, f"{growth:.1f}x"


@settings(max_examples=20, deadline=None, derandomize=True)
@given(unit=units)
@example(unit="1")
@example(unit="a-.")
@example(unit="upbiit.top ")  # every link one edit from an official domain, on a cheap TLD
@example(unit="x7k2q.kbstar-")
def test_normaliser_signals_and_sender_kind_grow_linearly(unit: str) -> None:
    signals = [test for _, test, _ in features.SIGNALS]

    def read_signals(message: str) -> list[bool]:
        features.link_facts.cache_clear()  # the links of each call are read afresh, not remembered
        return [test(message) for test in signals]

    for work in (text.normalise, read_signals, text.sender_kind):
        growth = _growth(work, unit)
        assert growth <= MAX_GROWTH, f"{growth:.1f}x"


@pytest.fixture(scope="module")
def scorer(small_pipeline) -> Scorer:
    return Scorer(small_pipeline, "linear-time")


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(unit=units)
@example(unit="1")
@example(unit="1,")
@example(unit="a.")
def test_whole_scorer_grows_linearly(scorer: Scorer, unit: str) -> None:
    growth = _growth(lambda message: scorer.score_many([message], ["010-1234-5678"]), unit)
    assert growth <= MAX_GROWTH, f"{growth:.1f}x"


@settings(max_examples=10, deadline=None, derandomize=True)
@given(unit=units)
@example(unit="1")
@example(unit="가*")
@example(unit="a.")
def test_campaign_signature_grows_linearly(unit: str) -> None:
    growth = _growth(campaign_signature.signature, unit)
    assert growth <= MAX_GROWTH, f"{growth:.1f}x"


@settings(max_examples=10, deadline=None, derandomize=True)
@given(unit=units)
@example(unit="a.")
@example(unit="가a")
@example(unit="a@")
@example(unit="ab.com ")
@example(unit="010-")
@example(unit="카톡 a")
def test_links_numbers_and_the_names_of_organisations_are_found_in_linear_time(unit: str) -> None:
    for work in (links.find, numbers.contacts, official.official().named):
        growth = _growth(work, unit)
        assert growth <= MAX_GROWTH, f"{growth:.1f}x"
