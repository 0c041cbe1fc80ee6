"""Save and load a trained model bundle: both branches, fusion settings and ``model_card.json``.

Layout::

    BUNDLE/
      model_card.json   classes, preprocessing, backbone, embedder, fusion, calibration,
                        training (arguments, git commit, data fingerprint), metrics, and a
                        sha256 for every other file
      model_card.sha256 the seal: the sha256 of model_card.json's exact bytes
      image/            the image branch (trained weights + config)
      text/             the text branch (text.ubj + config)
      report/           the evaluation report (metrics.json, predictions.csv, plots)
      scope/            optional: the input-scope gate (scope.json + scope.npz, skinmm.scope)

Loading checks the seal, every checksum, and that no unlisted file sits in a folder SkinMM
reads, and refuses a newer schema, so a bundle is either exactly what was trained and
evaluated or it does not load.

Why the seal is a file of the card's exact bytes rather than a hash recorded inside the card:
it covers every byte of the card, including fields added later, with no canonical JSON form
to agree on (key order, float spelling, duplicate keys) and no field that must be left out
of its own hash; it is in ``sha256sum`` format, so ``sha256sum -c model_card.sha256`` checks
it by hand; and a change to either file shows in ``git diff``. It guards against edits and
damage, not against someone who rewrites both files: for that, compare with version control.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import subprocess
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any, TypeAlias

from skinmm.branch import ImageModel, NoteModel
from skinmm.card import SCHEMA_VERSION, CardError, FusionConfig, ModelCard, check_branches
from skinmm.staging import recover
from skinmm.taxonomy import DatasetClass

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from PIL import Image

    from skinmm.fusion import FusionResult
    from skinmm.image.cam import CamResult
    from skinmm.image.io import ImageSource
    from skinmm.prediction import Prediction, PredictionSet
    from skinmm.scope import ScopeGate

    # A photo as the bundle takes it: decoded, or anything the one image loader reads.
    Photo: TypeAlias = Image.Image | ImageSource
    # Makes the text branch from its folder and the verified card (see load_bundle).
    TextLoader: TypeAlias = Callable[[Path, ModelCard], NoteModel]

CARD = "model_card.json"
CARD_DIGEST = "model_card.sha256"
SEAL_FILES = frozenset({CARD, CARD_DIGEST})
# Folders whose files SkinMM reads (branches, and the report the dashboard shows).
READ_FOLDERS = ("image", "text", "report", "scope")
# Teaching material beside the model (skinmm.gallery): never read by a prediction, so neither
# sealed nor warned about; a bundle keeps its seal when its examples are remade.
UNSEALED_FOLDERS = ("examples",)
MAX_NAMED = 5
RESTORE = (
    "Restore the bundle from version control (git checkout -- models/) or retrain it with "
    "`skinmm train`."
)
WEIGHTS_LICENCE = (
    "CC BY-NC-SA 4.0: the weights are a derivative of HAM10000 (Tschandl et al., Sci. Data 5, "
    "180161, 2018); non-commercial use, attribution and share-alike apply whatever the code's "
    "licence."
)


class BundleError(ValueError):
    """A bundle that cannot be loaded, with what to do about it."""


class BundleWarning(UserWarning):
    """A bundle that loads, with files beside it that its card does not cover."""


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
        name = path.relative_to(directory).as_posix()
        if (
            path.is_file()
            and name not in SEAL_FILES
            and "__pycache__" not in path.parts
            and name.split("/", 1)[0] not in UNSEALED_FOLDERS
        ):
            yield path


def checksums(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): sha256_file(p) for p in _bundle_files(directory)}


def _atomic_write(path: Path, data: bytes) -> None:
    # A reader (the app polls the card) never sees half a card: write aside, then rename.
    # Not tempfile: its 0600 mode would hide the card from a service account that serves it.
    aside = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    aside.write_bytes(data)
    os.replace(aside, path)


def _digest_line(card_bytes: bytes) -> bytes:
    # The `sha256sum` format, so `sha256sum -c model_card.sha256` checks a bundle by hand too.
    return f"{hashlib.sha256(card_bytes).hexdigest()}  {CARD}\n".encode()


def write_card(directory: Path, card: dict[str, Any]) -> Path:
    """Write ``model_card.json`` with fresh checksums of every file, and seal it.

    This certifies the bundle's files as they are now, so only the code that has just written
    them all calls it (``skinmm train``). To add a report to a bundle, use :func:`update_card`;
    to seal a card written before seals existed, :func:`reseal`: neither certifies anything
    else anew.
    """
    directory = Path(directory)
    files = checksums(directory)
    if not files:
        raise BundleError(f"{directory} holds no files to certify; write the branches first.")
    return _write_sealed(directory, {**card, "files": files})


def update_card(directory: Path, changes: dict[str, Any], renew: str) -> ModelCard:
    """Merge ``changes`` into a sealed card, re-certifying only the files under ``renew``.

    For a report written into an existing bundle (``skinmm evaluate --out BUNDLE/report``):
    the seal and every other listed file are verified first, so weights changed since
    training are refused, never certified. Returns the new card.
    """
    directory = Path(directory)
    data = _card_bytes(directory)
    card = _parse_card(directory, data)
    _check_seal(directory, data)
    under = f"{PurePosixPath(renew).as_posix().rstrip('/')}/"
    kept = {n: d for n, d in _listed_files(directory, card).items() if not n.startswith(under)}
    _verify(directory, kept)
    fresh = {n: d for n, d in checksums(directory).items() if n.startswith(under)}
    files = dict(sorted({**kept, **fresh}.items()))
    _check_unlisted(directory, files)
    merged = ModelCard.parse({**card, **changes, "files": files})
    _write_sealed(directory, merged)
    return merged


def _write_sealed(directory: Path, card: dict[str, Any]) -> Path:
    # Always written in the current schema, each fact once (a schema 1 card is migrated).
    data = (json.dumps(ModelCard.parse(card), indent=2, ensure_ascii=False) + "\n").encode()
    path = directory / CARD
    _atomic_write(path, data)
    _atomic_write(directory / CARD_DIGEST, _digest_line(data))
    return path


def read_card(directory: Path) -> ModelCard:
    """Read and verify a model card: schema, seal, and every file it lists.

    Refused, each with a :class:`BundleError` saying what to do: a card whose bytes do not
    match ``model_card.sha256`` or that has no seal; a card without a non-empty ``files``
    table of sha256 digests; a name in it that leaves the bundle; a listed file that is
    missing or changed; an unlisted file in a folder SkinMM reads (``image/``, ``text/``,
    ``report/``). Unlisted files elsewhere are named in a :class:`BundleWarning`. A card
    that contradicts itself (:mod:`skinmm.card`) is refused too.
    """
    directory = Path(directory)
    data = _card_bytes(directory)
    card = _parse_card(directory, data)
    _check_seal(directory, data)
    _verify_files(directory, card)
    try:
        return ModelCard.parse(card)
    except CardError as exc:
        raise BundleError(f"{directory / CARD}: {exc} {RESTORE}") from exc


def reseal(directory: Path) -> bool:
    """Seal a card written before seals existed; True if a seal was written.

    Nothing is certified anew: every file the card lists must match its checksum and no
    unlisted file may sit in a folder SkinMM reads, else :class:`BundleError`. The card's
    content itself cannot be checked (that is what the seal adds), so check it first: for a
    bundle in git, ``git diff -- DIR/model_card.json`` shows no change. A sealed card that no
    longer matches its seal is refused; to accept a deliberate edit, delete the seal first.
    """
    directory = Path(directory)
    data = _card_bytes(directory)
    card = _parse_card(directory, data)
    _verify_files(directory, card)
    if (directory / CARD_DIGEST).exists():
        try:
            _check_seal(directory, data)
        except BundleError as exc:
            raise BundleError(
                f"{exc} If you edited the card on purpose, delete {directory / CARD_DIGEST} "
                "and reseal."
            ) from exc
        return False
    _atomic_write(directory / CARD_DIGEST, _digest_line(data))
    return True


def _card_bytes(directory: Path) -> bytes:
    path = directory / CARD
    if not path.is_file():
        raise BundleError(
            f"No {CARD} in {directory}. Point SKINMM_BUNDLE (or --bundle) at a folder made by "
            "`skinmm train`."
        )
    return path.read_bytes()


def _parse_card(directory: Path, data: bytes) -> dict[str, Any]:
    path = directory / CARD
    try:
        card = json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path} is not valid JSON ({exc}). {RESTORE}") from exc
    if not isinstance(card, dict):
        raise BundleError(f"{path} is not a model card (a JSON object). {RESTORE}")
    version = card.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise BundleError(
            f"{path} has schema version {version!r}; this SkinMM reads up to {SCHEMA_VERSION}. "
            "Upgrade SkinMM to load it."
        )
    return card


def _check_seal(directory: Path, data: bytes) -> None:
    seal = directory / CARD_DIGEST
    if not seal.is_file():
        raise BundleError(
            f"{directory} has no {CARD_DIGEST}, so nothing protects its {CARD} (class names, "
            f"fusion rule) from changes. If the card is the one that was trained (for a bundle "
            f"in git: `git diff -- {directory}` shows no change), seal it with "
            f"`skinmm bundle reseal {directory}` (it verifies every file first). Otherwise: "
            f"{RESTORE}"
        )
    recorded = seal.read_text(encoding="ascii", errors="replace").split()
    if len(recorded) != 2 or recorded[1].lstrip("*") != CARD or not _is_sha256(recorded[0]):
        raise BundleError(f"{seal} is not a sha256 line for {CARD}. {RESTORE}")
    if recorded[0] != hashlib.sha256(data).hexdigest():
        raise BundleError(
            f"{directory / CARD} was changed after it was written: it does not match "
            f"{CARD_DIGEST}, so its classes, names or fusion rule cannot be trusted. {RESTORE}"
        )


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) is not None


def _escapes(directory: Path, name: str) -> bool:
    """Whether a listed name points outside the bundle (absolute, ``..``, drive, symlink)."""
    posix = PurePosixPath(name)
    if not name or posix.is_absolute() or "\\" in name or PureWindowsPath(name).drive:
        return True
    if any(part in ("..", ".") for part in name.split("/")) or name in SEAL_FILES:
        return True
    return not (directory / posix).resolve().is_relative_to(directory.resolve())


def _listed_files(directory: Path, card: dict[str, Any]) -> dict[str, str]:
    """The card's ``files`` table, refused unless every entry is a safe name and a sha256."""
    files = card.get("files")
    if not isinstance(files, dict) or not files:
        raise BundleError(
            f"{directory / CARD} has no 'files' table of checksums, so its files cannot be "
            f"verified. {RESTORE}"
        )
    escaping = sorted(n for n in files if _escapes(directory, n))
    if escaping:
        raise BundleError(
            f"{directory / CARD} lists file name(s) outside the bundle: "
            f"{', '.join(escaping[:MAX_NAMED])}. {RESTORE}"
        )
    malformed = sorted(n for n, d in files.items() if not _is_sha256(d))
    if malformed:
        raise BundleError(
            f"{directory / CARD} has entries that are not sha256 digests: "
            f"{', '.join(malformed[:MAX_NAMED])}. {RESTORE}"
        )
    return files


def _verify_files(directory: Path, card: dict[str, Any]) -> None:
    expected = _listed_files(directory, card)
    _verify(directory, expected)
    _check_unlisted(directory, expected)


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
            f"Bundle {directory} is damaged: {'; '.join(problems[:MAX_NAMED])}. {RESTORE}"
        )


def _check_unlisted(directory: Path, expected: dict[str, str]) -> None:
    unlisted = [
        p.relative_to(directory).as_posix()
        for p in _bundle_files(directory)
        if p.relative_to(directory).as_posix() not in expected
    ]
    # Folders SkinMM reads: an unlisted file there could stand in for what was trained.
    read = [n for n in unlisted if n.split("/", 1)[0] in READ_FOLDERS]
    if read:
        raise BundleError(
            f"Bundle {directory} holds file(s) that {CARD} does not cover: "
            f"{', '.join(read[:MAX_NAMED])}{_more(read)}. Remove them, or: {RESTORE}"
        )
    if unlisted:
        warnings.warn(
            f"Bundle {directory} holds file(s) that {CARD} does not cover and SkinMM does not "
            f"read: {', '.join(unlisted[:MAX_NAMED])}{_more(unlisted)}.",
            BundleWarning,
            stacklevel=4,
        )


def _more(names: list[str]) -> str:
    return f" (and {len(names) - MAX_NAMED} more)" if len(names) > MAX_NAMED else ""


@dataclass
class Bundle:
    """A loaded, verified bundle that turns an image and/or a note into a :class:`Prediction`.

    Treat it as read-only: the app shares one instance across sessions.
    """

    path: Path
    card: ModelCard
    classes: tuple[DatasetClass, ...]
    image: ImageModel
    text: NoteModel
    fusion: FusionConfig
    scope: ScopeGate | None = None  # when the bundle has a scope/ folder

    @property
    def name(self) -> str:
        return str(self.card.get("name", self.path.name))

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.classes]

    @property
    def not_covered(self) -> list[str]:
        """Taxonomy codes no class of this bundle covers (the card's, else from its classes)."""
        from skinmm.taxonomy import not_covered

        recorded = self.card.get("not_covered")
        return list(recorded) if isinstance(recorded, list) else not_covered(self.classes)

    @property
    def fingerprint(self) -> str:
        """A sha256 naming this bundle's exact files and classes (a cache key, a case's
        record of the model): unlike the path, it changes when the bundle is retrained."""
        return self.card.fingerprint

    def predict(
        self, image: Photo | None = None, note: str | None = None, rule: str | None = None
    ) -> Prediction:
        """The differential for one case; either input may be missing, not both.

        ``image`` is anything :func:`skinmm.image.io.load_image` reads (bytes, path, PIL).
        Whether the note was cut to the length the text branch reads is in
        ``note_truncated``; what was read from it is ``note_reading``. A note without
        readable clinical content (emoji, punctuation, one unrelated word) is not given to
        the text branch: the case is analysed as if it had no note.

        Raises
        ------
        UnreadableNote
            When that note is all there is (no image).
        """
        from skinmm.prediction import Prediction

        decoded = None if image is None else _as_image(image)
        gate = self.scope if decoded is not None else None
        # The gate reads the pooled features of the prediction's own identity view.
        branch_p, features = self._image_probabilities([decoded], features=gate is not None)
        # Read after the photo: an offloaded text branch's child reads it meanwhile.
        reading, note = _read_note(note, has_image=decoded is not None, reader=self._note_reader)
        result, image_p, text_p = self._fuse(branch_p, [note], rule)
        image_row = None if image_p is None else image_p[0]
        text_row = None if text_p is None else text_p[0]
        return Prediction(
            prediction_set=self._prediction_set(result.proba[0], str(result.mode[0]), rule),
            classes=self.classes,
            fused=result.proba[0],
            image=image_row,
            text=text_row,
            disagree=self._disagree(image_row, text_row),
            carrier=tuple(result.carrier[0]),
            mode=str(result.mode[0]),
            rule=rule or self.fusion.rule,
            note_truncated=bool(self.text.truncated([note])[0]),
            note_reading=reading,
            scope=None
            if gate is None or decoded is None
            else gate.assess(decoded, self.image, None if features is None else features[0]),
        )

    @property
    def _note_reader(self) -> Callable[[str], Any] | None:
        # An offloaded text branch (skinmm.text.offload) holds its child's readings.
        return getattr(self.text, "read_note", None)

    def _disagree(self, image_p: np.ndarray | None, text_p: np.ndarray | None) -> bool | None:
        """The card's disagreement rule on one case (None: no rule, or one branch missing)."""
        import numpy as np

        from skinmm.disagreement import case_flag

        if image_p is None or text_p is None or np.isnan(image_p).any() or np.isnan(text_p).any():
            return None
        block, conformal = self.card.get("disagreement"), self.card.get("conformal")
        return case_flag(block, conformal, image_p, text_p, self.codes)

    def predict_from_image_proba(
        self, image_p: np.ndarray | None, note: str | None = None, rule: str | None = None
    ) -> Prediction:
        """The differential from image-branch probabilities made elsewhere (one row, or None
        for no image), fused with the note as :meth:`predict` fuses a photo's: for several
        photos of one lesion combined by :func:`skinmm.multiphoto.combine`. No scope verdict.
        """
        import numpy as np

        from skinmm.prediction import Prediction

        reading, note = _read_note(note, has_image=image_p is not None, reader=self._note_reader)
        row = np.full((1, len(self.classes)), np.nan) if image_p is None else image_p
        result, image, text = self._fuse(
            np.asarray(row, dtype=np.float64).reshape(1, -1), [note], rule
        )
        return Prediction(
            prediction_set=self._prediction_set(result.proba[0], str(result.mode[0]), rule),
            classes=self.classes,
            fused=result.proba[0],
            image=None if image is None else image[0],
            text=None if text is None else text[0],
            disagree=self._disagree(
                None if image is None else image[0], None if text is None else text[0]
            ),
            carrier=tuple(result.carrier[0]),
            mode=str(result.mode[0]),
            rule=rule or self.fusion.rule,
            note_truncated=bool(self.text.truncated([note])[0]),
            note_reading=reading,
        )

    def _prediction_set(
        self, fused: np.ndarray, mode: str, rule: str | None
    ) -> PredictionSet | None:
        """The conformal set at the card's default level; None for a rule it was not
        calibrated for (the set's guarantee belongs to the bundle's own rule)."""
        import numpy as np

        from skinmm.conformal import DEFAULT_LEVEL, sets_by_mode
        from skinmm.prediction import PredictionSet

        if rule not in (None, self.fusion.rule) and mode == "fused":
            return None
        block = self.card.get("conformal")
        level = float((block or {}).get("default_level", DEFAULT_LEVEL))
        member = sets_by_mode(block, fused[None, :], [mode], self.codes, level)
        if member is None:
            return None
        order = [int(k) for k in np.argsort(-fused, kind="stable") if member[0, k]]
        return PredictionSet(level, tuple(self.classes[k] for k in order))

    def predict_many(
        self, images: list[Photo | None], notes: list[str | None], rule: str | None = None
    ) -> tuple[FusionResult, np.ndarray | None, np.ndarray | None]:
        """Fused result plus each branch's probabilities (None where no case had that input)."""

        if len(images) != len(notes):
            raise ValueError("Give one note (or None) per image (or None).")
        return self._fuse(self._image_probabilities(images, features=False)[0], notes, rule)

    def _image_probabilities(
        self, images: list[Photo | None], *, features: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The image branch's probabilities (NaN rows where there is no image) and, when
        asked, the pooled features of the same forward (None where not available)."""
        import numpy as np

        image_p = np.full((len(images), len(self.classes)), np.nan)
        have_image = [i for i, im in enumerate(images) if im is not None]
        if not have_image:
            return image_p, None
        loaded: list[Image.Image | str | Path] = [_as_image(im) for im in images if im is not None]
        if not features:
            image_p[have_image] = self.image.predict_proba(loaded)
            return image_p, None
        image_p[have_image], pooled = self.image.predict_proba_and_features(loaded)
        return image_p, pooled

    def _fuse(
        self, image_p: np.ndarray, notes: list[str | None], rule: str | None
    ) -> tuple[FusionResult, np.ndarray | None, np.ndarray | None]:
        import numpy as np

        from skinmm.fusion import fuse

        have_image = not np.isnan(image_p).all()
        text_p = self.text.predict_proba(notes)
        if not have_image and np.isnan(text_p).all():
            raise ValueError("Nothing to analyse: give an image, a clinical note, or both.")
        result = fuse(image_p, text_p, rule or self.fusion.rule, self.fusion.params)
        return (
            result,
            image_p if have_image else None,
            None if np.isnan(text_p).all() else text_p,
        )

    def cams(self, image: Photo, class_indices: list[int]) -> list[CamResult]:
        """Grad-CAM of the image branch for the given classes (see skinmm.image.cam).

        Safe for concurrent sessions sharing this bundle; maps and overlays come out at the
        image's size with the longer side bounded by ``skinmm.image.cam.CAM_MAX_SIDE``.
        """
        return self.image.gradcam(_as_image(image), class_indices)

    def report_dir(self) -> Path | None:
        report = self.path / "report"
        return report if (report / "metrics.json").is_file() else None


def _read_note(
    note: str | None, *, has_image: bool, reader: Callable[[str], Any] | None = None
) -> tuple[Any, str | None]:
    """The reading of ``note`` (None without one) and the note the text branch gets.

    ``reader`` is the text branch's own where it has one (an offloaded branch's child has
    read the note already), else :func:`skinmm.text.facts.read_note`.
    """
    from skinmm.text.clean import clean_note

    if note is None or not clean_note(note):
        return None, note
    # Imported only for a note: the reader's vocabulary and OpenCC are not free to import.
    from skinmm.errors import UnreadableNote

    if reader is None:
        from skinmm.text.facts import read_note

        reader = read_note
    reading = reader(note)
    if reading.readable:
        return reading, note
    if not has_image:
        raise UnreadableNote(
            "The note has no readable clinical content (only symbols, emoji or an unrelated "
            "word) and there is no photo. Write the age, sex, site or symptoms, or add a photo."
        )
    return reading, None


def _as_image(source: Photo) -> Image.Image:
    """A PIL image as it is (already decoded); anything else through the one image loader."""
    from PIL import Image

    from skinmm.image.io import load_image

    return source.convert("RGB") if isinstance(source, Image.Image) else load_image(source)


def load_bundle(
    path: str | Path, device: str = "cpu", *, text_loader: TextLoader | None = None
) -> Bundle:
    """Load and verify a bundle; raises :class:`BundleError` with what to do on any problem.

    ``text_loader(text_dir, card)`` makes the text branch instead of loading it here (the
    card already verified): :mod:`skinmm.text.offload` scores a command's note in a child
    process started before this load, so that XGBoost never loads in this one.
    """
    directory = Path(path)
    if not directory.exists():
        recover(directory)  # a kill between the two renames of a swap left the old one aside
    if not directory.is_dir():
        raise _no_bundle(directory)
    card = read_card(directory)
    # Imported only now: a missing or damaged bundle is reported without loading torch.
    from skinmm.image import ImageBranch

    try:
        image = ImageBranch.load(directory / "image", device=device)
        text = (text_loader or _load_text)(directory / "text", card)
        fusion = card.fusion
        scope = _load_scope(directory)
    except Exception as exc:
        raise _not_loadable(directory, exc) from exc
    try:
        check_branches(card, image, text)
    except CardError as exc:
        raise BundleError(f"Bundle {directory}: {exc} Retrain the bundle.") from exc
    return Bundle(directory, card, card.classes, image, text, fusion, scope)


def _no_bundle(directory: Path) -> BundleError:
    return BundleError(
        f"Model bundle {directory} does not exist. Train one with `skinmm train` or set "
        "SKINMM_BUNDLE to a bundle folder."
    )


def _not_loadable(directory: Path, exc: Exception) -> BundleError:
    # The files and card passed their checksums, so whatever torch, XGBoost or the card's
    # parsing raise while loading (truncated pickle, EOF, a missing key) means a bundle damaged
    # before it was sealed. Only the first line: XGBoost appends a native stack trace.
    detail = (str(exc).strip().splitlines() or [""])[0][:200]
    return BundleError(
        f"Bundle {directory} could not be loaded ({type(exc).__name__}: {detail}). {RESTORE}"
    )


def _load_text(text_dir: Path, card: ModelCard) -> NoteModel:
    from skinmm.text.branch import TextBranch

    return TextBranch.load(text_dir)


def load_text_branch(path: str | Path) -> tuple[str, NoteModel]:
    """The bundle's text branch alone, and the fingerprint of the card that certified it.

    Checks the seal and the text files' checksums (not the other branches': a caller that
    loads the whole bundle with :func:`load_bundle` compares the fingerprints). Errors are
    the :class:`BundleError` refusals of :func:`load_bundle`.
    """
    from skinmm.card import bundle_fingerprint
    from skinmm.text.branch import TextBranch

    directory = Path(path)
    if not directory.is_dir():
        raise _no_bundle(directory)
    data = _card_bytes(directory)
    card = _parse_card(directory, data)
    _check_seal(directory, data)
    listed = _listed_files(directory, card)
    _verify(directory, {n: d for n, d in listed.items() if n.startswith("text/")})
    try:
        return bundle_fingerprint(card), TextBranch.load(directory / "text")
    except Exception as exc:
        raise _not_loadable(directory, exc) from exc


def _load_scope(directory: Path) -> ScopeGate | None:
    """The bundle's input-scope gate, or None for a bundle fitted without one."""
    from skinmm.scope import SCOPE_DIR, SCOPE_JSON, ScopeGate

    folder = directory / SCOPE_DIR
    return ScopeGate.load(folder) if (folder / SCOPE_JSON).is_file() else None
