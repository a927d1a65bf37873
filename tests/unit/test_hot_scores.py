"""The gateway's in-memory hot scores: version-keyed, expiring, bounded, off at a TTL of 0."""

from api.hot_scores import HotScores
from weave_ml.model.predictions import Score


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def score(digest: str, version: str, probability: float = 0.9) -> Score:
    return Score(digest, probability, (), version)


def test_a_score_is_found_under_its_own_version_only():
    hot = HotScores(ttl_s=2)
    hot.put([score("sha256:a", "v1")])
    assert hot.get(["v2"], "sha256:a") is None  # a newly published model never answers from v1's entries
    assert hot.get(["v2", "v1"], "sha256:a") == score("sha256:a", "v1")
    assert hot.get(["v1"], "sha256:b") is None


def test_the_first_served_version_wins():
    hot = HotScores(ttl_s=2)
    hot.put([score("sha256:a", "v1", 0.1), score("sha256:a", "v2", 0.2)])
    assert hot.get(["v2", "v1"], "sha256:a") == score("sha256:a", "v2", 0.2)
    assert hot.get(["v1", "v2"], "sha256:a") == score("sha256:a", "v1", 0.1)


def test_entries_expire_after_the_ttl():
    clock = Clock()
    hot = HotScores(ttl_s=2, clock=clock)
    hot.put([score("sha256:a", "v1")])
    clock.now += 1.9
    assert hot.get(["v1"], "sha256:a") is not None
    clock.now += 0.2
    assert hot.get(["v1"], "sha256:a") is None


def test_size_is_bounded():
    hot = HotScores(ttl_s=60, max_entries=100)
    hot.put([score(f"sha256:{i}", "v1") for i in range(1000)])
    assert sum(hot.get(["v1"], f"sha256:{i}") is not None for i in range(1000)) == 100


def test_a_ttl_of_zero_turns_it_off():
    hot = HotScores(ttl_s=0)
    hot.put([score("sha256:a", "v1")])
    assert hot.get(["v1"], "sha256:a") is None
