"""Tests for the synthetic Korean seed corpus generator."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from weave_ml.model.datasets import LabelledMessage
from weave_ml.training.corpus import FAMILIES, generate, normal, phishing, write_jsonl
from weave_ml.training.corpus.template import render

DATA = Path(__file__).resolve().parents[1] / "data"
# Hand-written evaluation sets: the original hold-out and the later, independently worded realistic set.
HOLDOUTS = ("korean_holdout.jsonl", "korean_realistic.jsonl")
REPO_ROOT = Path(__file__).resolve().parents[2]

SENDER_FORMATS = [
    re.compile(pattern)
    for pattern in (
        r"010-\d{4}-\d{4}",  # mobile, dashed
        r"010\d{8}",  # mobile, plain
        r"0(2|[3-6]\d)-\d{3,4}-\d{4}",  # geographic landline
        r"070-\d{4}-\d{4}",  # internet phone
        r"080-\d{3,4}-\d{4}",  # toll-free
        r"1[5-9]\d{2}-?\d{4}",  # representative number
        r"#\d{4}|1[5-9]\d{2}|114",  # short codes
        r"\+\d{1,3}( \d{1,4}){2,4}",  # international
    )
]


@pytest.fixture(scope="module")
def corpus() -> list[LabelledMessage]:
    return generate()


def _dump(tmp_path: Path, name: str, messages: list[LabelledMessage]) -> bytes:
    path = tmp_path / name
    write_jsonl(path, messages)
    return path.read_bytes()


def test_same_seed_same_corpus_in_process(tmp_path: Path) -> None:
    first, second = generate(seed=7, size=800), generate(seed=7, size=800)
    assert _dump(tmp_path, "a.jsonl", first) == _dump(tmp_path, "b.jsonl", second)


def test_same_seed_same_bytes_across_processes(tmp_path: Path) -> None:
    script = "import sys, weave_ml.training.corpus as c; c.write_jsonl(sys.argv[1], c.generate())"
    outputs = []
    # Different hash seeds per process would expose any dependence on set or dict-of-str iteration order.
    for index, hash_seed in enumerate(("1", "987654")):
        target = tmp_path / f"run{index}.jsonl"
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", script, str(target)], check=True, env=env, cwd=REPO_ROOT)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 0


def test_different_seed_different_corpus(tmp_path: Path) -> None:
    first, second = generate(seed=1, size=500), generate(seed=2, size=500)
    assert _dump(tmp_path, "a.jsonl", first) != _dump(tmp_path, "b.jsonl", second)


def test_default_size_and_requested_size() -> None:
    assert len(generate(size=300)) == 300
    assert generate(size=0) == []


def test_every_family_present(corpus: list[LabelledMessage]) -> None:
    sources = Counter(message.source for message in corpus)
    assert set(FAMILIES) == {family.name for family in phishing.FAMILIES + normal.FAMILIES}
    assert len(FAMILIES) == len(set(FAMILIES))
    for name in FAMILIES:
        assert sources[f"seed:{name}"] >= 50, name
    assert set(sources) == {f"seed:{name}" for name in FAMILIES}


def test_phishing_families_carry_label_one(corpus: list[LabelledMessage]) -> None:
    expected = {f"seed:{family.name}": family.label for family in phishing.FAMILIES + normal.FAMILIES}
    assert all(family.label == 1 for family in phishing.FAMILIES)
    assert all(family.label == 0 for family in normal.FAMILIES)
    for message in corpus:
        assert message.label == expected[message.source]


def test_required_phishing_stories_are_covered() -> None:
    names = {family.name for family in phishing.FAMILIES}
    assert {
        "parcel",
        "parcel_customs",
        "public_health",
        "public_pension",
        "prosecutor",
        "court_notice",
        "traffic_fine",
        "gov_refund",
        "family_impersonation",
        "loan",
        "investment",
        "overseas_payment",
        "account_alert",
        "invitation",
        "prize_refund",
        "job_ad",
        "app_install",
        "secondhand",
        "micropayment",
        "messenger_account",
        "gambling",
    } <= names


def test_only_lures_evade_filters() -> None:
    import random

    from weave_ml.training.corpus import variation

    rng = random.Random(0)
    text = "[택배] 주소 불일치로 보관중입니다 확인 http://cj-logis.top/kr 문의 01012345678"
    evaded = {variation.evade(text, rng) for _ in range(200)}
    assert len(evaded - {text}) > 100
    assert any("。" in t or ". " in t or "[.]" in t for t in evaded)  # links broken
    assert any(ch in t for t in evaded for ch in "аеорсхі")  # Cyrillic look-alikes
    assert any("*" in t or "?" in t for t in evaded)  # masked digits
    for family in normal.FAMILIES:
        for message in generate(seed=4, size=400):
            if message.source == f"seed:{family.name}":
                assert not any(ch in message.message for ch in "аеорсхі。"), message.message


def test_label_ratio(corpus: list[LabelledMessage]) -> None:
    labels = Counter(message.label for message in corpus)
    assert set(labels) == {0, 1}
    assert 0.40 <= labels[1] / len(corpus) <= 0.45


def test_no_duplicate_messages(corpus: list[LabelledMessage]) -> None:
    texts = [message.message for message in corpus]
    assert len(texts) == len(set(texts)) == 8000
    assert all(text.strip() for text in texts)


def test_sender_formats(corpus: list[LabelledMessage]) -> None:
    for message in corpus:
        if message.sender is not None:
            assert any(pattern.fullmatch(message.sender) for pattern in SENDER_FORMATS), message.sender
    assert any(message.sender is None for message in corpus)


def test_foreign_prefix_is_not_a_label_giveaway(corpus: list[LabelledMessage]) -> None:
    foreign = [message for message in corpus if message.message.startswith(("[국외발신]", "[국제발신]"))]
    web = Counter(message.label for message in corpus if message.message.startswith("[Web발신]"))
    assert Counter(message.label for message in foreign)[0] > 0
    assert web[0] > 0 and web[1] > 0
    for message in foreign:
        assert message.sender is not None and message.sender.startswith("+")


def test_ads_carry_an_opt_out_line() -> None:
    for message in generate(seed=3, size=3000):
        if message.source == "seed:ham_shop_ad":
            # NFKC folds the occasional full-width digits back; a typo may hit the words but not the number.
            assert re.search(r"080-\d{3,4}-\d{4}", unicodedata.normalize("NFKC", message.message))


def test_every_template_renders() -> None:
    rng = random.Random(0)
    for family in phishing.FAMILIES + normal.FAMILIES:
        assert len(family.templates) >= 8, family.name
        for template in family.templates:
            text = render(template, rng)
            assert "{" not in text and "}" not in text, (family.name, template)


def test_jsonl_fields(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    write_jsonl(path, generate(size=50))
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 50
    for record in records:
        assert list(record) == ["message", "label", "sender", "source"]
        assert record["source"].startswith("seed:")


def _holdout(name: str) -> list[dict[str, object]]:
    path = DATA / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name", HOLDOUTS)
def test_holdout_parses_and_is_balanced(name: str) -> None:
    records = _holdout(name)
    assert 150 <= len(records) <= 250
    labels = Counter(record["label"] for record in records)
    assert set(labels) == {0, 1}
    assert 0.4 <= labels[1] / len(records) <= 0.6
    for record in records:
        assert isinstance(record["message"], str) and record["message"].strip()
        assert set(record) <= {"message", "label", "sender"}
        assert record.get("sender") is None or isinstance(record["sender"], str)
    texts = [record["message"] for record in records]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("name", HOLDOUTS)
def test_holdout_does_not_overlap_generated_corpus(corpus: list[LabelledMessage], name: str) -> None:
    generated = {message.message for message in corpus}
    overlap = [record["message"] for record in _holdout(name) if record["message"] in generated]
    assert overlap == []


def test_holdouts_do_not_overlap_each_other() -> None:
    first, second = ({record["message"] for record in _holdout(name)} for name in HOLDOUTS)
    assert first.isdisjoint(second)
