import pytest

from weave_ml.model import datasets


def test_uci_file_reads_every_line_with_quotes_intact(uci_messages):
    # A CSV reader with default quoting merges lines here and finds 5,572 rows.
    assert len(uci_messages) == 5574
    assert sum(m.label for m in uci_messages) == 747
    assert any(m.message.startswith('"') for m in uci_messages)


def test_jsonl_and_csv(tmp_path):
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text(
        '{"message": "택배 확인", "label": 1, "sender": "010-1234-5678"}\n\n{"message": "밥 먹자", "label": 0}\n'
    )
    assert datasets.read(jsonl, "jsonl") == [
        datasets.LabelledMessage("택배 확인", 1, "010-1234-5678", "jsonl"),
        datasets.LabelledMessage("밥 먹자", 0, None, "jsonl"),
    ]
    table = tmp_path / "a.csv"
    table.write_text('message,label,sender\n"안녕, 잘 지내?",0,\n광고 클릭,spam,02-123-4567\n', encoding="utf-8")
    assert [(m.message, m.label, m.sender) for m in datasets.read(table, "csv")] == [
        ("안녕, 잘 지내?", 0, None),
        ("광고 클릭", 1, "02-123-4567"),
    ]


@pytest.mark.parametrize(
    ("fmt", "content", "error"),
    [
        ("jsonl", '{"message": "x", "label": 1}\nnot json\n', r"a\.data:2: not JSON"),
        ("jsonl", '{"message": 3, "label": 1}\n', "string 'message'"),
        ("jsonl", '{"message": "x", "label": "maybe"}\n', "label must be"),
        ("csv", "text,label\nx,1\n", "header must name"),
        ("uci", "ham\tok\nno tab here\n", r"a\.data:2: expected label<TAB>text"),
    ],
)
def test_bad_files_name_the_line(tmp_path, fmt, content, error):
    path = tmp_path / "a.data"
    path.write_text(content)
    with pytest.raises(datasets.DatasetError, match=error):
        datasets.read(path, fmt)


def test_invalid_utf8_and_missing_files(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_bytes(b"ham\t\xff\xfe\n")
    with pytest.raises(datasets.DatasetError, match="not UTF-8"):
        datasets.read(path, "uci")
    with pytest.raises(datasets.DatasetError, match="No such file"):
        datasets.read(tmp_path / "missing.tsv", "uci")
    with pytest.raises(datasets.DatasetError, match="unknown format"):
        datasets.read(path, "xml")
