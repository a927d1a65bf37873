"""A 20-second run of the soak (``python -m bench.soak``): mixed load, a model published half-way, no error."""

import pytest

from bench import soak

pytestmark = pytest.mark.integration


def test_twenty_seconds_of_mixed_load_without_an_error():
    result = soak.run(duration_s=20)
    assert result["errors"] == 0, result["error_samples"]
    assert {"predict_unique", "predict_cached", "batch"} <= set(result["requests"])
    assert result["answers_by_version"].get(result["published_version"], 0) > 0  # the workers reloaded
    assert set(result["rss_kib_at_end"]) == set(result["rss_kib_after_warm_up"])
