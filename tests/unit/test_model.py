import zipfile

import numpy as np
import pytest
import skops.io
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from weave_ml.model import pipeline
from weave_ml.model.predictions import LEGACY_POINTS, Score, to_prediction
from weave_ml.model.scoring import Scorer
from weave_ml.model.text import message_hash


def test_round_trip_gives_identical_probabilities(small_pipeline, uci_messages, tmp_path):
    path = tmp_path / "model.skops"
    pipeline.save(small_pipeline, path)
    loaded = pipeline.load(path)
    inputs = pipeline.to_inputs([m.message for m in uci_messages[2000:2300]])
    np.testing.assert_array_equal(loaded.predict_proba(inputs), small_pipeline.predict_proba(inputs))


def test_a_file_naming_the_former_module_paths_still_loads(small_pipeline, uci_messages, tmp_path):
    written, former = tmp_path / "model.skops", tmp_path / "former.skops"
    pipeline.save(small_pipeline, written)
    # The same file as it was written when the signals lived in weave_ml.features.
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(former, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "schema.json":
                assert b"weave_ml.model.features" in data
                data = data.replace(b"weave_ml.model.features", b"weave_ml.features")
            target.writestr(item, data)
    loaded = pipeline.load(former)
    inputs = pipeline.to_inputs([m.message for m in uci_messages[2000:2100]])
    np.testing.assert_array_equal(loaded.predict_proba(inputs), small_pipeline.predict_proba(inputs))


def test_fast_scorer_matches_the_pipeline(small_pipeline, uci_messages):
    texts = [m.message for m in uci_messages[3000:3500]] + ["", "   ", "🙂🙂", "택배 주소 확인 http://bit.ly/x"]
    senders = [None] * 500 + ["010-1234-5678", None, "+63 917 123 4567", "1588-1234"]
    expected = small_pipeline.predict_proba(pipeline.to_inputs(texts, senders))[:, 1]
    np.testing.assert_allclose(Scorer(small_pipeline, "v").probabilities(texts, senders), expected, atol=1e-12)


def test_scores_keep_input_order_and_carry_reasons(small_pipeline, uci_messages):
    spam = next(m.message for m in uci_messages[2000:] if m.label == 1 and "call" in m.message.lower())
    scores = Scorer(small_pipeline, "v7").score_many(["see you at lunch", spam])
    assert [s.model_version for s in scores] == ["v7", "v7"]
    assert scores[0].probability < 0.5 < scores[1].probability
    assert scores[0].reasons == ()
    assert 1 <= len(scores[1].reasons) <= 3
    assert all(isinstance(reason, str) and reason for reason in scores[1].reasons)


def test_scores_carry_the_hashes_a_caller_gives_and_otherwise_their_own(small_pipeline, uci_messages):
    texts, senders = [m.message for m in uci_messages[2000:2010]], ["010-1234-5678"] * 10
    scorer = Scorer(small_pipeline, "v")
    own = scorer.score_many(texts, senders)
    assert [s.message_hash for s in own] == [message_hash(t, s) for t, s in zip(texts, senders, strict=True)]
    given = scorer.score_many(texts, senders, [f"sha256:{n}" for n in range(10)])
    assert [s.message_hash for s in given] == [f"sha256:{n}" for n in range(10)]
    assert [s.probability for s in given] == [s.probability for s in own]


def test_vocabulary_size_counts_every_feature(small_pipeline):
    union = small_pipeline.named_steps["features"]
    assert pipeline.vocabulary_size(small_pipeline) == len(union.get_feature_names_out()) > 1000


def test_training_needs_both_classes(uci_messages):
    with pytest.raises(ValueError, match="both"):
        pipeline.train([m for m in uci_messages[:300] if m.label == 0])


def test_untrusted_type_is_refused(tmp_path):
    path = tmp_path / "evil.skops"
    skops.io.dump(Pipeline([("run", FunctionTransformer(np.save))]), path)
    with pytest.raises(pipeline.UntrustedModelError, match="untrusted types"):
        pipeline.load(path)


def test_truncated_file_is_refused(small_pipeline, tmp_path):
    path = tmp_path / "model.skops"
    pipeline.save(small_pipeline, path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(pipeline.UntrustedModelError, match="not a readable model file"):
        pipeline.load(path)


def test_file_without_a_pipeline_is_refused(tmp_path):
    path = tmp_path / "array.skops"
    skops.io.dump(np.zeros(3), path)
    assert zipfile.is_zipfile(path)
    with pytest.raises(pipeline.UntrustedModelError, match="does not hold a pipeline"):
        pipeline.load(path)


@pytest.mark.parametrize(("probability", "band"), [(0.0, "low"), (0.39, "low"), (0.4, "medium"), (0.7, "high")])
def test_legacy_risk_bands(probability, band):
    assert LEGACY_POINTS.risk_level(probability) == band


def test_sensitivity_moves_the_threshold_not_the_probability():
    score = Score("sha256:00", 0.55, ("단축 URL 포함",), "v1")
    low, medium, high = (to_prediction(score, level, LEGACY_POINTS) for level in ("low", "medium", "high"))
    assert {p["phishing_probability"] for p in (low, medium, high)} == {0.55}
    assert (low["is_phishing"], medium["is_phishing"], high["is_phishing"]) == (False, True, True)
    assert (low["threshold"], medium["threshold"], high["threshold"]) == (0.7, 0.5, 0.3)
    assert medium["reasons"] == ["단축 URL 포함"] and medium["message_hash"] == "sha256:00"


def test_signal_layout_is_fixed_at_fit_time():
    from weave_ml.model.features import SIGNALS, MessageSignals

    signals = MessageSignals().fit([])
    assert signals.signals_ == [name for name, _, _ in SIGNALS]
    older = MessageSignals().fit([])
    older.signals_ = signals.signals_[:2]  # a model saved before later signals were added
    assert older.transform([("http://bit.ly/x", "mobile")]).shape == (1, 2 + len(signals.sender_kinds_))
    older.signals_ = ["retired_signal"]
    with pytest.raises(ValueError, match="retired_signal"):
        older.transform([("text", "mobile")])
