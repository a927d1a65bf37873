import json

import pytest

from weave_ml.cli import main


@pytest.fixture
def data_file(tmp_path, uci_messages):
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps({"message": m.message, "label": m.label}) + "\n" for m in uci_messages[:600]))
    return path


def test_train_models_score_rollback(tmp_path, data_file, capsys):
    model_dir = tmp_path / "models"
    assert main(["train", "--data", str(data_file), "--format", "jsonl", "--model-dir", str(model_dir)]) == 0
    first = capsys.readouterr().out.split()[1].rstrip(":")
    assert main(["train", "--data", str(data_file), "--model-dir", str(model_dir), "--seed", "1"]) == 0
    second = capsys.readouterr().out.split()[1].rstrip(":")

    assert main(["models", "--model-dir", str(model_dir), "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [(m["version"], m["current"]) for m in listing] == [(first, False), (second, True)]
    assert listing[1]["training_data"]["train"]["total"] + listing[1]["training_data"]["test"]["total"] == 600
    assert set(listing[1]["libraries"]) >= {"scikit-learn", "numpy", "skops", "python"}
    # A labelled file is real text: its held-out normal messages fix every threshold.
    assert listing[1]["thresholds_set_by"] == {"low": "jsonl", "medium": "jsonl", "high": "jsonl"}

    assert main(["score", "WINNER!! Call 09061701461 to claim your £900 prize", "--model-dir", str(model_dir)]) == 0
    prediction = json.loads(capsys.readouterr().out)
    assert prediction["model_version"] == second and prediction["sensitivity_level"] == "medium"
    assert prediction["is_phishing"] is True and prediction["reasons"]

    assert main(["rollback", "--model-dir", str(model_dir)]) == 0
    assert first in capsys.readouterr().out
    assert main(["models", "--model-dir", str(model_dir)]) == 0
    first_line = capsys.readouterr().out.splitlines()[0]
    assert first_line.startswith(f"* {first}") and first_line.endswith("(set by jsonl)")


def test_user_errors_are_one_line_and_exit_2(tmp_path, capsys):
    assert main(["score", "hello", "--model-dir", str(tmp_path / "empty")]) == 2
    assert "no model published" in capsys.readouterr().err
    assert main(["evaluate", "--data", str(tmp_path / "missing.tsv"), "--format", "uci"]) == 2
    assert "No such file" in capsys.readouterr().err
