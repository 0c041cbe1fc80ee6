"""Decision-level fusion of the image and text branches: pure functions on probabilities.

Each rule takes two arrays of shape (n, n_classes) of *calibrated* probabilities in the same
class order. A row of NaN means that branch has no input for that case (no note, or no
image); the fused row then is the other branch's row, and :class:`FusionResult.mode` says so.

The paper's rule is ``max``: for each class the larger of the two branch probabilities,
renormalised over classes. It only makes sense on calibrated branches: an over-confident
branch would otherwise carry every class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skinmm.calibration import EPS

RULES: tuple[str, ...] = ("max", "mean", "product", "weighted", "stacked")
IMAGE, TEXT, BOTH = "image", "text", "both"
# Not a fusion: the image branch alone (the text only where there is no image). The default
# when no fusion rule keeps the image branch's sensitivity on the validation groups.
IMAGE_ONLY = "image"
SELECTABLE: tuple[str, ...] = (*RULES, IMAGE_ONLY)


@dataclass(frozen=True)
class FusionResult:
    """Fused probabilities and where they came from.

    ``carrier[i, k]`` names the branch whose probability set class ``k`` of case ``i`` under
    the max rule (``both`` on ties, or the only branch present); ``mode[i]`` is ``fused``,
    ``image-only`` or ``text-only``.
    """

    proba: np.ndarray
    carrier: np.ndarray
    mode: np.ndarray

    @property
    def predicted(self) -> np.ndarray:
        return self.proba.argmax(axis=1)


def _normalise(p: np.ndarray) -> np.ndarray:
    return p / np.clip(p.sum(axis=1, keepdims=True), EPS, None)


def _check(image: np.ndarray, text: np.ndarray) -> None:
    if image.shape != text.shape or image.ndim != 2:
        raise ValueError(
            f"Branch probabilities must have the same (n, n_classes) shape; got {image.shape} "
            f"and {text.shape}."
        )


def max_rule(image: np.ndarray, text: np.ndarray) -> np.ndarray:
    return _normalise(np.maximum(image, text))


def mean_rule(image: np.ndarray, text: np.ndarray) -> np.ndarray:
    return _normalise((image + text) / 2)


def product_rule(image: np.ndarray, text: np.ndarray) -> np.ndarray:
    # In log space so that tiny probabilities do not underflow to an all-zero row.
    logp = np.log(np.clip(image, EPS, 1)) + np.log(np.clip(text, EPS, 1))
    logp -= logp.max(axis=1, keepdims=True)
    return _normalise(np.exp(logp))


def weighted_rule(image: np.ndarray, text: np.ndarray, weight: float) -> np.ndarray:
    """``weight`` * image + (1 - ``weight``) * text."""
    return _normalise(weight * image + (1 - weight) * text)


def _features(image: np.ndarray, text: np.ndarray) -> np.ndarray:
    return np.hstack([np.log(np.clip(image, EPS, 1)), np.log(np.clip(text, EPS, 1))])


@dataclass
class StackedFusion:
    """Multinomial logistic regression on both branches' log-probabilities.

    Fitted on the validation groups only: the branches' training predictions are overfit.
    """

    coef_: np.ndarray | None = None
    intercept_: np.ndarray | None = None
    C: float = 1.0

    def fit(self, image: np.ndarray, text: np.ndarray, y: np.ndarray) -> StackedFusion:
        # Imported here: only fitting needs it, and a prediction should not wait for it.
        from sklearn.linear_model import LogisticRegression

        n_classes = image.shape[1]
        model = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
        model.fit(_features(image, text), y)
        # Classes missing from the validation set get no score of their own; keep them at -inf
        # so the array still covers every class of the bundle.
        coef = np.zeros((n_classes, 2 * n_classes))
        intercept = np.full(n_classes, -1e9)
        coef[model.classes_] = (
            model.coef_ if len(model.classes_) > 2 else np.vstack([-model.coef_, model.coef_])
        )
        intercept[model.classes_] = (
            model.intercept_
            if len(model.classes_) > 2
            else np.r_[-model.intercept_, model.intercept_]
        )
        self.coef_, self.intercept_ = coef, intercept
        return self

    def predict_proba(self, image: np.ndarray, text: np.ndarray) -> np.ndarray:
        if self.coef_ is None or self.intercept_ is None:
            raise ValueError("Stacked fusion is not fitted; fit it on the validation split first.")
        scores = _features(image, text) @ self.coef_.T + self.intercept_
        scores -= scores.max(axis=1, keepdims=True)
        return _normalise(np.exp(scores))

    def to_dict(self) -> dict[str, Any]:
        return {
            "C": self.C,
            "coef": None if self.coef_ is None else self.coef_.tolist(),
            "intercept": None if self.intercept_ is None else self.intercept_.tolist(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StackedFusion:
        coef = None if d.get("coef") is None else np.asarray(d["coef"], dtype=np.float64)
        intercept = None if d.get("intercept") is None else np.asarray(d["intercept"])
        return cls(coef_=coef, intercept_=intercept, C=float(d.get("C", 1.0)))


@dataclass
class FusionParams:
    """What is fitted on the validation groups: the weighted rule's weight, the stacker, and
    how much of the training prior to take out of the text branch before fusing.

    Both branches' calibrated probabilities carry the class prior of the training data; fused
    as they are, the prior counts twice and pulls every case towards the majority class
    (nevus). Dividing the text probabilities by ``text_prior ** prior_power`` and
    renormalising removes that double count; ``prior_power`` 0 leaves them as they are.

    The decision is prior-corrected the same way: the fused probabilities are divided by
    ``text_prior ** decision_power`` (``text_prior`` is the training prior of both branches),
    which trades nevus predictions for the rarer, often malignant, classes. Power 0 is the
    plain argmax of the fused probabilities.
    """

    weight: float = 0.5
    stacked: StackedFusion = field(default_factory=StackedFusion)
    text_prior: np.ndarray | None = None
    prior_power: float = 0.0
    decision_power: float = 0.0
    # Several sources (`skinmm merge`): the image branch learns from the rows with an image,
    # the text branch from every row with a note, so their training priors differ. With
    # ``image_prior`` set, a row with an image has its decision corrected by the prior its
    # image branch learnt (a class with no training image: uncorrected), and with
    # ``image_classes_only`` that row's decision is also kept to the classes the image branch
    # learnt, so a class learnt from notes alone cannot overrule a photograph.
    # None / False: one prior for both branches (a single source), as before.
    image_prior: np.ndarray | None = None
    image_classes_only: bool = False

    def deprior(self, text: np.ndarray) -> np.ndarray:
        return divide_prior(text, self.text_prior, self.prior_power)

    def decide(self, proba: np.ndarray, has_image: np.ndarray | None = None) -> np.ndarray:
        """The probabilities behind the decision: fused ones with the prior correction.

        ``has_image`` marks the rows with an image (default: none), which :attr:`image_prior`
        and :attr:`image_classes_only` concern.
        """
        out = divide_prior(proba, self.text_prior, self.decision_power)
        if self.image_prior is None or has_image is None or not np.any(has_image):
            return out
        rows = np.asarray(has_image, dtype=bool)
        learnt = self.image_prior > 0
        # A class the image branch never saw has no prior of its own to take out.
        prior = np.where(learnt, self.image_prior, 1.0)
        image_rows = divide_prior(proba[rows], prior, self.decision_power)
        if self.image_classes_only:
            image_rows = _normalise(np.where(learnt, image_rows, 0.0))
        out = np.array(out, dtype=np.float64)
        out[rows] = image_rows
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "weight": self.weight,
            "stacked": self.stacked.to_dict(),
            "text_prior": None if self.text_prior is None else self.text_prior.tolist(),
            "prior_power": self.prior_power,
            "decision_power": self.decision_power,
            "image_prior": None if self.image_prior is None else self.image_prior.tolist(),
            "image_classes_only": self.image_classes_only,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FusionParams:
        prior, image_prior = d.get("text_prior"), d.get("image_prior")
        return cls(
            weight=float(d["weight"]),
            stacked=StackedFusion.from_dict(d["stacked"]),
            text_prior=None if prior is None else np.asarray(prior, dtype=np.float64),
            prior_power=float(d.get("prior_power", 0.0)),
            decision_power=float(d.get("decision_power", 0.0)),
            image_prior=None if image_prior is None else np.asarray(image_prior, np.float64),
            image_classes_only=bool(d.get("image_classes_only", False)),
        )


def divide_prior(proba: np.ndarray, prior: np.ndarray | None, power: float) -> np.ndarray:
    """``proba / prior ** power``, renormalised per row; unchanged for power 0 or no prior."""
    if prior is None or power == 0:
        return proba
    return _normalise(proba / np.clip(prior, EPS, None) ** power)


def rule_function(
    rule: str, params: FusionParams
) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """The two-branch combiner for ``rule``."""
    combiners: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
        "max": max_rule,
        "mean": mean_rule,
        "product": product_rule,
        "weighted": lambda i, t: weighted_rule(i, t, params.weight),
        "stacked": params.stacked.predict_proba,
        IMAGE_ONLY: lambda i, t: i,
    }
    if rule not in combiners:
        raise ValueError(f"Unknown fusion rule {rule!r}; choose one of {', '.join(SELECTABLE)}.")
    return combiners[rule]


def _carrier(image: np.ndarray, text: np.ndarray) -> np.ndarray:
    carrier = np.where(image > text, IMAGE, TEXT).astype(object)
    carrier[np.isclose(image, text)] = BOTH
    return carrier


def fuse(
    image: np.ndarray, text: np.ndarray, rule: str = "max", params: FusionParams | None = None
) -> FusionResult:
    """Fuse two branches' probabilities, falling back to the branch present per case.

    The result's probabilities carry the decision's prior correction (see
    :class:`FusionParams`), so their argmax is the decision, whatever the inputs were.
    """
    image = np.asarray(image, dtype=np.float64)
    text = np.asarray(text, dtype=np.float64)
    _check(image, text)
    has_image = ~np.isnan(image).any(axis=1)
    has_text = ~np.isnan(text).any(axis=1)
    if not (has_image | has_text).all():
        raise ValueError("Each case needs an image, a note, or both.")
    params = params or FusionParams()
    combine = rule_function(rule, params)
    proba = np.where(has_image[:, None], image, text)
    both = has_image & has_text
    carrier = np.full(image.shape, BOTH, dtype=object)
    if both.any():
        text_both = params.deprior(text[both])
        proba[both] = combine(image[both], text_both)
        carrier[both] = _carrier(image[both], text_both)
    carrier[has_image & ~has_text] = IMAGE
    carrier[~has_image & has_text] = TEXT
    mode = np.where(both, "fused", np.where(has_image, "image-only", "text-only"))
    return FusionResult(proba=params.decide(proba, has_image), carrier=carrier, mode=mode)


def fit_params(
    image: np.ndarray,
    text: np.ndarray,
    y: np.ndarray,
    text_prior: np.ndarray | None = None,
    prior_power: float = 0.0,
    image_prior: np.ndarray | None = None,
    image_classes_only: bool = False,
) -> FusionParams:
    """Fit the weighted rule's weight and the stacker on validation probabilities.

    ``text`` is the raw calibrated text branch; the prior correction is applied here first,
    as :func:`fuse` will apply it. ``image_prior`` and ``image_classes_only`` are carried
    into the result (see :class:`FusionParams`).
    """
    # Here, not at the top: scikit-learn (via metrics) costs seconds that predicting never needs.
    from skinmm.metrics import weighted_f1

    text = FusionParams(text_prior=text_prior, prior_power=prior_power).deprior(text)
    weights = np.linspace(0.0, 1.0, 21)
    scores = [weighted_f1(y, weighted_rule(image, text, w).argmax(axis=1)) for w in weights]
    return FusionParams(
        weight=float(weights[int(np.argmax(scores))]),
        stacked=StackedFusion().fit(image, text, y),
        text_prior=text_prior,
        prior_power=prior_power,
        image_prior=image_prior,
        image_classes_only=image_classes_only,
    )
