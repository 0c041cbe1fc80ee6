"""The input-scope gate: is this upload something the bundle's differential means anything for?

Every upload gets one verdict, checked in this order:

- ``poor_quality``: too small, blurred (variance of the Laplacian) or over/under-exposed
  (mean brightness, clipped pixels). Cheap NumPy checks on the decoded image.
- ``not_skin``: a flat colour, or what a small classifier calls a non-skin picture
  (objects, documents, screenshots, noise).
- ``clinical_photo``: an ordinary clinical photograph of skin, the wrong modality for a
  bundle trained on dermoscopic images.
- ``unfamiliar``: a dermoscopic-looking image far (Mahalanobis distance in the principal
  subspace) from every training image.
- ``in_scope``: none of the above.

The classifier and the distance both read the image branch's pooled features (the vector the
linear head reads), from one identity-view forward of the bundle's own network: no other
network is loaded. The fitted gate is ``scope/scope.json`` plus ``scope/scope.npz`` (arrays,
never pickle) inside the bundle, certified by the card like every other file.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

VERDICTS = ("in_scope", "clinical_photo", "not_skin", "poor_quality", "unfamiliar")
SCOPE_DIR = "scope"
SCOPE_JSON = "scope.json"
SCOPE_NPZ = "scope.npz"
SCOPE_SUMS = "SHA256SUMS"
# A dermoscopic image from the bundle's own training data, shown with an out-of-scope verdict
# as what the model expects (beside issue 20's examples; attribution in SCOPE_EXAMPLE.md).
EXAMPLE = "examples/scope_example.jpg"
WEIGHTS_NAME = "image/image_weights.pt"  # the card's name for the image branch's weights
SCHEMA_VERSION = 1
# The grey copy for the blur check: the short side at HAM10000's own 150 px, so the Laplacian
# measures the same spatial frequencies whatever the upload's resolution.
QUALITY_SIDE = 150
# Flat colour: a grey standard deviation this small carries no structure at all.
FLAT_STD = 2.0
DARK, BRIGHT = 8, 247  # grey levels counted as clipped
# Classifier labels.
DERMOSCOPIC, CLINICAL, NOT_SKIN = 0, 1, 2
# Scikit-image photographs for the non-skin negatives: disjoint sets for fitting and testing.
SKIMAGE_FIT = (
    "astronaut", "brick", "camera", "chelsea", "clock", "coins", "grass", "horse",
    "immunohistochemistry", "moon", "page", "rocket", "colorwheel", "shepp_logan_phantom",
)  # fmt: skip
SKIMAGE_TEST = (
    "coffee", "gravel", "hubble_deep_field", "logo", "microaneurysms", "retina", "text",
    "checkerboard", "cell",
)  # fmt: skip
FIT_SEED, TEST_SEED = 1, 2


@dataclass(frozen=True)
class ScopeResult:
    """One image's verdict, the scores behind it, and which checks failed."""

    verdict: str
    scores: dict[str, float]
    reasons: tuple[str, ...] = ()

    @property
    def in_scope(self) -> bool:
        return self.verdict == "in_scope"

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "scores": {k: round(float(v), 6) for k, v in self.scores.items()},
            "reasons": list(self.reasons),
        }


def example_image(bundle_dir: Path) -> Path | None:
    """The bundle's example of what it expects, when it ships one."""
    path = Path(bundle_dir) / EXAMPLE
    return path if path.is_file() else None


# ----------------------------------------------------------------------- quality


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _grey(image: Image.Image) -> np.ndarray:
    grey = image.convert("L")
    scale = QUALITY_SIDE / min(grey.size)
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    return np.asarray(grey.resize(size, Image.Resampling.BILINEAR), dtype=np.float64)


def quality_scores(image: Image.Image) -> dict[str, float]:
    """Size, sharpness and exposure of a decoded RGB image (see the module docstring)."""
    grey = _grey(image)
    lap = (
        -4 * grey[1:-1, 1:-1] + grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:]
    )
    return {
        "min_side": float(min(image.size)),
        "sharpness": float(lap.var()) if lap.size else 0.0,
        "brightness": float(grey.mean()),
        "dark_share": float((grey <= DARK).mean()),
        "bright_share": float((grey >= BRIGHT).mean()),
        "grey_std": float(grey.std()),
    }


def quality_failures(scores: dict[str, float], thresholds: dict[str, float]) -> list[str]:
    """Names of the failed quality checks (empty when the image is usable)."""
    failed = []
    if scores["min_side"] < thresholds["min_side"]:
        failed.append("too_small")
    if scores["sharpness"] < thresholds["sharpness"]:
        failed.append("blurred")
    if (
        scores["brightness"] > thresholds["brightness_max"]
        or scores["bright_share"] > thresholds["bright_share"]
    ):
        failed.append("overexposed")
    if (
        scores["brightness"] < thresholds["brightness_min"]
        or scores["dark_share"] > thresholds["dark_share"]
    ):
        failed.append("underexposed")
    return failed


def quality_thresholds(scores: Sequence[dict[str, float]], pass_share: float) -> dict[str, float]:
    """Thresholds each failed by at most ``(1 - pass_share) / 4`` of in-distribution images."""
    each = (1.0 - pass_share) / 4
    col = {k: np.array([s[k] for s in scores]) for k in scores[0]}
    return {
        "min_side": float(min(64.0, np.quantile(col["min_side"], each))),
        "sharpness": float(np.quantile(col["sharpness"], each)),
        "brightness_min": float(np.quantile(col["brightness"], each / 2)),
        "brightness_max": float(np.quantile(col["brightness"], 1 - each / 2)),
        "dark_share": float(np.quantile(col["dark_share"], 1 - each / 2)),
        "bright_share": float(np.quantile(col["bright_share"], 1 - each / 2)),
        "flat_std": FLAT_STD,
    }


# ----------------------------------------------------------------------- features


def pooled_features(branch: Any, images: Sequence[Image.Image], batch_size: int = 16) -> np.ndarray:
    """The image branch's pooled features (what its linear head reads), identity view only.

    One forward of the bundle's own network per image, shape (n, feature_dim), float32.
    """
    import torch

    model, prep = branch.model_, branch.preprocessing_
    out = []
    for start in range(0, len(images), batch_size):
        chunk = [im.convert("RGB") for im in images[start : start + batch_size]]
        x = torch.stack([prep(im) for im in chunk]).to(branch.device_)
        x = x.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode():
            pooled = model.pooled(model.net.tail(model.net.trunk(x)))
        out.append(pooled.float().cpu().numpy())
    dim = branch.spec.feature_dim
    return np.concatenate(out) if out else np.zeros((0, dim), np.float32)


def cached_features(
    branch: Any,
    paths: Sequence[str | Path],
    cache_dir: Path | None,
    log: Callable[[str], None] = print,
    every: int = 200,
) -> np.ndarray:
    """:func:`pooled_features` for image files, one ``.npy`` per file digest under the cache.

    The cache key includes the branch's weights, so a retrained bundle never reads stale
    features; an interrupted run resumes where it stopped.
    """
    from skinmm.image.io import load_image

    folder = None
    if cache_dir is not None:
        folder = Path(cache_dir) / "scope" / _branch_key(branch)
        folder.mkdir(parents=True, exist_ok=True)
    rows: list[np.ndarray | None] = []
    todo: list[int] = []
    digests = [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths]
    for i, digest in enumerate(digests):
        hit = folder / f"{digest}.npy" if folder else None
        rows.append(np.load(hit) if hit is not None and hit.is_file() else None)
        if rows[-1] is None:
            todo.append(i)
    for n, start in enumerate(range(0, len(todo), 16)):
        idx = todo[start : start + 16]
        feats = pooled_features(branch, [load_image(paths[i]) for i in idx])
        for i, f in zip(idx, feats, strict=True):
            rows[i] = f
            if folder is not None:
                np.save(folder / f"{digests[i]}.npy", f)
        if (n * 16) % every < 16:
            log(f"features: {start + len(idx)}/{len(todo)} computed ({len(paths)} asked)")
    return np.stack(rows) if rows else np.zeros((0, branch.spec.feature_dim), np.float32)  # type: ignore[arg-type]


def _branch_key(branch: Any) -> str:
    digest = hashlib.sha256()
    for name, tensor in sorted(branch.model_.state_dict().items()):
        if not name.startswith("net.trunk."):
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().float().numpy().tobytes())
    return f"{branch.spec.name}-{digest.hexdigest()[:12]}"


# ----------------------------------------------------------------------- negatives


def skimage_photos(names: Sequence[str], crops: int, seed: int) -> list[Image.Image]:
    """Scikit-image's bundled photographs, whole and as ``crops`` random crops each."""
    import skimage.data

    rng = np.random.default_rng(seed)
    out = []
    for name in names:
        array = np.asarray(getattr(skimage.data, name)())
        if array.dtype != np.uint8:  # binary (horse) and float pictures, to 0..255
            array = array.astype(np.float64)
            array = (255 * (array - array.min()) / max(1e-9, np.ptp(array))).astype(np.uint8)
        image = Image.fromarray(array).convert("RGB")
        out.append(image)
        for _ in range(crops):
            side = int(rng.uniform(0.35, 0.8) * min(image.size))
            left = int(rng.integers(0, image.width - side + 1))
            top = int(rng.integers(0, image.height - side + 1))
            out.append(image.crop((left, top, left + side, top + side)))
    return out


def _words(rng: np.random.Generator, n: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return " ".join("".join(rng.choice(list(letters), int(rng.integers(2, 9)))) for _ in range(n))


def _document(rng: np.random.Generator) -> Image.Image:
    w, h = int(rng.integers(300, 700)), int(rng.integers(300, 800))
    paper = tuple(int(v) for v in rng.integers(225, 256, 3))
    image = Image.new("RGB", (w, h), paper)
    draw = ImageDraw.Draw(image)
    ink = tuple(int(v) for v in rng.integers(0, 70, 3))
    y = int(rng.integers(10, 40))
    while y < h - 20:
        draw.text((int(rng.integers(10, 40)), y), _words(rng, int(rng.integers(3, 12))), fill=ink)
        y += int(rng.integers(12, 24))
    return image


def _screenshot(rng: np.random.Generator) -> Image.Image:
    w, h = int(rng.integers(400, 900)), int(rng.integers(300, 700))
    image = Image.new("RGB", (w, h), tuple(int(v) for v in rng.integers(200, 256, 3)))
    draw = ImageDraw.Draw(image)
    draw.rectangle(
        (0, 0, w, int(rng.integers(25, 60))), fill=tuple(int(v) for v in rng.integers(0, 256, 3))
    )
    for _ in range(int(rng.integers(4, 14))):
        x0, y0 = int(rng.integers(0, w - 60)), int(rng.integers(40, h - 30))
        x1, y1 = x0 + int(rng.integers(40, 250)), y0 + int(rng.integers(15, 80))
        draw.rectangle((x0, y0, x1, y1), fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
        draw.text((x0 + 4, y0 + 3), _words(rng, 2), fill=(0, 0, 0))
    return image


def _flat(rng: np.random.Generator) -> Image.Image:
    size = (int(rng.integers(100, 600)), int(rng.integers(100, 600)))
    return Image.new("RGB", size, tuple(int(v) for v in rng.integers(0, 256, 3)))


def _noise(rng: np.random.Generator) -> Image.Image:
    h, w = int(rng.integers(100, 500)), int(rng.integers(100, 500))
    pixels: np.ndarray
    if rng.random() < 0.5:
        pixels = rng.integers(0, 256, (h, w, 3))
    else:
        pixels = rng.normal(rng.uniform(60, 200), rng.uniform(10, 60), (h, w, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _gradient(rng: np.random.Generator) -> Image.Image:
    h, w = int(rng.integers(100, 500)), int(rng.integers(100, 500))
    a, b = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    yy, xx = np.mgrid[0:h, 0:w]
    if rng.random() < 0.5:
        t = (xx * rng.uniform(-1, 1) + yy * rng.uniform(-1, 1)).astype(float)
    else:
        t = np.hypot(xx - w * rng.random(), yy - h * rng.random())
    t = (t - t.min()) / max(1e-9, np.ptp(t))
    pixels = a[None, None] * (1 - t[..., None]) + b[None, None] * t[..., None]
    return Image.fromarray(pixels.astype(np.uint8))


def _shapes(rng: np.random.Generator) -> Image.Image:
    w, h = int(rng.integers(200, 600)), int(rng.integers(200, 600))
    image = Image.new("RGB", (w, h), tuple(int(v) for v in rng.integers(0, 256, 3)))
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(2, 8))):
        x0, y0 = int(rng.integers(0, w - 20)), int(rng.integers(0, h - 20))
        box = (x0, y0, x0 + int(rng.integers(20, w)), y0 + int(rng.integers(20, h)))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    return image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0, 2))))


GENERATORS: dict[str, Callable[[np.random.Generator], Image.Image]] = {
    "document": _document,
    "screenshot": _screenshot,
    "flat": _flat,
    "noise": _noise,
    "gradient": _gradient,
    "shapes": _shapes,
}


def generated_images(per_kind: int, seed: int) -> list[tuple[str, Image.Image]]:
    """Synthetic non-skin pictures: documents, UI screenshots, flat colours, noise, gradients."""
    rng = np.random.default_rng(seed)
    return [(kind, make(rng)) for kind, make in GENERATORS.items() for _ in range(per_kind)]


def non_skin_images(seed: int, test: bool) -> list[Image.Image]:
    """The fitting (``test=False``) or the held-out non-skin set: disjoint photos, other seed."""
    photos = skimage_photos(SKIMAGE_TEST if test else SKIMAGE_FIT, crops=4, seed=seed)
    return photos + [im for _, im in generated_images(15 if test else 30, seed)]


# ----------------------------------------------------------------------- the gate


@dataclass
class ScopeGate:
    """A fitted gate: quality thresholds, the image-type classifier and the distance model."""

    thresholds: dict[str, float]
    scaler_mean: np.ndarray
    scaler_scale: np.ndarray
    coef: np.ndarray  # (3, dim): dermoscopic, clinical, not_skin
    intercept: np.ndarray
    pca_mean: np.ndarray
    pca_components: np.ndarray  # (k, dim)
    pca_variance: np.ndarray  # (k,)
    info: dict[str, Any] = field(default_factory=dict)

    def type_proba(self, features: np.ndarray) -> np.ndarray:
        """(n, 3) probabilities of dermoscopic, clinical and not-skin."""
        z = (features - self.scaler_mean) / self.scaler_scale
        logits = z @ self.coef.T + self.intercept
        logits -= logits.max(1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(1, keepdims=True)

    def distance(self, features: np.ndarray) -> np.ndarray:
        """Squared Mahalanobis distance to the training features, in their principal subspace."""
        z = (features - self.pca_mean) @ self.pca_components.T
        return (z**2 / self.pca_variance).sum(1)

    def scores(self, quality: dict[str, float], features: np.ndarray) -> dict[str, float]:
        proba = self.type_proba(features[None])[0]
        return {
            **quality,
            "p_dermoscopic": float(proba[DERMOSCOPIC]),
            "p_clinical": float(proba[CLINICAL]),
            "p_not_skin": float(proba[NOT_SKIN]),
            "distance": float(self.distance(features[None])[0]),
        }

    def decide(self, scores: dict[str, float]) -> ScopeResult:
        t = self.thresholds
        # Flat colour first: it has no edges, so it would otherwise read as "blurred".
        if scores["grey_std"] < t["flat_std"]:
            return ScopeResult("not_skin", scores, ("flat_colour",))
        failed = quality_failures(scores, t)
        if failed:
            return ScopeResult("poor_quality", scores, tuple(failed))
        if scores["p_not_skin"] > t["p_not_skin"]:
            return ScopeResult("not_skin", scores, ("not_skin",))
        if scores["p_clinical"] > t["p_clinical"]:
            return ScopeResult("clinical_photo", scores, ("clinical_photo",))
        if scores["distance"] > t["distance"]:
            return ScopeResult("unfamiliar", scores, ("far_from_training",))
        return ScopeResult("in_scope", scores)

    def assess(
        self, image: Image.Image, branch: Any, features: np.ndarray | None = None
    ) -> ScopeResult:
        """The verdict for one decoded image.

        ``features`` are its pooled features when the caller already has them (the bundle's
        prediction computes them in its own forward); else one identity-view forward of
        ``branch`` computes them here.
        """
        if features is None:
            features = pooled_features(branch, [image])[0]
        return self.decide(self.scores(quality_scores(image), features))

    def save(self, directory: Path) -> list[Path]:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        npz = directory / SCOPE_NPZ
        arrays = {
            "scaler_mean": self.scaler_mean,
            "scaler_scale": self.scaler_scale,
            "coef": self.coef,
            "intercept": self.intercept,
            "pca_mean": self.pca_mean,
            "pca_components": self.pca_components,
            "pca_variance": self.pca_variance,
        }
        # Any: numpy's stub reads unpacked keywords as its allow_pickle flag.
        as_float32: dict[str, Any] = {k: v.astype(np.float32) for k, v in arrays.items()}
        with npz.open("wb") as handle:
            np.savez(handle, **as_float32)
        meta = {
            "schema_version": SCHEMA_VERSION,
            "verdicts": list(VERDICTS),
            "thresholds": self.thresholds,
            "arrays": SCOPE_NPZ,
            **self.info,
        }
        path = directory / SCOPE_JSON
        path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        # sha256sum format: `sha256sum -c SHA256SUMS` checks the pair by hand before adding.
        sums = "".join(f"{sha256(p)}  {p.name}\n" for p in (path, npz))
        (directory / SCOPE_SUMS).write_text(sums)
        return [path, npz]

    @classmethod
    def load(cls, directory: Path) -> ScopeGate:
        directory = Path(directory)
        meta = json.loads((directory / SCOPE_JSON).read_text())
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"{directory / SCOPE_JSON} has schema {meta.get('schema_version')!r}; this "
                f"SkinMM reads {SCHEMA_VERSION}. Refit it with `skinmm scope fit`."
            )
        with np.load(directory / SCOPE_NPZ, allow_pickle=False) as data:
            arrays = {k: data[k].astype(np.float64) for k in data.files}
        info = {k: v for k, v in meta.items() if k not in ("thresholds", "arrays", "verdicts")}
        return cls(thresholds=meta["thresholds"], info=info, **arrays)


# ----------------------------------------------------------------------- fitting


@dataclass
class FitData:
    """Features and quality scores of each group of images the gate is fitted and tested on."""

    features: dict[str, np.ndarray]
    quality: dict[str, list[dict[str, float]]]


def clinical_split(clinical_dir: Path, held_out: int, seed: int) -> tuple[list[str], list[str]]:
    """SD-198 classes for fitting and the whole classes held out for testing."""
    import pandas as pd

    classes = sorted(pd.read_csv(Path(clinical_dir) / "metadata.csv")["sd198_class"].unique())
    order = np.random.default_rng(seed).permutation(len(classes))
    test = sorted(classes[i] for i in order[:held_out])
    return [c for c in classes if c not in test], test


def clinical_paths(clinical_dir: Path, classes: Sequence[str]) -> list[Path]:
    import pandas as pd

    meta = pd.read_csv(Path(clinical_dir) / "metadata.csv")
    rows = meta[meta["sd198_class"].isin(classes)]
    return [_clinical_path(Path(clinical_dir), p) for p in rows["image_path"]]


def _clinical_path(root: Path, name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else root / path


def fit_gate(
    ham_train: np.ndarray,
    clinical_train: np.ndarray,
    non_skin_train: np.ndarray,
    val_features: np.ndarray,
    val_quality: list[dict[str, float]],
    *,
    pass_rate: float = 0.95,
    quality_pass: float = 0.99,
    type_pass: float = 0.995,
    components: int = 64,
    seed: int = 0,
    info: dict[str, Any] | None = None,
    quality: dict[str, float] | None = None,
) -> ScopeGate:
    """Fit the classifier and the distance, then calibrate every threshold on validation.

    Quality thresholds let ``quality_pass`` of validation images through, each classifier
    threshold ``type_pass``; the distance threshold is then the split-conformal bound at
    ``pass_rate`` for the whole gate (:func:`conformal_bound`), so that at least
    ``pass_rate`` of images exchangeable with the validation ones pass, in expectation. ``quality`` replaces the calibrated quality
    thresholds (for synthetic data, whose brightness range says nothing about real images).
    """
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = np.concatenate([ham_train, clinical_train, non_skin_train]).astype(np.float64)
    y = np.repeat(
        [DERMOSCOPIC, CLINICAL, NOT_SKIN],
        [len(ham_train), len(clinical_train), len(non_skin_train)],
    )
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 1e-8, scaler.scale_, 1.0)
    clf = LogisticRegression(C=0.05, class_weight="balanced", max_iter=3000, random_state=seed)
    clf.fit((x - scaler.mean_) / scale, y)
    k = min(components, len(ham_train) - 1, ham_train.shape[1])
    pca = PCA(n_components=k, random_state=seed).fit(ham_train.astype(np.float64))
    gate = ScopeGate(
        thresholds=dict(quality or quality_thresholds(val_quality, quality_pass)),
        scaler_mean=scaler.mean_,
        scaler_scale=scale,
        coef=clf.coef_,
        intercept=clf.intercept_,
        pca_mean=pca.mean_,
        pca_components=pca.components_,
        pca_variance=pca.explained_variance_,
        info=dict(info or {}),
    )
    proba = gate.type_proba(val_features.astype(np.float64))
    gate.thresholds["p_not_skin"] = float(max(0.5, np.quantile(proba[:, NOT_SKIN], type_pass)))
    gate.thresholds["p_clinical"] = float(max(0.5, np.quantile(proba[:, CLINICAL], type_pass)))
    gate.thresholds["distance"] = math.inf
    gate.thresholds["distance"] = _distance_threshold(gate, val_features, val_quality, pass_rate)
    return gate


def _distance_threshold(
    gate: ScopeGate, features: np.ndarray, quality: list[dict[str, float]], pass_rate: float
) -> float:
    """The distance bound that lets at least ``pass_rate`` of in-distribution images through
    the whole gate, with the split-conformal guarantee (see :func:`conformal_bound`).

    Each calibration image's score is its distance, or infinity when another check already
    stops it, so the bound covers the gate as a whole, not the distance check alone.
    """
    features = features.astype(np.float64)
    others = np.array(
        [
            gate.decide(gate.scores(q, f)).verdict == "in_scope"
            for q, f in zip(quality, features, strict=True)
        ]
    )
    return conformal_bound(np.where(others, gate.distance(features), math.inf), pass_rate)


def conformal_bound(scores: np.ndarray, level: float) -> float:
    """The largest score that crepes' non-smoothed conformal p-value still admits at ``level``.

    That is the ``ceil(level * (n + 1))``-th smallest of the ``n`` calibration scores (the
    ``(1 - a)(1 + 1/n)`` quantile rule, the one the prediction sets use): a new score
    exchangeable with them is at most this bound with probability at least ``level``.
    Infinite scores are calibration images that can never pass. Infinity when ``n`` is too
    small to bound anything at ``level`` (every image must then pass the distance check).
    """
    from crepes import ConformalClassifier

    scores = np.asarray(scores, dtype=np.float64)
    n = len(scores)
    if n == 0 or (np.isinf(scores).sum() + 1) / (n + 1) >= 1 - level:
        return math.inf
    finite = np.unique(scores[np.isfinite(scores)])
    p = ConformalClassifier().fit(scores).predict_p(finite, smoothing=False)
    admitted = finite[p >= 1 - level]
    return float(admitted.max()) if admitted.size else 0.0


def pass_rate_confidence(scores_n: int, bound_rank: int, level: float) -> float:
    """The chance that the pass rate on all future in-distribution images is at least
    ``level``, for a bound at the ``bound_rank``-th smallest of ``scores_n`` exchangeable
    calibration scores: the pass rate is then Beta(rank, n + 1 - rank) distributed.

    The conformal rule makes the *expected* pass rate at least ``level``; this says how
    often one fitted gate falls short of it (about half the time at the bare rule).
    """
    from scipy.stats import beta

    return float(beta.sf(level, bound_rank, scores_n + 1 - bound_rank))


def verdicts(gate: ScopeGate, features: np.ndarray, quality: list[dict[str, float]]) -> list[str]:
    return [
        gate.decide(gate.scores(q, f)).verdict
        for q, f in zip(quality, features.astype(np.float64), strict=True)
    ]


def data_fingerprint(paths: Sequence[str | Path], extra: dict[str, Any]) -> str:
    """A hash of which files (by name) and which settings the gate was fitted on."""
    digest = hashlib.sha256()
    for p in sorted(Path(p).name for p in paths):
        digest.update(p.encode())
    digest.update(json.dumps(extra, sort_keys=True).encode())
    return digest.hexdigest()


# ----------------------------------------------------------------------- bundle


def add_to_bundle(bundle_dir: Path, source: Path) -> dict[str, Any]:
    """Copy a fitted gate into ``bundle_dir/scope/``, re-certify the card's files and reseal.

    Every file the card lists is verified first; a bundle changed since it was sealed is
    refused (:class:`skinmm.bundle.BundleError`), never certified anew.
    """
    from skinmm.bundle import read_card, write_card

    bundle_dir, source = Path(bundle_dir), Path(source)
    for name in (SCOPE_JSON, SCOPE_NPZ):
        if not (source / name).is_file():
            raise ValueError(f"{source} has no {name}; write it with `skinmm scope fit`.")
    _check_sums(source)
    ScopeGate.load(source)  # refuse a gate this SkinMM cannot read before touching the bundle
    card = read_card(bundle_dir)
    meta = json.loads((source / SCOPE_JSON).read_text())
    fitted_on = meta.get("image_weights_sha256")
    if fitted_on is not None and fitted_on != card["files"].get(WEIGHTS_NAME):
        raise ValueError(
            f"The gate in {source} was fitted on another image branch than {bundle_dir}'s: "
            "its features would not match. Fit it on this bundle with `skinmm scope fit`."
        )
    # write_card certifies every file it finds: anything unlisted besides scope/ is refused.
    stray = _unlisted(bundle_dir, card)
    if stray:
        raise ValueError(
            f"{bundle_dir} holds file(s) its card does not cover: {', '.join(stray[:5])}. "
            "Remove them first; adding the gate would certify them."
        )
    target = bundle_dir / SCOPE_DIR
    target.mkdir(exist_ok=True)
    for name in (SCOPE_JSON, SCOPE_NPZ):
        shutil.copyfile(source / name, target / name)
    unsealed = {k: v for k, v in card.items() if k != "files"}
    unsealed["scope"] = {
        "files": [f"{SCOPE_DIR}/{SCOPE_JSON}", f"{SCOPE_DIR}/{SCOPE_NPZ}"],
        "thresholds": meta["thresholds"],
        "data_fingerprint": meta.get("data_fingerprint"),
        "held_out": meta.get("held_out"),
        "calibration": meta.get("calibration"),
    }
    write_card(bundle_dir, unsealed)
    return read_card(bundle_dir)


def _check_sums(source: Path) -> None:
    """The gate's files as ``scope fit`` wrote them (its SHA256SUMS), else ValueError."""
    sums = source / SCOPE_SUMS
    if not sums.is_file():
        raise ValueError(f"{source} has no {SCOPE_SUMS}; write the gate with `skinmm scope fit`.")
    for line in sums.read_text().splitlines():
        digest, name = line.split()
        if name not in (SCOPE_JSON, SCOPE_NPZ) or sha256(source / name) != digest:
            raise ValueError(
                f"{source / name} does not match {SCOPE_SUMS}: it changed after `skinmm scope "
                "fit` wrote it. Fit the gate again."
            )


def _unlisted(bundle_dir: Path, card: dict[str, Any]) -> list[str]:
    from skinmm.bundle import checksums

    listed = set(card["files"])
    return sorted(
        n for n in checksums(bundle_dir) if n not in listed and not n.startswith(f"{SCOPE_DIR}/")
    )


# ----------------------------------------------------------------------- commands


def _sample(frame: Any, n: int | None, seed: int) -> Any:
    if n is None or n >= len(frame):
        return frame
    return frame.sample(n=n, random_state=seed).sort_index()


def _auroc(negative: np.ndarray, positive: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    y = np.r_[np.zeros(len(negative)), np.ones(len(positive))]
    return float(roc_auc_score(y, np.r_[negative, positive]))


def _counts(names: Sequence[str]) -> dict[str, int]:
    return {v: int(sum(n == v for n in names)) for v in VERDICTS}


def _image_features(bundle: Any, images: list[Image.Image]) -> tuple[np.ndarray, list[dict]]:
    return pooled_features(bundle.image, images), [quality_scores(im) for im in images]


def run_fit(
    bundle_dir: Path,
    train_csv: Path,
    val_csv: Path,
    clinical_dir: Path,
    out_dir: Path,
    *,
    n_train: int = 1500,
    held_out_classes: int = 9,
    pass_rate: float = 0.95,
    seed: int = 0,
    cache_dir: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """``skinmm scope fit``: fit the gate, write ``scope.json``/``scope.npz``, return figures.

    The figures are on material the gate never saw: the held-out SD-198 classes and the
    held-out non-skin pictures, each against the HAM10000 validation images.
    """
    from skinmm.bundle import load_bundle
    from skinmm.data.manifest import read_manifest
    from skinmm.data.split import one_per_group
    from skinmm.image.io import load_image

    bundle = load_bundle(bundle_dir)
    train = _sample(read_manifest(train_csv), n_train, seed)
    # One image per validation lesion, chosen as the test side chooses its one (the first by
    # case_id): calibration images exchangeable with test images, which the conformal bound
    # needs; several views of one lesion would count as several near-identical draws.
    val = one_per_group(read_manifest(val_csv))
    fit_classes, test_classes = clinical_split(clinical_dir, held_out_classes, seed)
    fit_clinical = clinical_paths(clinical_dir, fit_classes)
    test_clinical = clinical_paths(clinical_dir, test_classes)
    feats = {}
    for name, paths in (
        ("ham_train", list(train["image_path"])),
        ("ham_val", list(val["image_path"])),
        ("clinical_fit", fit_clinical),
        ("clinical_test", test_clinical),
    ):
        log(f"{name}: {len(paths)} images")
        feats[name] = cached_features(bundle.image, paths, cache_dir, log)
    val_quality = [quality_scores(load_image(p)) for p in val["image_path"]]
    neg_fit = non_skin_images(FIT_SEED, test=False)
    neg_test = non_skin_images(TEST_SEED, test=True)
    log(f"non-skin: {len(neg_fit)} fitting, {len(neg_test)} held out")
    feats["non_skin_fit"], _ = _image_features(bundle, neg_fit)
    feats["non_skin_test"], neg_test_quality = _image_features(bundle, neg_test)
    settings = {
        "n_train": len(train),
        "seed": seed,
        "pass_rate": pass_rate,
        "non_skin_seeds": [FIT_SEED, TEST_SEED],
        "skimage_fit": list(SKIMAGE_FIT),
        "skimage_test": list(SKIMAGE_TEST),
    }
    info = {
        "bundle": bundle.name,
        # The features are this image branch's: `scope add` refuses a bundle with other weights.
        "image_weights_sha256": bundle.card["files"].get(WEIGHTS_NAME),
        "features": "image branch pooled features (the linear head's input), identity view",
        "held_out": {"sd198_classes": test_classes, "non_skin_seed": TEST_SEED},
        "fit": {
            "ham_train": len(train),
            "ham_val": len(val),
            "sd198_classes": fit_classes,
            "sd198_images": len(fit_clinical),
            "non_skin_images": len(neg_fit),
        },
        "settings": settings,
        "data_fingerprint": data_fingerprint(
            [*train["image_path"], *val["image_path"], *fit_clinical], settings
        ),
    }
    gate = fit_gate(
        feats["ham_train"],
        feats["clinical_fit"],
        feats["non_skin_fit"],
        feats["ham_val"],
        val_quality,
        pass_rate=pass_rate,
        seed=seed,
        info=info,
    )
    val_p = gate.type_proba(feats["ham_val"].astype(np.float64))
    clin_p = gate.type_proba(feats["clinical_test"].astype(np.float64))
    neg_p = gate.type_proba(feats["non_skin_test"].astype(np.float64))
    clin_quality = [quality_scores(load_image(p)) for p in test_clinical]
    figures = {
        "val_pass_rate": float(
            np.mean([v == "in_scope" for v in verdicts(gate, feats["ham_val"], val_quality)])
        ),
        "clinical_auroc_heldout_classes_vs_val": _auroc(val_p[:, CLINICAL], clin_p[:, CLINICAL]),
        "non_skin_auroc_heldout_vs_val": _auroc(val_p[:, NOT_SKIN], neg_p[:, NOT_SKIN]),
        "clinical_heldout_verdicts": _counts(verdicts(gate, feats["clinical_test"], clin_quality)),
        "non_skin_heldout_verdicts": _counts(
            verdicts(gate, feats["non_skin_test"], neg_test_quality)
        ),
    }
    gate.info["validation"] = figures
    gate.info["calibration"] = calibration_info(len(val), pass_rate)
    gate.save(out_dir)
    return figures


def calibration_info(n: int, level: float) -> dict[str, Any]:
    """How the distance bound was set, and how sure one fitted gate is to reach ``level``."""
    rank = math.ceil(level * (n + 1))
    return {
        "rule": "split conformal over the whole gate (crepes, non-smoothed p-values): the "
        "ceil(level * (n + 1))-th smallest score of n calibration images, a score being the "
        "distance, or infinity where another check stops the image",
        "images": "one per validation group (the first by case_id, as on the test side)",
        "level": level,
        "n": n,
        "bound_rank": rank,
        "guarantee": f"expected in-distribution pass rate >= {level}",
        "chance_pass_rate_at_least_level": round(pass_rate_confidence(n, rank, level), 4)
        if rank <= n
        else None,
    }


def degrade(image: Image.Image, kind: str) -> Image.Image:
    """A degraded copy for testing the quality checks: blur, over- or under-exposure."""
    if kind.startswith("blur"):
        return image.filter(ImageFilter.GaussianBlur(float(kind.removeprefix("blur"))))
    factor = {"overexposed": 2.5, "underexposed": 0.3}[kind]
    pixels = np.asarray(image, dtype=np.float64) * factor
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


DEGRADATIONS = ("blur2", "blur4", "overexposed", "underexposed")


def run_evaluate(
    bundle_dir: Path,
    test_csv: Path,
    clinical_dir: Path,
    *,
    scope_dir: Path | None = None,
    n_degraded: int = 300,
    seed: int = 0,
    cache_dir: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """``skinmm scope evaluate``: the gate's figures on held-out material.

    In-distribution pass rate on the test images; non-skin rejection AUROC (held-out
    scikit-image photos and generated pictures vs the test images); dermoscopic-vs-clinical
    AUROC on the SD-198 classes held out from fitting; detection rates of the quality checks
    on degraded copies of test images; the gate's added time per image.
    """
    from skinmm.bundle import load_bundle
    from skinmm.data.manifest import read_manifest
    from skinmm.image.io import load_image

    bundle = load_bundle(bundle_dir)
    gate = ScopeGate.load(scope_dir or bundle.path / SCOPE_DIR)
    test = read_manifest(test_csv)
    paths = list(test["image_path"])
    log(f"test: {len(paths)} images")
    ham = cached_features(bundle.image, paths, cache_dir, log).astype(np.float64)
    ham_images = [load_image(p) for p in paths]
    ham_quality = [quality_scores(im) for im in ham_images]
    ham_verdicts = verdicts(gate, ham, ham_quality)
    held = gate.info["held_out"]["sd198_classes"]
    clin_paths = clinical_paths(clinical_dir, held)
    clin = cached_features(bundle.image, clin_paths, cache_dir, log).astype(np.float64)
    clin_verdicts = verdicts(gate, clin, [quality_scores(load_image(p)) for p in clin_paths])
    negatives = non_skin_images(TEST_SEED, test=True)
    neg, neg_quality = _image_features(bundle, negatives)
    neg_verdicts = verdicts(gate, neg.astype(np.float64), neg_quality)
    ham_p, clin_p, neg_p = (gate.type_proba(f) for f in (ham, clin, neg.astype(np.float64)))
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(ham_images), min(n_degraded, len(ham_images)), replace=False)
    degraded = {}
    for kind in ("original", *DEGRADATIONS):
        flagged = [
            bool(
                quality_failures(
                    quality_scores(
                        ham_images[i] if kind == "original" else degrade(ham_images[i], kind)
                    ),
                    gate.thresholds,
                )
            )
            for i in chosen
        ]
        degraded[kind] = round(float(np.mean(flagged)), 4)
    timing = _timing(bundle, gate, ham_images[:12])
    return {
        "bundle": bundle.name,
        "gate_fingerprint": gate.info.get("data_fingerprint"),
        "in_distribution": {
            "images": len(paths),
            "pass_rate": round(float(np.mean([v == "in_scope" for v in ham_verdicts])), 4),
            "target": 0.95,
            "verdicts": _counts(ham_verdicts),
        },
        "non_skin": {
            "images": len(negatives),
            "auroc_p_not_skin_vs_ham_test": round(
                _auroc(ham_p[:, NOT_SKIN], neg_p[:, NOT_SKIN]), 4
            ),
            "target": 0.99,
            "rejected_share": round(float(np.mean([v != "in_scope" for v in neg_verdicts])), 4),
            "verdicts": _counts(neg_verdicts),
            "sources": {"skimage": list(SKIMAGE_TEST), "generated_seed": TEST_SEED},
        },
        "clinical_heldout_classes": {
            "classes": held,
            "images": len(clin_paths),
            "auroc_p_clinical_vs_ham_test": round(
                _auroc(ham_p[:, CLINICAL], clin_p[:, CLINICAL]), 4
            ),
            "target": 0.95,
            "flagged_share": round(float(np.mean([v != "in_scope" for v in clin_verdicts])), 4),
            "verdicts": _counts(clin_verdicts),
        },
        "quality_on_degraded_test_copies": {
            "images": len(chosen),
            "flagged_share": degraded,
            "degradations": "blurN: Gaussian blur of radius N px at the 200x150 HAM size; "
            "overexposed: pixels x2.5; underexposed: pixels x0.3; original: false alarms",
        },
        "cost_per_image_seconds": timing,
    }


def _timing(bundle: Any, gate: ScopeGate, images: list[Image.Image]) -> dict[str, float]:
    """Median seconds per image: the branch's TTA prediction and the gate's extra forward."""
    import time

    predict, assess = [], []
    for image in images:
        started = time.perf_counter()
        bundle.image.predict_proba([image])
        predict.append(time.perf_counter() - started)
        started = time.perf_counter()
        gate.assess(image, bundle.image)
        assess.append(time.perf_counter() - started)
    return {
        "image_branch_predict": round(float(np.median(predict)), 4),
        "scope_gate": round(float(np.median(assess)), 4),
    }
