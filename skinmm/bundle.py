"""Save and load a trained model bundle: both branches, fusion settings and ``model_card.json``.

Layout::

    BUNDLE/
      model_card.json   classes, preprocessing, backbone, embedder, fusion, calibration,
                        training (arguments, git commit, data fingerprint), metrics, and a
                        sha256 for every other file
      image/            the image branch (trained weights + config)
      text/             the text branch (text.ubj + config)
      report/           the evaluation report (metrics.json, predictions.csv, plots)

Loading checks every checksum and refuses a newer schema, so a bundle is either exactly what
was trained and evaluated or it does not load.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from skinmm.fusion import FusionParams
from skinmm.taxonomy import DatasetClass, class_from_dict

SCHEMA_VERSION = 1
CARD = "model_card.json"
WEIGHTS_LICENCE = (
    "CC BY-NC-SA 4.0: the weights are a derivative of HAM10000 (Tschandl et al., Sci. Data 5, "
    "180161, 2018); non-commercial use, attribution and share-alike apply whatever the code's "
    "licence."
)


class BundleError(ValueError):
    """A bundle that cannot be loaded, with what to do about it."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint_frame(frame: pd.DataFrame) -> str:
    """A content hash of a manifest's identity columns: which cases, with which labels."""
    keys = frame[["case_id", "group_id", "label"]].astype(str).sort_values("case_id")
    return hashlib.sha256(keys.to_csv(index=False).encode()).hexdigest()


def git_commit(cwd: Path | None = None) -> str | None:
    """HEAD's hash, with ``+dirty`` when tracked Python files differ from it.

    A bundle trained from uncommitted code must not claim a commit that cannot rebuild it.
    """
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "*.py"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    if not head:
        return None
    return f"{head}+dirty" if changed else head


def _bundle_files(directory: Path) -> Iterable[Path]:
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.name != CARD and "__pycache__" not in path.parts:
            yield path


def checksums(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): sha256_file(p) for p in _bundle_files(directory)}


def write_card(directory: Path, card: dict[str, Any]) -> Path:
    """Write ``model_card.json`` with fresh checksums of every file in the bundle."""
    card = {**card, "schema_version": SCHEMA_VERSION, "files": checksums(directory)}
    path = directory / CARD
    path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_card(directory: Path) -> dict[str, Any]:
    """Read and verify a model card: schema version and every file's checksum."""
    path = Path(directory) / CARD
    if not path.is_file():
        raise BundleError(
            f"No {CARD} in {directory}. Point SKINMM_BUNDLE (or --bundle) at a folder made by "
            "`skinmm train`."
        )
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BundleError(
            f"{path} is not valid JSON ({exc}); retrain or restore the bundle."
        ) from exc
    version = card.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise BundleError(
            f"{path} has schema version {version!r}; this SkinMM reads up to {SCHEMA_VERSION}. "
            "Upgrade SkinMM to load it."
        )
    _verify(Path(directory), card.get("files", {}))
    return card


def _verify(directory: Path, expected: dict[str, str]) -> None:
    problems = []
    for name, digest in expected.items():
        file = directory / name
        if not file.is_file():
            problems.append(f"missing {name}")
        elif sha256_file(file) != digest:
            problems.append(f"checksum mismatch for {name}")
    if problems:
        raise BundleError(
            f"Bundle {directory} is damaged: {'; '.join(problems[:5])}. Restore it from version "
            "control (git checkout -- models/) or retrain it with `skinmm train`."
        )


@dataclass
class FusionConfig:
    rule: str = "max"
    params: FusionParams = field(default_factory=FusionParams)
    reason: str = "the paper's rule"

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason, "params": self.params.to_dict()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FusionConfig:
        return cls(d["rule"], FusionParams.from_dict(d["params"]), d.get("reason", ""))


def classes_of(card: dict[str, Any]) -> list[DatasetClass]:
    return [class_from_dict(c) for c in card["classes"]]


@dataclass
class Bundle:
    """A loaded, verified bundle that turns an image and/or a note into a :class:`Prediction`.

    Treat it as read-only: the app shares one instance across sessions.
    """

    path: Path
    card: dict[str, Any]
    classes: tuple[DatasetClass, ...]
    image: Any  # skinmm.image.ImageBranch
    text: Any  # skinmm.text.TextBranch
    fusion: FusionConfig

    @property
    def name(self) -> str:
        return str(self.card.get("name", self.path.name))

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.classes]

    def predict(self, image: Any = None, note: str | None = None, rule: str | None = None):
        """The differential for one case; either input may be missing, not both.

        ``image`` is anything :func:`skinmm.image.io.load_image` reads (bytes, path, PIL).
        """
        from skinmm.prediction import Prediction

        result, image_p, text_p = self.predict_many([image], [note], rule)
        return Prediction(
            classes=self.classes,
            fused=result.proba[0],
            image=None if image_p is None else image_p[0],
            text=None if text_p is None else text_p[0],
            carrier=tuple(result.carrier[0]),
            mode=str(result.mode[0]),
            rule=rule or self.fusion.rule,
        )

    def predict_many(self, images: list[Any], notes: list[str | None], rule: str | None = None):
        """Fused result plus each branch's probabilities (None where no case had that input)."""
        import numpy as np

        from skinmm.fusion import fuse

        n = len(images)
        if n != len(notes):
            raise ValueError("Give one note (or None) per image (or None).")
        nan = np.full((n, len(self.classes)), np.nan)
        have_image = [i for i, im in enumerate(images) if im is not None]
        image_p = nan.copy()
        if have_image:
            loaded = [_as_image(images[i]) for i in have_image]
            image_p[have_image] = self.image.predict_proba(loaded)
        text_p = self.text.predict_proba(notes)
        if not have_image and np.isnan(text_p).all():
            raise ValueError("Nothing to analyse: give an image, a clinical note, or both.")
        result = fuse(image_p, text_p, rule or self.fusion.rule, self.fusion.params)
        return (
            result,
            image_p if have_image else None,
            None if np.isnan(text_p).all() else text_p,
        )

    def cams(self, image: Any, class_indices: list[int]):
        """Grad-CAM of the image branch for the given classes (see skinmm.image.cam)."""
        return self.image.gradcam(_as_image(image), class_indices)

    def report_dir(self) -> Path | None:
        report = self.path / "report"
        return report if (report / "metrics.json").is_file() else None


def _as_image(source: Any) -> Any:
    """A PIL image as it is (already decoded); anything else through the one image loader."""
    from PIL import Image

    from skinmm.image.io import load_image

    return source.convert("RGB") if isinstance(source, Image.Image) else load_image(source)


def load_bundle(path: str | Path, device: str = "cpu") -> Bundle:
    """Load and verify a bundle; raises :class:`BundleError` with what to do on any problem."""
    directory = Path(path)
    if not directory.is_dir():
        raise BundleError(
            f"Model bundle {directory} does not exist. Train one with `skinmm train` or set "
            "SKINMM_BUNDLE to a bundle folder."
        )
    card = read_card(directory)
    # Imported only now: a missing or damaged bundle is reported without loading torch.
    from skinmm.image import ImageBranch
    from skinmm.text import TextBranch

    try:
        image = ImageBranch.load(directory / "image", device=device)
        text = TextBranch.load(directory / "text")
    except (OSError, KeyError, ValueError, RuntimeError) as exc:
        raise BundleError(f"Bundle {directory} could not be loaded: {exc}") from exc
    classes = tuple(classes_of(card))
    for branch, name in ((image, "image"), (text, "text")):
        if list(branch.classes_) != [c.code for c in classes]:
            raise BundleError(
                f"The {name} branch's classes do not match {CARD}; retrain the bundle."
            )
    return Bundle(directory, card, classes, image, text, FusionConfig.from_dict(card["fusion"]))
