"""Frozen admin verdicts: the first verdict of a text stays, no phone number is kept, a bad line is skipped."""

from __future__ import annotations

import pytest

from weave_ml.model.datasets import LabelledMessage
from weave_ml.model.text import SenderKind, sender_kind
from weave_ml.training.regression import STAND_IN_SENDERS, FrozenVerdicts, stand_in_sender


def verdict(text: str, label: int, sender: str | None = "010-9876-5432") -> LabelledMessage:
    return LabelledMessage(text, label, sender, "report:admin_status")


def test_a_verdict_is_frozen_once_and_outlives_later_verdicts(tmp_path):
    frozen = FrozenVerdicts(tmp_path)
    assert frozen.load() == []
    assert frozen.freeze([verdict("택배 반송 확인 http://a.top", 1), verdict("내일 회의 10시", 0)], "run-1") == 2
    # The same texts (after normalisation) with other verdicts, and one new text.
    later = [verdict("택배  반송 확인 http://A.top", 0), verdict("내일 회의 10시", 1), verdict("새 문자", 1)]
    assert frozen.freeze(later, "run-2") == 1

    loaded = frozen.load()
    assert [(m.message, m.label) for m in loaded] == [
        ("택배 반송 확인 http://a.top", 1),
        ("내일 회의 10시", 0),
        ("새 문자", 1),
    ]
    assert {m.source for m in loaded} == {"verdict:admin"}
    assert not list(tmp_path.joinpath("regression").glob(".*")), "no temporary file left"


def test_no_phone_number_is_stored_only_its_kind(tmp_path):
    frozen = FrozenVerdicts(tmp_path)
    frozen.freeze([verdict("a", 1, "010-9876-5432"), verdict("b", 1, "+44 20 7946 0000"), verdict("c", 0, None)], "r")
    text = frozen.path.read_text(encoding="utf-8")
    assert "9876" not in text and "7946" not in text
    assert [sender_kind(m.sender) for m in frozen.load()] == [
        SenderKind.MOBILE,
        SenderKind.INTERNATIONAL,
        SenderKind.UNKNOWN,
    ]


@pytest.mark.parametrize("kind", list(SenderKind))
def test_each_stand_in_reads_back_as_its_kind(kind):
    assert sender_kind(STAND_IN_SENDERS[kind.value]) == kind
    assert sender_kind(stand_in_sender(STAND_IN_SENDERS[kind.value])) == kind


def test_an_unreadable_line_is_skipped_not_fatal(tmp_path):
    frozen = FrozenVerdicts(tmp_path)
    frozen.freeze([verdict("a", 1)], "r")
    with open(frozen.path, "a", encoding="utf-8") as handle:
        handle.write('{"message": "half a line\n')
    frozen.freeze([verdict("b", 0)], "r")
    assert [m.message for m in frozen.load()] == ["a", "b"]
