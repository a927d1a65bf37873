"""Versioned model store on the shared volume: publish, current, list, rollback, retention."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from weave_ml.model.predictions import OperatingPoints
from weave_ml.registry.rollout_record import Rollout, RolloutError

if TYPE_CHECKING:
    # The gateway reads the registry (versions, pointer, metadata) and never loads a model: scikit-learn, skops and
    # the scorer are imported where a model is loaded or saved, not here.
    from sklearn.pipeline import Pipeline

    from weave_ml.model.scoring import Scorer

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
REPORT_FILE = "report.json"
POINTER_FILE = "CURRENT"
ROLLOUT_FILE = "ROLLOUT"  # the rollout in progress, if any (weave_ml.registry.rollout_record)


class RegistryError(RuntimeError):
    """The registry is empty, a version is unknown, or a model file fails its checks."""


@dataclass(frozen=True)
class LoadedModel:
    """A pipeline read from the registry together with its metadata."""

    version: str
    pipeline: Pipeline
    metadata: dict[str, Any]

    @property
    def points(self) -> OperatingPoints:
        """The operating points stored with this version."""
        return OperatingPoints.from_metadata(self.metadata)

    def scorer(self) -> Scorer:
        """Return a scorer of this version with its own operating points."""
        from weave_ml.model.scoring import Scorer

        return Scorer(self.pipeline, self.version, self.points)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def new_version_name(now: dt.datetime | None = None) -> str:
    """Return a version name that sorts by creation time: ``YYYYmmdd-HHMMSS-<microseconds><hex>``.

    The random suffix keeps two publishers in the same microsecond apart.
    """
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%d-%H%M%S}-{now:%f}{secrets.token_hex(2)}"


class Registry:
    """Model versions under ``root/versions/<version>/`` and a pointer file naming the current one."""

    def __init__(self, root: Path | str, keep: int = 10) -> None:
        self.root = Path(root)
        self.keep = keep
        self.versions_dir = self.root / "versions"
        # Per process: a version's thresholds never change once published (only its status does).
        self._points: dict[str, OperatingPoints] = {}

    # -- reading -------------------------------------------------------------------------------

    def current_version(self) -> str | None:
        """Return the version the pointer names, or None when nothing is published."""
        try:
            name = (self.root / POINTER_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def rollout(self) -> Rollout | None:
        """Return the rollout in progress, or None. A malformed record counts as none (and is logged by the caller)."""
        try:
            raw = (self.root / ROLLOUT_FILE).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return Rollout.from_dict(json.loads(raw))
        except (ValueError, RolloutError) as exc:
            raise RegistryError(f"unreadable rollout record in {self.root}: {exc}") from None

    def metadata(self, version: str) -> dict[str, Any]:
        """Return one version's metadata."""
        path = self.versions_dir / version / METADATA_FILE
        try:
            metadata: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RegistryError(f"unknown model version {version!r}") from None
        return metadata

    def operating_points(self, version: str) -> OperatingPoints:
        """Return the operating points of a version, read once per process."""
        points = self._points.get(version)
        if points is None:
            points = self._points[version] = OperatingPoints.from_metadata(self.metadata(version))
        return points

    def holds(self, version: str) -> bool:
        """Return whether a complete version of this name is in the registry; a name that is not a plain folder name
        (it may come from another process, e.g. a worker's published state) never is."""
        if not version or version.startswith(".") or Path(version).name != version:
            return False
        return (self.versions_dir / version / METADATA_FILE).is_file()

    def versions(self) -> list[dict[str, Any]]:
        """Return the metadata of every complete version, oldest first, each marked ``current`` or not."""
        current = self.current_version()
        found = []
        if self.versions_dir.is_dir():
            for entry in sorted(self.versions_dir.iterdir()):
                if entry.name.startswith(".") or not (entry / METADATA_FILE).is_file():
                    continue
                meta = self.metadata(entry.name)
                meta["current"] = entry.name == current
                found.append(meta)
        return found

    def model_path(self, version: str) -> Path:
        """Return the path of a version's model file."""
        return self.versions_dir / version / MODEL_FILE

    def load(self, version: str | None = None) -> LoadedModel:
        """Load a version (default: the current one), checking its sha256 and the types it holds."""
        version = version or self.current_version()
        if version is None:
            raise RegistryError(f"no model published in {self.root}")
        meta = self.metadata(version)
        path = self.model_path(version)
        if not path.is_file():
            raise RegistryError(f"model file of version {version} is missing")
        actual = sha256_of(path)
        if actual != meta.get("sha256"):
            raise RegistryError(f"model file of version {version} fails its checksum (sha256 {actual[:12]}…)")
        from weave_ml.model import pipeline

        try:
            fitted = pipeline.load(path)
        except pipeline.UntrustedModelError as exc:
            raise RegistryError(f"model version {version} refused: {exc}") from exc
        return LoadedModel(version=version, pipeline=fitted, metadata=meta)

    # -- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _staging(self, version: str) -> Iterator[Path]:
        """Yield a hidden directory to fill; on success it becomes ``versions/<version>``, else it is removed."""
        staging = self.versions_dir / f".staging-{version}"
        staging.mkdir(parents=True)
        try:
            yield staging
            for child in staging.iterdir():
                with open(child, "rb") as handle:
                    os.fsync(handle.fileno())
            _fsync_dir(staging)
            os.replace(staging, self.versions_dir / version)
            _fsync_dir(self.versions_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def publish(
        self,
        fitted: Pipeline,
        metadata: dict[str, Any],
        *,
        report: dict[str, Any] | None = None,
        extra_files: dict[str, bytes] | None = None,
        make_current: bool = True,
    ) -> str:
        """Store a fitted pipeline as a new version and, unless told otherwise, make it current.

        The version directory is written, fsynced and renamed into place before the pointer moves, so a
        reader following the pointer always finds a whole model.
        """
        from weave_ml.model import pipeline

        version = metadata.get("version") or new_version_name()
        with self._staging(version) as staging:
            pipeline.save(fitted, staging / MODEL_FILE)
            full_metadata = {
                **metadata,
                "version": version,
                "sha256": sha256_of(staging / MODEL_FILE),
                "vocabulary_size": pipeline.vocabulary_size(fitted),
                "status": "published" if make_current else "candidate",
                "parent_version": self.current_version(),
            }
            _write_durably(staging / METADATA_FILE, json.dumps(full_metadata, indent=2, ensure_ascii=False).encode())
            if report is not None:
                _write_durably(staging / REPORT_FILE, json.dumps(report, indent=2, ensure_ascii=False).encode())
            for name, data in (extra_files or {}).items():
                _write_durably(staging / name, data)
        if make_current:
            self.set_current(version)
        self.prune()
        return version

    def set_current(self, version: str) -> None:
        """Point at an existing version: write a temporary pointer, fsync, then ``os.replace`` it."""
        meta = self.metadata(version)
        temporary = self.root / f".{POINTER_FILE}.{secrets.token_hex(4)}"
        _write_durably(temporary, (version + "\n").encode())
        os.replace(temporary, self.root / POINTER_FILE)
        _fsync_dir(self.root)
        if meta.get("status") != "published":
            meta["status"] = "published"
            path = self.versions_dir / version / METADATA_FILE
            temporary_meta = path.with_name(f".{METADATA_FILE}.tmp")
            _write_durably(temporary_meta, json.dumps(meta, indent=2, ensure_ascii=False).encode())
            os.replace(temporary_meta, path)

    def set_rollout(self, rollout: Rollout | None) -> None:
        """Record the rollout in progress (None ends it), replaced as the pointer is: temporary file, fsync, rename."""
        path = self.root / ROLLOUT_FILE
        if rollout is None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                _fsync_dir(self.root)
            return
        self.metadata(rollout.candidate)  # an unknown version raises here, before anything is written
        temporary = self.root / f".{ROLLOUT_FILE}.{secrets.token_hex(4)}"
        _write_durably(temporary, json.dumps(rollout.to_dict(), indent=2).encode())
        os.replace(temporary, path)
        _fsync_dir(self.root)

    def rollback(self, version: str | None = None) -> str:
        """Make ``version`` current, or by default the published version before the current one."""
        if version is None:
            current = self.current_version()
            published = [m["version"] for m in self.versions() if m.get("status") == "published"]
            older = [v for v in published if current is None or v < current]
            if not older:
                raise RegistryError("no earlier published version to roll back to")
            version = older[-1]
        self.set_current(version)
        return version

    def prune(self) -> list[str]:
        """Delete the oldest versions beyond ``keep``, never the current one; return what was deleted."""
        current = self.current_version()
        names = [m["version"] for m in self.versions()]
        # The candidate of a rollout in progress is kept too: workers are scoring with it.
        try:
            rollout = self.rollout()
        except RegistryError:
            rollout = None
        kept = {current, rollout.candidate if rollout else None}
        removable = [name for name in names if name not in kept][: max(0, len(names) - self.keep)]
        for name in removable:
            shutil.rmtree(self.versions_dir / name, ignore_errors=True)
        return removable
