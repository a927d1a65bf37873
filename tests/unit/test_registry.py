import json
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import skops.io
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from devstack.processes import wait_until
from weave_ml.model import pipeline
from weave_ml.registry.store import METADATA_FILE, POINTER_FILE, RegistryError, sha256_of


@pytest.fixture(scope="module")
def tiny_pipeline(uci_messages):
    return pipeline.train(uci_messages[:250])


def test_empty_registry(registry):
    assert registry.current_version() is None
    assert registry.versions() == []
    with pytest.raises(RegistryError, match="no model published"):
        registry.load()


def test_publish_makes_a_complete_current_version(registry, tiny_pipeline):
    version = registry.publish(tiny_pipeline, {"metrics": {"mcc": 0.9}})
    assert registry.current_version() == version
    folder = registry.versions_dir / version
    assert sorted(p.name for p in folder.iterdir()) == ["metadata.json", "model.skops"]
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["version"] == version and meta["status"] == "published" and meta["parent_version"] is None
    assert meta["vocabulary_size"] == pipeline.vocabulary_size(tiny_pipeline)
    loaded = registry.load()
    assert loaded.version == version and loaded.metadata["metrics"] == {"mcc": 0.9}


def test_the_registry_holds_only_its_complete_versions_by_their_plain_names(registry, tiny_pipeline):
    version = registry.publish(tiny_pipeline, {})
    (registry.versions_dir / ".staging-half-written").mkdir()
    assert registry.holds(version)
    # Names from other processes (a worker's state) are never paths into or out of the registry.
    for name in ("20990101-000000-000000ffff", "", ".staging-half-written", f"../versions/{version}", f"{version}/"):
        assert not registry.holds(name), name


def test_candidate_is_stored_but_not_current(registry, tiny_pipeline):
    first = registry.publish(tiny_pipeline, {})
    candidate = registry.publish(tiny_pipeline, {}, make_current=False)
    assert registry.current_version() == first
    assert registry.metadata(candidate)["status"] == "candidate"
    registry.rollback(candidate)  # promoting a candidate is a pointer move, like a rollback
    assert registry.current_version() == candidate
    assert registry.metadata(candidate)["status"] == "published"


def test_rollback_defaults_to_the_previous_published_version(registry, tiny_pipeline):
    first = registry.publish(tiny_pipeline, {"version": "20260101-000000-aaaaaa"})
    second = registry.publish(tiny_pipeline, {"version": "20260102-000000-bbbbbb"})
    assert registry.metadata(second)["parent_version"] == first
    assert registry.rollback() == first
    assert registry.current_version() == first
    with pytest.raises(RegistryError, match="no earlier"):
        registry.rollback()
    with pytest.raises(RegistryError, match="unknown model version"):
        registry.rollback("19990101-000000-000000")


def test_retention_keeps_the_newest_and_the_current(registry, tiny_pipeline):
    names = [f"2026010{day}-000000-00000{day}" for day in range(1, 6)]
    registry.publish(tiny_pipeline, {"version": names[0]})
    for name in names[1:]:
        registry.publish(tiny_pipeline, {"version": name}, make_current=False)
    kept = [m["version"] for m in registry.versions()]
    assert kept == [names[0], *names[-2:]]  # keep=3: the current one survives although it is the oldest


def test_tampered_model_file_is_refused(registry, tiny_pipeline):
    version = registry.publish(tiny_pipeline, {})
    path = registry.model_path(version)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(RegistryError, match="checksum"):
        registry.load()


def test_untrusted_types_are_refused_even_with_a_matching_checksum(registry, tiny_pipeline):
    version = registry.publish(tiny_pipeline, {})
    path = registry.model_path(version)
    skops.io.dump(Pipeline([("run", FunctionTransformer(np.save))]), path)  # code that would run on load
    _rewrite_metadata(registry, version, sha256=sha256_of(path))
    with pytest.raises(RegistryError, match="untrusted types"):
        registry.load()


def test_a_version_without_a_recorded_checksum_is_refused(registry, tiny_pipeline):
    version = registry.publish(tiny_pipeline, {})
    _rewrite_metadata(registry, version, sha256=None)
    with pytest.raises(RegistryError, match="checksum"):
        registry.load()


def _rewrite_metadata(registry, version, **changes):
    path = registry.versions_dir / version / METADATA_FILE
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def test_a_publish_that_fails_half_way_leaves_no_trace(registry, tiny_pipeline):
    first = registry.publish(tiny_pipeline, {})
    with pytest.raises(TypeError):
        registry.publish(tiny_pipeline, {"metrics": {"unserialisable": object()}})
    assert registry.current_version() == first
    assert [p.name for p in registry.versions_dir.iterdir()] == [first]


PUBLISHER = textwrap.dedent(
    """
    import sys
    from weave_ml.model import datasets, pipeline
    from weave_ml.registry.store import Registry
    registry = Registry(sys.argv[1], keep=50)
    fitted = pipeline.train(datasets.read(sys.argv[2], "uci")[:int(sys.argv[3])])
    print("ready", flush=True)
    for _ in range(int(sys.argv[4])):
        registry.publish(fitted, {})
    """
)


def _publisher(root, uci_path, n_messages, n_versions):
    return subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(root), str(uci_path), str(n_messages), str(n_versions)],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_publish_killed_half_way_leaves_the_current_version_intact(registry, tiny_pipeline):
    from tests.conftest import UCI_PATH

    first = registry.publish(tiny_pipeline, {})
    with _publisher(registry.root, UCI_PATH, 3000, 1) as process:
        assert process.stdout.readline().strip() == "ready"
        # Looked for without a pause: the half-written version exists for a moment only.
        wait_until(
            lambda: any(p.name.startswith(".staging-") for p in registry.versions_dir.iterdir()),
            60,
            "the publisher to start writing",
            interval_s=0,
        )
        os.kill(process.pid, signal.SIGKILL)
    assert registry.current_version() == first
    assert [m["version"] for m in registry.versions()] == [first]
    assert registry.load().version == first


def test_readers_during_publishes_always_load_a_whole_model(registry, tiny_pipeline):
    from tests.conftest import UCI_PATH

    registry.publish(tiny_pipeline, {})
    seen = set()
    with _publisher(registry.root, UCI_PATH, 250, 8) as process:
        assert process.stdout.readline().strip() == "ready"
        while process.poll() is None:
            loaded = registry.load()  # raises on a half-written or mismatching model
            seen.add(loaded.version)
    assert process.returncode == 0
    seen.add(registry.load().version)
    assert len(seen) >= 2
    assert (registry.root / POINTER_FILE).read_text().strip() == registry.versions()[-1]["version"]


def test_operating_points_come_from_each_versions_metadata(registry, small_pipeline):
    from weave_ml.model.scoring import LEGACY_POINTS, OperatingPoints

    points = OperatingPoints(low=0.6, medium=0.25, high=0.2, risk_high=0.6, risk_medium=0.2)
    new = registry.publish(small_pipeline, {"version": "v-new", **points.to_metadata()})
    old = registry.publish(small_pipeline, {"version": "v-old", "thresholds": {"low": 0.7, "medium": 0.5, "high": 0.3}})
    assert registry.operating_points(new) == points
    assert registry.operating_points(old) == LEGACY_POINTS
    assert registry.load(new).scorer().points == points
