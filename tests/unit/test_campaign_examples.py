"""Campaign templates as weak training examples: filling their masks, and what a weight does to training."""

from __future__ import annotations

import json

import numpy as np
import pytest

from devstack import ROOT
from tests.lures import escrow_lures
from weave_ml.campaigns.examples import STAND_INS, fill
from weave_ml.campaigns.signature import MARKS, mask, signature
from weave_ml.model import pipeline
from weave_ml.model.datasets import LabelledMessage
from weave_ml.training import corpus


def test_every_stand_in_masks_back_to_its_own_mark():
    for kind, stand_in in STAND_INS.items():
        assert mask(stand_in) == MARKS[kind], kind


def test_a_filled_template_has_the_signature_of_the_lure_it_came_from():
    lures = [m.message for m in corpus.generate(seed=3, size=3000) if m.label]
    realistic = (ROOT / "tests" / "data" / "korean_realistic.jsonl").read_text(encoding="utf-8").splitlines()
    lures += [row["message"] for row in map(json.loads, realistic) if row["label"] == 1]
    signed = [found for found in map(signature, lures) if found is not None]
    assert len(signed) > 1000
    differing = [template for bands, template in signed if (signature(fill(template)) or (None,))[0] != bands]
    # Filling changes spacing only, which signatures ignore; a look-alike host cut by a mark ("sсоurt.<link>") can
    # read as a second link once its mark stands apart.
    assert len(differing) <= len(signed) // 500, differing[:3]
    assert not any("\ue000" <= ch <= "\ue0ff" for _, template in signed for ch in fill(template))


def test_a_weak_example_teaches_its_campaign_as_much_as_its_weight():
    messages = corpus.generate(seed=2, size=1500)
    lures = escrow_lures(1, 21)
    found = signature(lures[0])
    assert found is not None
    example = fill(found[1])

    def caught(weight: float | None) -> float:
        extra = [] if weight is None else [LabelledMessage(example, 1, source="campaign", weight=weight)]
        fitted = pipeline.train([*messages, *extra])
        return float(np.mean(fitted.predict_proba(pipeline.to_inputs(lures[1:]))[:, 1]))

    without, weak, full = caught(None), caught(0.1), caught(1.0)
    assert without < 0.5 < full  # the model misses this lure until it learns the template
    assert without + 0.1 < weak < full - 0.1


@pytest.mark.parametrize("weights", [(1.0, -0.1), (0.0, 0.0)])
def test_weights_must_be_non_negative_and_not_all_zero(weights):
    messages = [LabelledMessage(f"text {i}", i % 2, weight=w) for i, w in enumerate(weights)]
    with pytest.raises(ValueError, match="weights"):
        pipeline.train(messages)
