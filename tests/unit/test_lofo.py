"""Leave one family out on a small configuration: what the model may not see, what is measured, the CLI's table."""

from __future__ import annotations

import json
import statistics

import pytest

from weave_ml import cli
from weave_ml.model import links, pipeline
from weave_ml.model.datasets import PHISHING, LabelledMessage
from weave_ml.training import corpus, lofo


@pytest.fixture(scope="module")
def small() -> list[LabelledMessage]:
    return corpus.generate(size=900)


def _family(messages: list[LabelledMessage], name: str) -> list[LabelledMessage]:
    return [m for m in messages if m.source == f"seed:{name}"]


def test_markers_are_the_familys_brands_and_link_domains_not_shorteners(small):
    found = lofo.markers("parcel", _family(small, "parcel"))
    assert {"CJ대한통운", "로젠택배"} <= found.brands and "KB국민은행" not in found.brands
    assert found.domains and all("." in domain for domain in found.domains)
    assert not found.domains & {"bit.ly", "han.gl", "url.kr"}
    assert found.found_in(LabelledMessage("[CJ대한통운] 주소 확인", 1))
    some_domain = sorted(found.domains)[0]
    assert found.found_in(LabelledMessage(f"확인 http://{some_domain}/a", 1))
    assert not found.found_in(LabelledMessage("내일 점심 같이 먹자", 0))


def test_the_family_its_brands_and_domains_never_reach_training(small):
    seen: list[LabelledMessage] = []

    def train(messages):
        seen.extend(messages)
        return pipeline.train(messages)

    fold = lofo.leave_out(small, "account_alert", train=train)
    left_out = _family(small, "account_alert")
    found = lofo.markers("account_alert", left_out)
    assert fold.n == len(left_out) and len(fold.scores) == fold.n
    assert not {m.source for m in seen} & {"seed:account_alert"}
    assert not [m for m in seen if m.label == PHISHING and found.found_in(m)]
    # Other families' lures naming a bank or an exchange were dropped; genuine notices naming them stay.
    assert fold.dropped > 0
    assert [m for m in seen if m.label != PHISHING and found.found_in(m)]
    assert not any(link.domain in found.domains for m in seen for link in links.find(m.message) if m.label == PHISHING)
    assert set(fold.caught) == {"low", "medium", "high"}
    assert fold.caught["low"] <= fold.caught["medium"] <= fold.caught["high"]
    assert fold.caught["medium"] == pytest.approx(float((fold.scores >= fold.thresholds["medium"]).mean()))


def test_summary_reports_every_family_and_the_median(small):
    result = lofo.evaluate_lofo(small, ["parcel", "loan", "invitation"])
    families = result["families"]
    assert [f["family"] for f in families] == ["parcel", "loan", "invitation"]
    at_medium = [f["caught"]["medium"] for f in families]
    assert result["median_caught_at_medium"] == statistics.median(at_medium)
    assert result["lowest_caught_at_medium"] == min(at_medium)
    assert all(set(f["thresholds_set_by"]) == {"low", "medium", "high"} for f in families)
    with pytest.raises(ValueError, match="unknown phishing families"):
        lofo.evaluate_lofo(small, ["no_such_family"])


def test_cli_prints_the_table_and_json(small, monkeypatch, capsys):
    monkeypatch.setattr(cli.corpus, "default_training_data", lambda: small)
    assert cli.main(["evaluate", "--protocol", "lofo", "--family", "parcel", "--family", "loan", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [f["family"] for f in printed["families"]] == ["parcel", "loan"]
    assert cli.main(["evaluate", "--protocol", "lofo", "--family", "gambling"]) == 0
    table = capsys.readouterr().out
    assert "gambling" in table and "median caught at medium" in table
